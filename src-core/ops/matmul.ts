/** MatMul with transpose flags, batched over leading dims (a rank-2 operand broadcasts). */
import type { MatMulArgs } from '../../backends/interface';
import { formatShape, type Dim } from '../graph/shape';
import { defineOp, type NodeInfo } from './op-def';
import { opError, refArray, storeAs } from './support';
import * as m from '../api/math-core';

export interface MatMulAttrs {
  transpose_a: boolean;
  transpose_b: boolean;
}

interface MatDims<D> {
  batch: D[];
  m: D;
  k: D;
  kB: D;
  n: D;
}

function matDims<D extends Dim>(a: D[], b: D[], attrs: MatMulAttrs): MatDims<D> {
  const [ar, br] = [a.length, b.length];
  const m0 = attrs.transpose_a ? a[ar - 1] : a[ar - 2];
  const k = attrs.transpose_a ? a[ar - 2] : a[ar - 1];
  const kB = attrs.transpose_b ? b[br - 1] : b[br - 2];
  const n = attrs.transpose_b ? b[br - 2] : b[br - 1];
  const batch = ar >= br ? a.slice(0, ar - 2) : b.slice(0, br - 2);
  return { batch, m: m0, k, kB, n };
}

function checkOperands(a: Dim[], b: Dim[], attrs: MatMulAttrs, node: NodeInfo): MatDims<Dim> {
  const both = `a ${formatShape(a)} vs b ${formatShape(b)}`;
  if (a.length < 2 || b.length < 2) throw opError(node, `operands must have rank >= 2, ${both}`);
  const d = matDims(a, b, attrs);
  if (d.k !== null && d.kB !== null && d.k !== d.kB) {
    const flags = attrs.transpose_a || attrs.transpose_b ? ` (transpose_a=${attrs.transpose_a}, transpose_b=${attrs.transpose_b})` : '';
    throw opError(node, `inner dims differ, ${both}${flags}`);
  }
  if (a.length > 2 && b.length > 2) {
    const [ba, bb] = [a.slice(0, -2), b.slice(0, -2)];
    if (ba.length !== bb.length || ba.some((x, i) => x !== null && bb[i] !== null && x !== bb[i])) {
      throw opError(node, `batch dims differ, ${both}`);
    }
  }
  return d;
}

/** The backend descriptor of a product of operands with these concrete shapes. */
export function matMulArgs(a: number[], b: number[], attrs: MatMulAttrs, node: NodeInfo): MatMulArgs {
  const d = checkOperands(a, b, attrs, node) as MatDims<number>;
  return {
    batch: d.batch.reduce((p, x) => p * x, 1),
    m: d.m,
    n: d.n,
    k: d.k,
    transposeA: attrs.transpose_a,
    transposeB: attrs.transpose_b,
    aBatchStride: a.length > 2 ? d.m * d.k : 0,
    bBatchStride: b.length > 2 ? d.k * d.n : 0,
  };
}

export const MatMul = defineOp<MatMulAttrs>({
  type: 'MatMul',
  inferOutputs(inputs, attrs, node) {
    const [a, b] = inputs;
    if (a.dtype !== b.dtype) throw opError(node, `operand dtypes differ: ${a.dtype} vs ${b.dtype}`);
    if (a.dtype === 'bool') throw opError(node, 'expects numeric operands, got bool');
    if (a.shape === null || b.shape === null) return [{ dtype: a.dtype, shape: null }];
    const d = checkOperands(a.shape, b.shape, attrs, node);
    return [{ dtype: a.dtype, shape: [...d.batch, d.m, d.n] }];
  },
  gradient(op, [dy]) {
    if (dy === null) return [null, null];
    const [a, b] = op.inputs;
    const { transpose_a: ta, transpose_b: tb } = op.attrs;
    const mm = (x: typeof a, y: typeof a, tx: boolean, ty: boolean) => m.matmul(x, y, tx, ty);
    let da;
    let db;
    if (!ta && !tb) [da, db] = [mm(dy, b, false, true), mm(a, dy, true, false)];
    else if (!ta && tb) [da, db] = [mm(dy, b, false, false), mm(dy, a, true, false)];
    else if (ta && !tb) [da, db] = [mm(b, dy, false, true), mm(a, dy, false, false)];
    else [da, db] = [mm(b, dy, true, true), mm(dy, a, true, true)];
    // A rank-2 operand broadcast over a batch gets the batch-summed gradient.
    return [m.sumToShapeOf(da, a), m.sumToShapeOf(db, b)];
  },
  lower(ctx, node) {
    const [a, b] = node.inputs;
    const args = matMulArgs(a.shape, b.shape, node.attrs, node);
    const { backend } = ctx;
    const [ab, bb, ob] = [a.buffer, b.buffer, node.outputs[0].buffer];
    if (ob.size === 0) return;
    ctx.emit(() => backend.matmul(ab, bb, ob, args));
  },
  reference([a, b], attrs, node) {
    const d = checkOperands(a.shape, b.shape, attrs, node) as MatDims<number>;
    const batch = d.batch.reduce((p, x) => p * x, 1);
    const out = refArray([...d.batch, d.m, d.n], a.dtype);
    const aStride = a.shape.length > 2 ? d.m * d.k : 0;
    const bStride = b.shape.length > 2 ? d.k * d.n : 0;
    for (let t = 0; t < batch; t++) {
      for (let i = 0; i < d.m; i++) {
        for (let j = 0; j < d.n; j++) {
          let s = 0;
          for (let p = 0; p < d.k; p++) {
            const av = a.data[t * aStride + (attrs.transpose_a ? p * d.m + i : i * d.k + p)];
            const bv = b.data[t * bStride + (attrs.transpose_b ? j * d.k + p : p * d.n + j)];
            s += av * bv;
          }
          out.data[(t * d.m + i) * d.n + j] = storeAs(a.dtype, s);
        }
      }
    }
    return [out];
  },
});
