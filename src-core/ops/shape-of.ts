/**
 * Ops whose output shape comes from another tensor's shape, resolved when the plan is compiled.
 * Gradients use them so they work for dims unknown at graph-build time (e.g. the batch size).
 */
import { formatShape, numElements, stridesOf, type Shape } from '../graph/shape';
import { defineOp } from './op-def';
import { emitBroadcastTo, emitReduce, emitStridedCopy, emitUnary, stridedCopyArgs } from './lowering';
import { broadcastOffset, forEachIndex, opError, refArray, resolveAxes } from './support';
import * as m from '../api/math-core';

/** Axes of `from` that a numpy broadcast of `to` expanded: summing over them undoes the broadcast. */
export function broadcastAxes(to: readonly number[], from: readonly number[]): number[] {
  const lead = from.length - to.length;
  const axes: number[] = [];
  for (let i = 0; i < from.length; i++) {
    if (i < lead || (to[i - lead] === 1 && from[i] !== 1)) axes.push(i);
  }
  return axes;
}

/** sum_to_shape_of(x, like): sums x over the axes that broadcasting added to `like`'s shape. */
export const SumToShapeOf = defineOp({
  type: 'SumToShapeOf',
  shapeOnlyInputs: [1],
  inferOutputs(inputs) {
    return [{ dtype: inputs[0].dtype, shape: inputs[1].shape }];
  },
  gradient: (op, [dy]) => [dy && m.broadcastToShapeOf(dy, op.inputs[0]), null],
  lower(ctx, node) {
    const [x, like] = node.inputs;
    const axes = broadcastAxes(like.shape, x.shape);
    if (numElements(x.shape) !== numElements(like.shape) && axes.length === 0) {
      throw opError(node, `cannot sum ${formatShape(x.shape)} down to ${formatShape(like.shape)}`);
    }
    if (axes.length === 0) emitUnary(ctx, 'identity', x, node.outputs[0]);
    else emitReduce(ctx, 'sum', x, axes, node.outputs[0]);
  },
  reference([x, like]) {
    const out = refArray(like.shape, x.dtype);
    forEachIndex(x.shape, (idx, flat) => {
      out.data[broadcastOffset(idx, like.shape)] += x.data[flat];
    });
    return [out];
  },
});

/** broadcast_to_shape_of(x, like): numpy-broadcasts x to `like`'s shape. */
export const BroadcastToShapeOf = defineOp({
  type: 'BroadcastToShapeOf',
  shapeOnlyInputs: [1],
  inferOutputs(inputs) {
    return [{ dtype: inputs[0].dtype, shape: inputs[1].shape }];
  },
  gradient: (op, [dy]) => [dy && m.sumToShapeOf(dy, op.inputs[0]), null],
  lower(ctx, node) {
    emitBroadcastTo(ctx, node.inputs[0], node.outputs[0]);
  },
  reference([x, like]) {
    const out = refArray(like.shape, x.dtype);
    forEachIndex(like.shape, (idx, flat) => {
      out.data[flat] = x.data[broadcastOffset(idx, x.shape)];
    });
    return [out];
  },
});

export interface UnreduceAttrs {
  /** The reduced axes (null: all), as given to the reduction. */
  axes: number[] | null;
}

/**
 * unreduce(dy, x): the inverse of a reduction's shape change. dy holds one value per kept position
 * (with or without keep_dims); each is copied across the reduced axes to give x's shape.
 */
export const Unreduce = defineOp<UnreduceAttrs>({
  type: 'Unreduce',
  shapeOnlyInputs: [1],
  inferOutputs(inputs) {
    return [{ dtype: inputs[0].dtype, shape: inputs[1].shape }];
  },
  // Summing over the reduced axes gives dy's values; reshaping restores dy's own (keep_dims or not) shape.
  gradient: (op, [dy]) => [dy && m.reshapeToShapeOf(m.reduceSum(dy, op.attrs.axes, false), op.inputs[0]), null],
  lower(ctx, node) {
    const [dy, x] = node.inputs;
    const axes = resolveAxes(node, node.attrs.axes, x.shape.length);
    const kept = x.shape.map((d, i) => (axes.includes(i) ? 1 : d));
    const strides = stridesOf(kept).map((s, i) => (axes.includes(i) ? 0 : s));
    emitStridedCopy(ctx, dy, node.outputs[0], stridedCopyArgs(x.shape, strides));
  },
  reference([dy, x], attrs, node) {
    const axes = resolveAxes(node, attrs.axes, x.shape.length);
    const kept = x.shape.map((d, i) => (axes.includes(i) ? 1 : d));
    const out = refArray(x.shape, dy.dtype);
    forEachIndex(x.shape, (idx, flat) => {
      out.data[flat] = dy.data[broadcastOffset(idx, kept)];
    });
    return [out];
  },
});

/** reshape_to_shape_of(x, like): x's data with `like`'s shape (a view, no copy). */
export const ReshapeToShapeOf = defineOp({
  type: 'ReshapeToShapeOf',
  shapeOnlyInputs: [1],
  aliasInput: 0,
  inferOutputs(inputs, _attrs, node) {
    const [x, like] = inputs;
    const known = (s: Shape) => s !== null && s.every((d) => d !== null);
    if (known(x.shape) && known(like.shape) && numElements(x.shape as number[]) !== numElements(like.shape as number[])) {
      throw opError(node, `cannot reshape ${formatShape(x.shape)} to the shape of ${formatShape(like.shape)}`);
    }
    return [{ dtype: x.dtype, shape: like.shape }];
  },
  gradient: (op, [dy]) => [dy && m.reshapeToShapeOf(dy, op.inputs[0]), null],
  lower(_ctx, node) {
    const [x, like] = node.inputs;
    if (numElements(x.shape) !== numElements(like.shape)) {
      throw opError(node, `cannot reshape ${formatShape(x.shape)} to the shape of ${formatShape(like.shape)}`);
    }
  },
  reference([x, like]) {
    return [refArray(like.shape, x.dtype, x.data)];
  },
});

export interface ReductionSizeAttrs {
  axes: number[] | null;
}

/** The number of elements a reduction over `axes` of x combines, as a float32 scalar. */
export const ReductionSizeOf = defineOp<ReductionSizeAttrs>({
  type: 'ReductionSizeOf',
  shapeOnlyInputs: [0],
  constantOutputs: true,
  inferOutputs: () => [{ dtype: 'float32', shape: [] }],
  gradient: () => [null],
  lower(ctx, node) {
    const x = node.inputs[0];
    const axes = resolveAxes(node, node.attrs.axes, x.shape.length);
    const count = numElements(axes.map((a) => x.shape[a]));
    const out = node.outputs[0].buffer;
    const { backend } = ctx;
    ctx.init(() => backend.fill(out, count));
  },
  reference([x], attrs, node) {
    const axes = resolveAxes(node, attrs.axes, x.shape.length);
    return [refArray([], 'float32', Float64Array.of(numElements(axes.map((a) => x.shape[a]))))];
  },
});
