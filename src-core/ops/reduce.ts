/** Reductions along axes (sum, mean, max, min, prod) and arg-reductions (argmax, argmin). */
import type { ArgReduceOp, ReduceOp } from '../../backends/interface';
import type { DType } from '../graph/dtype';
import { normalizeAxis, numElements, type Dim, type Shape } from '../graph/shape';
import type { Tensor } from '../graph/tensor';
import { defineOp, type NodeInfo, type OpDef, type RefArray } from './op-def';
import { emitArgReduce, emitBinary, emitReduce } from './lowering';
import { forEachIndex, opError, refArray, resolveAxes, storeAs } from './support';
import * as m from '../api/math-core';

const INT32_MIN = -2147483648;
const INT32_MAX = 2147483647;

export interface ReduceAttrs {
  /** Axes to reduce; null reduces all of them. */
  axes: number[] | null;
  keep_dims: boolean;
}

function reducedShape(shape: Shape, attrs: ReduceAttrs, node: NodeInfo): Shape {
  if (shape === null) return attrs.axes === null && !attrs.keep_dims ? [] : null;
  const axes = resolveAxes(node, attrs.axes, shape.length);
  const out: Dim[] = [];
  shape.forEach((d, i) => {
    if (!axes.includes(i)) out.push(d);
    else if (attrs.keep_dims) out.push(1);
  });
  return out;
}

/** Reference reduction: folds `combine` over the reduced axes, starting from `init`. */
function refReduce(x: RefArray, attrs: ReduceAttrs, node: NodeInfo, init: number, combine: ReduceSpec['combine']): RefArray {
  const axes = resolveAxes(node, attrs.axes, x.shape.length);
  const keptShape = x.shape.map((d, i) => (axes.includes(i) ? 1 : d));
  const out = refArray(reducedShape(x.shape, attrs, node) as number[], x.dtype);
  out.data.fill(init);
  const keptStrides = keptShape.map((_, i) => numElements(keptShape.slice(i + 1)));
  forEachIndex(x.shape, (idx, flat) => {
    let o = 0;
    for (let k = 0; k < idx.length; k++) if (!axes.includes(k)) o += idx[k] * keptStrides[k];
    out.data[o] = combine(out.data[o], x.data[flat], x.dtype);
  });
  return out;
}

interface ReduceSpec {
  type: string;
  prim: ReduceOp;
  /** The identity of the reduction for `dtype` (what an empty reduction gives). */
  init: (dtype: DType) => number;
  combine: (acc: number, v: number, dtype: DType) => number;
  grad: (x: Tensor, y: Tensor, dy: Tensor, attrs: ReduceAttrs) => Tensor;
}

/** Gradient of max/min: dy flows to the extreme elements, split evenly between ties (as TF-1). */
function extremeGrad(x: Tensor, y: Tensor, dy: Tensor, attrs: ReduceAttrs): Tensor {
  const mask = m.cast(m.equal(x, m.unreduce(y, x, attrs.axes)), x.dtype);
  const ties = m.unreduce(m.reduceSum(mask, attrs.axes, false), x, attrs.axes);
  return m.div(m.mul(m.unreduce(dy, x, attrs.axes), mask), ties);
}

/**
 * Gradient of prod: the product of the other elements (TF-1), also where elements are 0, without
 * dividing by them. With p the product of the nonzero elements and z their count of zeros: a nonzero
 * x_i gets p / x_i when z = 0 and 0 otherwise; a zero x_i gets p when z = 1 (it is the only zero) and
 * 0 when z > 1.
 */
function prodGrad(x: Tensor, dy: Tensor, attrs: ReduceAttrs): Tensor {
  const isZero = m.cast(m.equal(x, 0), x.dtype);
  const safe = m.add(x, isZero);
  const zeros = m.unreduce(m.reduceSum(isZero, attrs.axes, false), x, attrs.axes);
  const others = m.unreduce(m.reduceProd(safe, attrs.axes, false), x, attrs.axes);
  const whenNonzero = m.mul(m.sub(1, isZero), m.div(m.cast(m.equal(zeros, 0), x.dtype), safe));
  const whenZero = m.mul(isZero, m.cast(m.equal(zeros, 1), x.dtype));
  return m.mul(m.mul(m.unreduce(dy, x, attrs.axes), others), m.add(whenNonzero, whenZero));
}

const SPECS: ReduceSpec[] = [
  { type: 'Sum', prim: 'sum', init: () => 0, combine: (a, v) => a + v, grad: (x, _y, dy, a) => m.unreduce(dy, x, a.axes) },
  {
    type: 'Mean', prim: 'sum', init: () => 0, combine: (a, v) => a + v,
    grad: (x, _y, dy, a) => m.div(m.unreduce(dy, x, a.axes), m.reductionSizeOf(x, a.axes)),
  },
  {
    type: 'Max', prim: 'max', init: (dt) => (dt === 'int32' ? INT32_MIN : -Infinity),
    combine: (a, v) => (v > a || Number.isNaN(v) ? v : a), grad: extremeGrad,
  },
  {
    type: 'Min', prim: 'min', init: (dt) => (dt === 'int32' ? INT32_MAX : Infinity),
    combine: (a, v) => (v < a || Number.isNaN(v) ? v : a), grad: extremeGrad,
  },
  {
    type: 'Prod', prim: 'prod', init: () => 1, combine: (a, v, dt) => (dt === 'int32' ? Math.imul(a, v) : a * v),
    grad: (x, _y, dy, a) => prodGrad(x, dy, a),
  },
];

function defineReduce(spec: ReduceSpec): OpDef<ReduceAttrs> {
  const isMean = spec.type === 'Mean';
  return defineOp<ReduceAttrs>({
    type: spec.type,
    inferOutputs(inputs, attrs, node) {
      const [x] = inputs;
      if (x.dtype === 'bool') throw opError(node, 'cannot reduce a bool tensor; cast it first');
      if (isMean && x.dtype !== 'float32') throw opError(node, `expects float32, got ${x.dtype}`);
      return [{ dtype: x.dtype, shape: reducedShape(x.shape, attrs, node) }];
    },
    gradient(op, [dy]) {
      if (dy === null) return [null];
      const g = spec.grad(op.inputs[0], op.outputs[0], dy, op.attrs);
      return [g];
    },
    lower(ctx, node) {
      const [x] = node.inputs;
      const out = node.outputs[0];
      const axes = resolveAxes(node, node.attrs.axes, x.shape.length);
      if (!isMean) {
        emitReduce(ctx, spec.prim, x, axes, out);
        return;
      }
      const count = numElements(axes.map((a) => x.shape[a]));
      const sum = { ...out, buffer: ctx.temp(out.dtype, out.buffer.size) };
      const scale = { buffer: ctx.constant('float32', 1), shape: [], dtype: 'float32' as DType };
      const { backend } = ctx;
      ctx.init(() => backend.fill(scale.buffer, 1 / count));
      emitReduce(ctx, 'sum', x, axes, sum);
      emitBinary(ctx, 'mul', sum, scale, out);
    },
    reference([x], attrs, node) {
      const out = refReduce(x, attrs, node, spec.init(x.dtype), spec.combine);
      if (isMean) {
        const axes = resolveAxes(node, attrs.axes, x.shape.length);
        const count = numElements(axes.map((a) => x.shape[a]));
        for (let i = 0; i < out.data.length; i++) out.data[i] /= count;
      }
      for (let i = 0; i < out.data.length; i++) out.data[i] = storeAs(out.dtype, out.data[i]);
      return [out];
    },
  });
}

export const REDUCE_DEFS: Record<string, OpDef<ReduceAttrs>> = Object.fromEntries(SPECS.map((s) => [s.type, defineReduce(s)]));

export interface ArgReduceAttrs {
  axis: number;
}

function defineArgReduce(type: string, prim: ArgReduceOp, better: (v: number, best: number) => boolean): OpDef<ArgReduceAttrs> {
  return defineOp<ArgReduceAttrs>({
    type,
    inferOutputs(inputs, attrs, node) {
      const [x] = inputs;
      if (x.dtype === 'bool') throw opError(node, 'expects a numeric tensor, got bool');
      if (x.shape === null) return [{ dtype: 'int32', shape: null }];
      const axis = normalizeAxis(attrs.axis, x.shape.length);
      if (axis < 0) throw opError(node, `axis ${attrs.axis} is out of range for a tensor of rank ${x.shape.length}`);
      return [{ dtype: 'int32', shape: x.shape.filter((_, i) => i !== axis) }];
    },
    gradient: () => [null],
    lower(ctx, node) {
      const [x] = node.inputs;
      const axis = normalizeAxis(node.attrs.axis, x.shape.length);
      if (x.shape[axis] === 0) throw opError(node, `cannot take ${prim} over an empty axis ${axis}`);
      emitArgReduce(ctx, prim, x, axis, node.outputs[0]);
    },
    reference([x], attrs) {
      const axis = normalizeAxis(attrs.axis, x.shape.length);
      const outShape = x.shape.filter((_, i) => i !== axis);
      const out = refArray(outShape, 'int32');
      const best = new Float64Array(out.data.length);
      const seen = new Uint8Array(out.data.length);
      const inner = numElements(x.shape.slice(axis + 1));
      const n = x.shape[axis];
      forEachIndex(x.shape, (idx, flat) => {
        const o = Math.floor(flat / (inner * n)) * inner + (flat % inner);
        const v = x.data[flat];
        if (!seen[o] || (!Number.isNaN(best[o]) && better(v, best[o]))) {
          seen[o] = 1;
          best[o] = v;
          out.data[o] = idx[axis];
        }
      });
      return [out];
    },
  });
}

const NaNFirst = (cmpFn: (v: number, b: number) => boolean) => (v: number, b: number) => Number.isNaN(v) || cmpFn(v, b);

export const ArgMax = defineArgReduce('ArgMax', 'argmax', NaNFirst((v, b) => v > b));
export const ArgMin = defineArgReduce('ArgMin', 'argmin', NaNFirst((v, b) => v < b));
