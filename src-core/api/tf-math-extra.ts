/** TF-1's clip_by_value, reduce_logsumexp, assign_add and assign_sub, composed from core ops. */
import type { Tensor } from '../graph/tensor';
import { Tensor as TensorClass } from '../graph/tensor';
import { InvalidArgumentError } from '../errors';
import { shapesCompatible } from '../graph/shape';
import * as m from './math-core';
import { toTensor, toTensors, type TensorLike } from './convert';
import { parseReduceArgs, type ReduceOptions } from './options';
import { assign } from './variables';
import { mergeOptions, namedOp, tensorDesc } from './extra-options';

/**
 * tf.clip_by_value(t, clip_value_min, clip_value_max): maximum(minimum(t, max), min), as TF-1 builds
 * it, so the gradient reaches t where min <= t <= max (and the bounds where they clip). The bounds
 * may broadcast against t but not grow it.
 */
function clip_by_valueImpl(t: TensorLike, clipValueMin: TensorLike, clipValueMax: TensorLike, name?: string | { name?: string }): Tensor {
  const opts = mergeOptions<{ name?: string }>('clip_by_value', 'name', name, undefined, ['name']);
  const [x, lo, hi] = toTensors([t, clipValueMin, clipValueMax], ['t', 'clip_value_min', 'clip_value_max']);
  return x.graph.nameScope(opts.name ?? 'clip_by_value', () => {
    const y = m.maximum(m.minimum(x, hi), lo);
    if (!shapesCompatible(y.shape, x.shape) || (y.shape !== null && x.shape !== null && y.shape.length !== x.shape.length)) {
      throw new InvalidArgumentError(`clip_by_value: the bounds would broadcast ${tensorDesc(x)} to ${tensorDesc(y)}; clip values must not grow t`);
    }
    return y;
  });
}

type AxisArg = number | number[] | null | ReduceOptions;

/** Largest finite float32: the stand-in for an infinite row maximum (TF-1 uses 0 there). */
const FLOAT32_MAX = 3.4028234663852886e38;

/**
 * tf.reduce_logsumexp(x, axis, {keepdims}): log(sum(exp(x - m))) + m with m the (gradient-stopped)
 * row maximum, so exp never overflows; m is clamped to finite values so an all -inf row gives -inf
 * and a row holding +inf gives +inf instead of NaN (inf - inf). The gradient is softmax(x).
 */
function reduce_logsumexpImpl(x: TensorLike, axisOrOptions?: AxisArg, options?: ReduceOptions): Tensor {
  const { axes, keepDims, name } = parseReduceArgs('reduce_logsumexp', axisOrOptions, options);
  const t = toTensor(x);
  if (t.dtype !== 'float32') throw new InvalidArgumentError(`reduce_logsumexp: expects float32, got ${tensorDesc(t)}`);
  return t.graph.nameScope(name ?? 'ReduceLogSumExp', () => {
    const rowMax = m.stopGradient(m.minimum(m.maximum(m.reduceMax(t, axes, true), -FLOAT32_MAX), FLOAT32_MAX));
    const kept = m.add(m.log(m.reduceSum(m.exp(m.sub(t, rowMax)), axes, true)), rowMax);
    // Summing over the kept size-1 axes drops them exactly (keep_dims false).
    return keepDims ? kept : m.reduceSum(kept, axes, false);
  });
}

interface AssignOpOptions {
  use_locking?: boolean;
  name?: string;
}

const assignUpdate = (fn: string, op: (a: Tensor, b: Tensor) => Tensor) =>
  namedOp(fn, (ref: Tensor, value: TensorLike, lockingOrOptions?: boolean | AssignOpOptions, options?: AssignOpOptions): Tensor => {
    const opts = mergeOptions<AssignOpOptions>(fn, 'use_locking', lockingOrOptions, options, ['use_locking', 'name']);
    if (!(ref instanceof TensorClass) || ref.op.type !== 'VariableV2') {
      throw new InvalidArgumentError(`${fn}: the first argument must be a Variable, got ${String(ref)}`);
    }
    return ref.graph.nameScope(opts.name ?? (fn === 'assign_add' ? 'AssignAdd' : 'AssignSub'), () =>
      assign(ref, op(ref, toTensor(value, ref.dtype, ref.graph, 'value'))));
  });

/** tf.assign_add(ref, value): ref += value; the result is the new value. */
export const assign_add = assignUpdate('assign_add', (a, b) => m.add(a, b));
/** tf.assign_sub(ref, value): ref -= value; the result is the new value. */
export const assign_sub = assignUpdate('assign_sub', (a, b) => m.sub(a, b));

// Public entry points: every failure is a tf.errors.* naming the op (see namedOp).
export const clip_by_value = namedOp('clip_by_value', clip_by_valueImpl);
export const reduce_logsumexp = namedOp('reduce_logsumexp', reduce_logsumexpImpl);
