/**
 * Slice(x, {begin, size}) as TF-1's `tf.slice`: size -1 takes everything from begin to the end of the
 * dim. Lowered to one strided copy reading x at an offset. Its gradient SliceGrad(dy, x-shape-of)
 * writes dy into a zero tensor shaped like x (a fill and one offset write); the two are adjoints.
 */
import { formatShape, stridesOf, type Dim, type Shape } from '../graph/shape';
import { defineOp, type NodeInfo } from './op-def';
import { emitCopy } from './lowering';
import { forEachIndex, opError, refArray } from './support';
import * as m from '../api/math-core';

export interface SliceAttrs {
  begin: number[];
  /** Per dim: the slice's extent, or -1 for "to the end". */
  size: number[];
}

function checkAttrs(attrs: SliceAttrs, node: NodeInfo): void {
  if (attrs.begin.length !== attrs.size.length) {
    throw opError(node, `begin ${formatShape(attrs.begin)} and size ${formatShape(attrs.size)} must have the same length`);
  }
  if (attrs.begin.some((b) => !Number.isInteger(b) || b < 0)) throw opError(node, `begin ${formatShape(attrs.begin)} must be non-negative integers`);
  if (attrs.size.some((s) => !Number.isInteger(s) || s < -1)) throw opError(node, `size ${formatShape(attrs.size)} must be integers >= -1`);
}

/** The slice's shape for an input of shape `x` (unknown dims propagate where size is -1). */
function sliceShape(x: Shape, attrs: SliceAttrs, node: NodeInfo): Dim[] {
  checkAttrs(attrs, node);
  if (x !== null && x.length !== attrs.begin.length) {
    throw opError(node, `begin and size have ${attrs.begin.length} entries but the input ${formatShape(x)} has rank ${x.length}`);
  }
  return attrs.begin.map((b, i) => {
    const d = x === null ? null : x[i];
    const s = attrs.size[i];
    if (d !== null && b + Math.max(s, 0) > d) {
      throw opError(node, `slice [begin ${b}, size ${s}] of dim ${i} exceeds the input ${formatShape(x)}`);
    }
    if (s !== -1) return s;
    return d === null ? null : d - b;
  });
}

function beginOffset(shape: readonly number[], begin: readonly number[]): number {
  const strides = stridesOf(shape);
  return begin.reduce((sum, b, i) => sum + b * strides[i], 0);
}

export const Slice = defineOp<SliceAttrs>({
  type: 'Slice',
  inferOutputs(inputs, attrs, node) {
    return [{ dtype: inputs[0].dtype, shape: sliceShape(inputs[0].shape, attrs, node) }];
  },
  gradient: (op, [dy]) => [dy && m.sliceGrad(dy, op.inputs[0], op.attrs.begin, op.attrs.size)],
  lower(ctx, node) {
    const [x] = node.inputs;
    const out = node.outputs[0];
    emitCopy(ctx, x.buffer, out.buffer, { shape: out.shape, strides: stridesOf(x.shape), offset: beginOffset(x.shape, node.attrs.begin) });
  },
  reference([x], attrs, node) {
    const shape = sliceShape(x.shape, attrs, node) as number[];
    const out = refArray(shape, x.dtype);
    const strides = stridesOf(x.shape);
    forEachIndex(shape, (idx, flat) => {
      out.data[flat] = x.data[idx.reduce((o, v, k) => o + (v + attrs.begin[k]) * strides[k], 0)];
    });
    return [out];
  },
});

/** SliceGrad(dy, x): zeros shaped like x with dy written at `begin` (the adjoint of Slice). */
export const SliceGrad = defineOp<SliceAttrs>({
  type: 'SliceGrad',
  shapeOnlyInputs: [1],
  inferOutputs(inputs, attrs, node) {
    const [dy, x] = inputs;
    const want = sliceShape(x.shape, attrs, node);
    if (dy.shape !== null && (dy.shape.length !== want.length || dy.shape.some((d, i) => d !== null && want[i] !== null && d !== want[i]))) {
      throw opError(node, `dy has shape ${formatShape(dy.shape)} but the slice of ${formatShape(x.shape)} is ${formatShape(want)}`);
    }
    return [{ dtype: dy.dtype, shape: x.shape }];
  },
  gradient: (op, [g]) => [g && m.slice(g, op.attrs.begin, op.attrs.size), null],
  lower(ctx, node) {
    const [dy, x] = node.inputs;
    const out = node.outputs[0];
    if (out.buffer.size === 0) return;
    const { backend } = ctx;
    ctx.emit(() => backend.fill(out.buffer, 0));
    emitCopy(ctx, dy.buffer, out.buffer, {
      shape: dy.shape, strides: stridesOf(dy.shape), offset: 0, outStrides: stridesOf(x.shape), outOffset: beginOffset(x.shape, node.attrs.begin),
    });
  },
  reference([dy, x], attrs) {
    const out = refArray(x.shape, dy.dtype);
    const strides = stridesOf(x.shape);
    forEachIndex(dy.shape, (idx, flat) => {
      out.data[idx.reduce((o, v, k) => o + (v + attrs.begin[k]) * strides[k], 0)] = dy.data[flat];
    });
    return [out];
  },
});
