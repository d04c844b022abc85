/** Ops that change dtype or layout: Cast, Reshape, Transpose. */
import type { DType } from '../graph/dtype';
import { formatShape, numElements, stridesOf, type Dim } from '../graph/shape';
import { defineOp } from './op-def';
import { emitTranspose } from './lowering';
import { forEachIndex, opError, refArray, storeAs } from './support';
import * as m from '../api/math-core';

export interface CastAttrs {
  dtype: DType;
}

export const Cast = defineOp<CastAttrs>({
  type: 'Cast',
  inferOutputs: (inputs, attrs) => [{ dtype: attrs.dtype, shape: inputs[0].shape }],
  gradient(op, [dy]) {
    // Only float-to-float casts carry a gradient; ints and bools are not differentiable.
    const from = op.inputs[0].dtype;
    return [dy !== null && from === 'float32' && op.attrs.dtype === 'float32' ? dy : null];
  },
  lower(ctx, node) {
    const [x] = node.inputs;
    const out = node.outputs[0];
    if (out.buffer.size === 0) return;
    const { backend } = ctx;
    if (x.dtype === out.dtype) ctx.emit(() => backend.unary('identity', x.buffer, out.buffer));
    else ctx.emit(() => backend.cast(x.buffer, out.buffer));
  },
  reference([x], attrs) {
    return [refArray(x.shape, attrs.dtype, x.data.map((v) => storeAs(attrs.dtype, v)))];
  },
});

export interface ReshapeAttrs {
  /** Target shape; one entry may be -1 (inferred from the element count). */
  shape: number[];
}

function resolveReshape(inShape: Dim[] | null, target: number[], node: { type: string; name: string }): Dim[] {
  const wild = target.filter((d) => d === -1).length;
  if (wild > 1 || target.some((d) => !Number.isInteger(d) || d < -1)) {
    throw opError(node, `invalid target shape ${formatShape(target)}: dims must be >= 0 with at most one -1`);
  }
  const known = inShape !== null && inShape.every((d) => d !== null);
  const size = known ? numElements(inShape as number[]) : null;
  const fixed = numElements(target.filter((d) => d !== -1));
  if (size === null) return target.map((d) => (d === -1 ? null : d));
  if (wild === 0 ? fixed !== size : fixed === 0 || size % fixed !== 0) {
    throw opError(node, `cannot reshape a tensor of shape ${formatShape(inShape)} (${size} elements) into shape ${formatShape(target)}`);
  }
  return target.map((d) => (d === -1 ? size / fixed : d));
}

export const Reshape = defineOp<ReshapeAttrs>({
  type: 'Reshape',
  aliasInput: 0,
  inferOutputs: (inputs, attrs, node) => [{ dtype: inputs[0].dtype, shape: resolveReshape(inputs[0].shape, attrs.shape, node) }],
  gradient: (op, [dy]) => [dy && m.reshapeToShapeOf(dy, op.inputs[0])],
  lower() {},
  reference([x], attrs, node) {
    return [refArray(resolveReshape(x.shape, attrs.shape, node) as number[], x.dtype, x.data)];
  },
});

export interface TransposeAttrs {
  /** Output axis i is input axis perm[i]; null reverses the axes. */
  perm: number[] | null;
}

function resolvePerm(rank: number, perm: number[] | null, node: { type: string; name: string }): number[] {
  const p = perm ?? Array.from({ length: rank }, (_, i) => rank - 1 - i);
  const sorted = [...p].sort((a, b) => a - b);
  if (p.length !== rank || sorted.some((v, i) => v !== i)) {
    throw opError(node, `perm ${formatShape(p)} is not a permutation of the ${rank} axes`);
  }
  return p;
}

export const Transpose = defineOp<TransposeAttrs>({
  type: 'Transpose',
  inferOutputs(inputs, attrs, node) {
    const [x] = inputs;
    if (x.shape === null) return [{ dtype: x.dtype, shape: null }];
    const perm = resolvePerm(x.shape.length, attrs.perm, node);
    return [{ dtype: x.dtype, shape: perm.map((p) => (x.shape as Dim[])[p]) }];
  },
  gradient(op, [dy]) {
    if (dy === null) return [null];
    const rank = op.outputs[0].shape?.length ?? op.inputs[0].shape?.length;
    if (rank === undefined) {
      if (op.attrs.perm === null) return [m.transpose(dy, null)];
      throw opError(op, 'gradient needs a known rank');
    }
    const perm = resolvePerm(rank, op.attrs.perm, op);
    const inverse = new Array<number>(rank);
    perm.forEach((p, i) => (inverse[p] = i));
    return [m.transpose(dy, inverse)];
  },
  lower(ctx, node) {
    const [x] = node.inputs;
    emitTranspose(ctx, x, resolvePerm(x.shape.length, node.attrs.perm, node), node.outputs[0]);
  },
  reference([x], attrs, node) {
    const perm = resolvePerm(x.shape.length, attrs.perm, node);
    const outShape = perm.map((p) => x.shape[p]);
    const inStrides = stridesOf(x.shape);
    const out = refArray(outShape, x.dtype);
    forEachIndex(outShape, (idx, flat) => {
      let off = 0;
      for (let k = 0; k < idx.length; k++) off += idx[k] * inStrides[perm[k]];
      out.data[flat] = x.data[off];
    });
    return [out];
  },
});
