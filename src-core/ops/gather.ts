/**
 * Gather(params, indices, {axis}) as TF's `tf.gather`: slices of params along `axis` picked by int32
 * indices, lowered to the backend's `gather` primitive (values are moved, never multiplied, so an Inf
 * elsewhere in params cannot turn into NaN as it would through one_hot × matmul). An index outside
 * [0, dim) gives zeros, on every backend (TF-1 raises on cpu and gives zeros on GPUs; indices are data,
 * unknown when the graph is built).
 *
 * Its gradient GatherGrad(dy, indices, params) scatter-adds dy back into a zero tensor shaped like
 * params with the backend's `segmentSum` (repeated indices accumulate); the two are adjoints.
 */
import { UnimplementedError } from '../errors';
import { formatShape, normalizeAxis, numElements, type Shape } from '../graph/shape';
import type { GatherArgs } from '../../backends/interface';
import { defineOp, type NodeInfo, type OpDef, type TensorSpec } from './op-def';
import { apply } from './apply';
import { forEachIndex, opError, refArray } from './support';

export interface GatherAttrs {
  axis: number;
}

function gatherAxis(params: Shape, attrs: GatherAttrs, node: NodeInfo): number | null {
  if (params === null) return null;
  if (params.length === 0) throw opError(node, 'params must have rank >= 1, got a scalar');
  const a = normalizeAxis(attrs.axis, params.length);
  if (!Number.isInteger(attrs.axis) || a < 0) throw opError(node, `axis ${attrs.axis} is out of range for params of rank ${params.length}`);
  return a;
}

function gatheredShape(params: TensorSpec, indices: TensorSpec, attrs: GatherAttrs, node: NodeInfo): Shape {
  if (indices.dtype !== 'int32') throw opError(node, `indices must be int32, got ${indices.dtype}`);
  const axis = gatherAxis(params.shape, attrs, node);
  if (axis === null || params.shape === null || indices.shape === null) return null;
  return [...params.shape.slice(0, axis), ...indices.shape, ...params.shape.slice(axis + 1)];
}

function gatherArgs(params: readonly number[], count: number, axis: number): GatherArgs {
  return { outer: numElements(params.slice(0, axis)), axis: params[axis], inner: numElements(params.slice(axis + 1)), count };
}

function primitive<K extends 'gather' | 'segmentSum'>(backendName: string, fn: unknown, node: NodeInfo, name: K): void {
  if (typeof fn !== 'function') {
    throw new UnimplementedError(`${node.type} '${node.name}': the '${backendName}' backend has no ${name} primitive (tf.gather needs it)`);
  }
}

export const Gather: OpDef<GatherAttrs> = defineOp<GatherAttrs>({
  type: 'Gather',
  inferOutputs(inputs, attrs, node) {
    const [params, indices] = inputs;
    return [{ dtype: params.dtype, shape: gatheredShape(params, indices, attrs, node) }];
  },
  gradient: (op, [dy]) => [dy && apply(GatherGrad, [dy, op.inputs[1], op.inputs[0]], op.attrs), null],
  lower(ctx, node) {
    const [params, indices] = node.inputs;
    const out = node.outputs[0];
    if (out.buffer.size === 0) return;
    const { backend } = ctx;
    primitive(backend.name, backend.gather, node, 'gather');
    const args = gatherArgs(params.shape, indices.buffer.size, gatherAxis(params.shape, node.attrs, node) as number);
    const [pb, ib, ob] = [params.buffer, indices.buffer, out.buffer];
    ctx.emit(() => backend.gather?.(pb, ib, ob, args));
  },
  reference([params, indices], attrs, node) {
    const axis = gatherAxis(params.shape, attrs, node) as number;
    const args = gatherArgs(params.shape, indices.data.length, axis);
    const shape = [...params.shape.slice(0, axis), ...indices.shape, ...params.shape.slice(axis + 1)];
    const out = refArray(shape, params.dtype);
    forEachIndex([args.outer, args.count, args.inner], ([o, j, i], flat) => {
      const r = indices.data[j];
      out.data[flat] = r >= 0 && r < args.axis ? params.data[(o * args.axis + r) * args.inner + i] : 0;
    });
    return [out];
  },
});

/** GatherGrad(dy, indices, params): zeros shaped like params with dy's slices added at their indices. */
export const GatherGrad: OpDef<GatherAttrs> = defineOp<GatherAttrs>({
  type: 'GatherGrad',
  shapeOnlyInputs: [2],
  inferOutputs(inputs, attrs, node) {
    const [dy, indices, params] = inputs;
    if (dy.dtype !== 'float32' && dy.dtype !== 'int32') throw opError(node, `dy must be float32 or int32, got ${dy.dtype}`);
    const want = gatheredShape(params, indices, attrs, node);
    if (dy.shape !== null && want !== null && (dy.shape.length !== want.length || dy.shape.some((d, i) => d !== null && want[i] !== null && d !== want[i]))) {
      throw opError(node, `dy has shape ${formatShape(dy.shape)} but gathering ${formatShape(indices.shape)} from ${formatShape(params.shape)} gives ${formatShape(want)}`);
    }
    return [{ dtype: dy.dtype, shape: params.shape }];
  },
  gradient: (op, [g]) => [g && apply(Gather, [g, op.inputs[1]], op.attrs), null, null],
  lower(ctx, node) {
    const [dy, indices, params] = node.inputs;
    const out = node.outputs[0];
    if (out.buffer.size === 0) return;
    const { backend } = ctx;
    primitive(backend.name, backend.segmentSum, node, 'segmentSum');
    const args = gatherArgs(params.shape, indices.buffer.size, gatherAxis(params.shape, node.attrs, node) as number);
    const [db, ib, ob] = [dy.buffer, indices.buffer, out.buffer];
    ctx.emit(() => backend.segmentSum?.(db, ib, ob, args));
  },
  reference([dy, indices, params], attrs, node) {
    const axis = gatherAxis(params.shape, attrs, node) as number;
    const args = gatherArgs(params.shape, indices.data.length, axis);
    const out = refArray(params.shape, dy.dtype);
    forEachIndex([args.outer, args.count, args.inner], ([o, j, i], flat) => {
      const r = indices.data[j];
      if (r >= 0 && r < args.axis) out.data[(o * args.axis + r) * args.inner + i] += dy.data[flat];
    });
    return [out];
  },
});
