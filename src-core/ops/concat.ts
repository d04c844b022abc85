/**
 * ConcatV2(values..., {axis}): joins N tensors along one axis. Lowered to one strided copy per input,
 * each writing its block into the output through outStrides/outOffset.
 *
 * Its gradient slices dy back into the inputs' blocks with ConcatSlice(dy, values...), whose offsets
 * come from the inputs' shapes (shape-only inputs) when the plan is compiled: the blocks' sizes along
 * the axis may be unknown while the graph is built (a batch dim).
 */
import type { DType } from '../graph/dtype';
import { formatShape, normalizeAxis, stridesOf, type Dim, type Shape } from '../graph/shape';
import { defineOp, type NodeInfo, type TensorSpec } from './op-def';
import { emitCopy } from './lowering';
import { forEachIndex, opError, refArray } from './support';
import * as m from '../api/math-core';

export interface ConcatAttrs {
  axis: number;
}

/** The rank shared by the known-rank values (null when none is known). */
function commonRank(values: TensorSpec[], node: NodeInfo): number | null {
  let rank: number | null = null;
  for (const v of values) {
    if (v.shape === null) continue;
    if (rank !== null && v.shape.length !== rank) {
      throw opError(node, `values must have the same rank, got ${values.map((s) => formatShape(s.shape)).join(', ')}`);
    }
    rank = v.shape.length;
  }
  return rank;
}

function resolveAxis(axis: number, rank: number, node: NodeInfo): number {
  const a = normalizeAxis(axis, rank);
  if (a < 0) throw opError(node, `axis ${axis} is out of range for values of rank ${rank}`);
  return a;
}

/** The concatenated shape: dims off the axis must agree (unknown ones take the known value). */
function concatShape(values: TensorSpec[], attrs: ConcatAttrs, node: NodeInfo): Shape {
  if (values.length === 0) throw opError(node, 'needs at least one value');
  const dtype = values[0].dtype;
  if (values.some((v) => v.dtype !== dtype)) throw opError(node, `values must share a dtype, got ${values.map((v) => v.dtype).join(', ')}`);
  const rank = commonRank(values, node);
  if (rank === null) return null;
  if (rank === 0) throw opError(node, 'cannot concatenate scalars; use stack or reshape them first');
  const axis = resolveAxis(attrs.axis, rank, node);
  const out: Dim[] = new Array<Dim>(rank).fill(null);
  let total: number | null = 0;
  for (const v of values) {
    if (v.shape === null) {
      total = null;
      continue;
    }
    v.shape.forEach((d, i) => {
      if (i === axis) return;
      if (d !== null && out[i] !== null && out[i] !== d) {
        throw opError(node, `dim ${i} differs between values (axis ${axis}): ${values.map((s) => formatShape(s.shape)).join(' vs ')}`);
      }
      if (d !== null) out[i] = d;
    });
    const d = v.shape[axis];
    total = total === null || d === null ? null : total + d;
  }
  out[axis] = total;
  return out;
}

/** Start of each value's block along the axis. */
function offsets(shapes: readonly (readonly number[])[], axis: number): number[] {
  const starts: number[] = [];
  let at = 0;
  for (const s of shapes) {
    starts.push(at);
    at += s[axis];
  }
  return starts;
}

export const ConcatV2 = defineOp<ConcatAttrs>({
  type: 'ConcatV2',
  inferOutputs(inputs, attrs, node) {
    return [{ dtype: inputs[0]?.dtype ?? ('float32' as DType), shape: concatShape(inputs, attrs, node) }];
  },
  gradient(op, [dy]) {
    if (dy === null) return op.inputs.map(() => null);
    return op.inputs.map((_, i) => m.concatSlice(dy, [...op.inputs], op.attrs.axis, i));
  },
  lower(ctx, node) {
    const out = node.outputs[0];
    concatShape(node.inputs, node.attrs, node);
    const axis = resolveAxis(node.attrs.axis, out.shape.length, node);
    const outStrides = stridesOf(out.shape);
    const starts = offsets(node.inputs.map((p) => p.shape), axis);
    node.inputs.forEach((x, i) => {
      emitCopy(ctx, x.buffer, out.buffer, {
        shape: x.shape, strides: stridesOf(x.shape), offset: 0, outStrides, outOffset: starts[i] * outStrides[axis],
      });
    });
  },
  reference(inputs, attrs, node) {
    const shape = concatShape(inputs, attrs, node) as number[];
    const axis = resolveAxis(attrs.axis, shape.length, node);
    const out = refArray(shape, inputs[0].dtype);
    const starts = offsets(inputs.map((x) => x.shape), axis);
    const outStrides = stridesOf(shape);
    inputs.forEach((x, i) => {
      forEachIndex(x.shape, (idx, flat) => {
        let o = starts[i] * outStrides[axis];
        idx.forEach((v, k) => (o += v * outStrides[k]));
        out.data[o] = x.data[flat];
      });
    });
    return [out];
  },
});

export interface ConcatSliceAttrs extends ConcatAttrs {
  /** Which value's block of dy to take. */
  index: number;
}

/**
 * dy's block for value `index` of a concat: ConcatSlice(dy, values...). Only the values' shapes are
 * used (not declared as shapeOnlyInputs, which cannot express a variable input count).
 */
export const ConcatSlice = defineOp<ConcatSliceAttrs>({
  type: 'ConcatSlice',
  inferOutputs(inputs, attrs, node) {
    const [dy, ...values] = inputs;
    const target = values[attrs.index];
    if (target === undefined) throw opError(node, `index ${attrs.index} is out of range for ${values.length} values`);
    return [{ dtype: dy.dtype, shape: target.shape }];
  },
  gradient(op, [g]) {
    const [, ...values] = op.inputs;
    if (g === null) return op.inputs.map(() => null);
    // The adjoint: g in this value's block, zeros in the others.
    const parts = values.map((v, i) => (i === op.attrs.index ? g : m.zerosLike(v)));
    return [m.concat(parts, op.attrs.axis), ...values.map(() => null)];
  },
  lower(ctx, node) {
    const [dy, ...values] = node.inputs;
    const axis = resolveAxis(node.attrs.axis, dy.shape.length, node);
    const x = values[node.attrs.index];
    const strides = stridesOf(dy.shape);
    const start = offsets(values.map((v) => v.shape), axis)[node.attrs.index];
    emitCopy(ctx, dy.buffer, node.outputs[0].buffer, { shape: x.shape, strides, offset: start * strides[axis] });
  },
  reference([dy, ...values], attrs, node) {
    const axis = resolveAxis(attrs.axis, dy.shape.length, node);
    const x = values[attrs.index];
    const strides = stridesOf(dy.shape);
    const start = offsets(values.map((v) => v.shape), axis)[attrs.index];
    const out = refArray(x.shape, dy.dtype);
    forEachIndex(x.shape, (idx, flat) => {
      let o = start * strides[axis];
      idx.forEach((v, k) => (o += v * strides[k]));
      out.data[flat] = dy.data[o];
    });
    return [out];
  },
});
