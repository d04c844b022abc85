/**
 * ExpandDims and Squeeze: reshapes that add or remove size-1 axes. Like Reshape they alias their
 * input (no copy); unlike it they have real shape rules, so unknown dims stay unknown in place and a
 * squeeze of a dim that is not 1 is an error naming the node.
 */
import { formatShape, type Dim, type Shape } from '../graph/shape';
import { defineOp, type NodeInfo } from './op-def';
import { opError, refArray } from './support';
import * as m from '../api/math-core';

export interface ExpandDimsAttrs {
  /** Position of the new axis in the output, in [-rank-1, rank]. */
  axis: number;
}

function expandAxis(axis: number, rank: number, node: NodeInfo): number {
  if (!Number.isInteger(axis) || axis < -rank - 1 || axis > rank) {
    throw opError(node, `axis ${axis} is out of range [${-rank - 1}, ${rank}] for an input of rank ${rank}`);
  }
  return axis < 0 ? axis + rank + 1 : axis;
}

function expandedShape(x: Shape, axis: number, node: NodeInfo): Shape {
  if (x === null) return null;
  const a = expandAxis(axis, x.length, node);
  return [...x.slice(0, a), 1, ...x.slice(a)];
}

export const ExpandDims = defineOp<ExpandDimsAttrs>({
  type: 'ExpandDims',
  aliasInput: 0,
  inferOutputs: (inputs, attrs, node) => [{ dtype: inputs[0].dtype, shape: expandedShape(inputs[0].shape, attrs.axis, node) }],
  gradient: (op, [dy]) => [dy && m.reshapeToShapeOf(dy, op.inputs[0])],
  lower() {},
  reference([x], attrs, node) {
    return [refArray(expandedShape(x.shape, attrs.axis, node) as number[], x.dtype, x.data)];
  },
});

export interface SqueezeAttrs {
  /** Axes to remove (each must be 1); null removes every size-1 axis. */
  axis: number[] | null;
}

/**
 * With explicit axes, unknown dims there are assumed to be 1 (checked once concrete). Without axes, an
 * unknown dim could be 1 or not, so the result's rank is unknown.
 */
function squeezedShape(x: Shape, attrs: SqueezeAttrs, node: NodeInfo): Shape {
  if (x === null) return null;
  const rank = x.length;
  if (attrs.axis === null) return x.some((d) => d === null) ? null : x.filter((d) => d !== 1);
  const axes = attrs.axis.map((a) => {
    if (!Number.isInteger(a) || a < -rank || a >= rank) throw opError(node, `axis ${a} is out of range for an input of rank ${rank}`);
    return a < 0 ? a + rank : a;
  });
  for (const a of axes) {
    if (x[a] !== null && x[a] !== 1) {
      throw opError(node, `cannot squeeze dim ${a} of ${formatShape(x)}: it is ${String(x[a])}, expected 1`);
    }
  }
  return x.filter((_, i) => !axes.includes(i)) as Dim[];
}

export const Squeeze = defineOp<SqueezeAttrs>({
  type: 'Squeeze',
  aliasInput: 0,
  inferOutputs: (inputs, attrs, node) => [{ dtype: inputs[0].dtype, shape: squeezedShape(inputs[0].shape, attrs, node) }],
  gradient: (op, [dy]) => [dy && m.reshapeToShapeOf(dy, op.inputs[0])],
  // The output aliases the input; the concrete shape rule (run by the compiler) did the checking.
  lower() {},
  reference([x], attrs, node) {
    return [refArray(squeezedShape(x.shape, attrs, node) as number[], x.dtype, x.data)];
  },
});
