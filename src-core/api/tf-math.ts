/** The TF-1 math surface: TF-1's names and keyword options over the core graph builders. */
import type { DType } from '../graph/dtype';
import { isDType } from '../graph/dtype';
import type { Tensor } from '../graph/tensor';
import { InvalidArgumentError } from '../errors';
import * as m from './math-core';
import { toTensors, type TensorLike } from './convert';
import { checkKeys, describeValue, guarded, isOptionsObject, nameOf, optionsOf, parseReduceArgs, type NameOption, type ReduceOptions } from './options';

type Name = string | NameOption;
type Binary = (x: TensorLike, y: TensorLike, name?: Name) => Tensor;
type Unary = (x: TensorLike, name?: Name) => Tensor;

const binary = (fn: string, f: (a: TensorLike, b: TensorLike, name?: string) => Tensor): Binary =>
  guarded(fn, (x: TensorLike, y: TensorLike, name?: Name) => f(x, y, nameOf(fn, name)));
const unary = (fn: string, f: (a: TensorLike, name?: string) => Tensor): Unary =>
  guarded(fn, (x: TensorLike, name?: Name) => f(x, nameOf(fn, name)));

export const add = binary('add', m.add);
export const subtract = binary('subtract', m.sub);
export const multiply = binary('multiply', m.mul);
export const pow = binary('pow', m.pow);
export const maximum = binary('maximum', m.maximum);
export const minimum = binary('minimum', m.minimum);
/**
 * A comparison where an int32 operand meets a float32 one compares them as float32: tinyflow's argmax
 * is float, so its programs compare `argmax(logits, 1)` with float labels (TF-1 code that casts first
 * is unaffected).
 */
const comparison = (fn: string, f: (a: TensorLike, b: TensorLike, name?: string) => Tensor): Binary =>
  guarded(fn, (x: TensorLike, y: TensorLike, name?: Name) => {
    const [a, b] = toTensors([x, y], ['x', 'y']);
    const mixed = (a.dtype === 'int32' && b.dtype === 'float32') || (a.dtype === 'float32' && b.dtype === 'int32');
    const asFloat = (t: Tensor) => (mixed && t.dtype === 'int32' ? m.cast(t, 'float32') : t);
    return f(asFloat(a), asFloat(b), nameOf(fn, name));
  });

export const equal = comparison('equal', m.equal);
export const not_equal = comparison('not_equal', m.notEqual);
export const less = comparison('less', m.less);
export const less_equal = comparison('less_equal', m.lessEqual);
export const greater = comparison('greater', m.greater);
export const greater_equal = comparison('greater_equal', m.greaterEqual);
export const logical_and = binary('logical_and', m.logicalAnd);
export const logical_or = binary('logical_or', m.logicalOr);
export const sub = guarded('sub', subtract);
export const mul = guarded('mul', multiply);
/** TF-1's `div`: floor division on integers, like Python 2's `/`. */
export const div = binary('div', m.div);

/** TF-1's `truediv` (and `divide`): integers are divided as floats, so 7 / 2 is 3.5. */
export const truediv = guarded('truediv', function truediv(x: TensorLike, y: TensorLike, name?: Name): Tensor {
  const [a, b] = toTensors([x, y], ['x', 'y']);
  const asFloat = (t: Tensor) => (t.dtype === 'int32' ? m.cast(t, 'float32') : t);
  return m.div(asFloat(a), asFloat(b), nameOf('truediv', name));
});
export const divide = guarded('divide', truediv);

export const negative = unary('negative', m.neg);
export const neg = guarded('neg', negative);
export const abs = unary('abs', m.abs);
export const sign = unary('sign', m.sign);
export const exp = unary('exp', m.exp);
export const log = unary('log', m.log);
export const sqrt = unary('sqrt', m.sqrt);
export const rsqrt = unary('rsqrt', m.rsqrt);
export const square = unary('square', m.square);
export const reciprocal = unary('reciprocal', m.reciprocal);
export const sigmoid = unary('sigmoid', m.sigmoid);
export const tanh = unary('tanh', m.tanh);
export const floor = unary('floor', m.floor);
export const ceil = unary('ceil', m.ceil);
export const round = unary('round', m.round);
export const logical_not = unary('logical_not', m.logicalNot);

export interface MatMulOptions {
  transpose_a?: boolean;
  transpose_b?: boolean;
  name?: string;
}

export const matmul = guarded('matmul', function matmul(a: TensorLike, b: TensorLike, options: MatMulOptions = {}): Tensor {
  checkKeys('matmul', options, ['transpose_a', 'transpose_b', 'name']);
  return m.matmul(a, b, options.transpose_a ?? false, options.transpose_b ?? false, options.name);
});

type AxisArg = number | number[] | null | ReduceOptions;
const reduction = (fn: string, f: typeof m.reduceSum) =>
  guarded(fn, (x: TensorLike, axisOrOptions?: AxisArg, options?: ReduceOptions): Tensor => {
    const { axes, keepDims, name } = parseReduceArgs(fn, axisOrOptions, options);
    return f(x, axes, keepDims, name);
  });

export const reduce_sum = reduction('reduce_sum', m.reduceSum);
export const reduce_mean = reduction('reduce_mean', m.reduceMean);
export const reduce_max = reduction('reduce_max', m.reduceMax);
export const reduce_min = reduction('reduce_min', m.reduceMin);
export const reduce_prod = reduction('reduce_prod', m.reduceProd);

export interface ArgReduceOptions {
  axis?: number;
  /** TF-1's older name for axis. */
  dimension?: number;
  name?: string;
}

const argReduction = (fn: string, f: typeof m.argmax) =>
  guarded(fn, (x: TensorLike, axisOrOptions?: number | ArgReduceOptions, options: ArgReduceOptions = {}): Tensor => {
    const opts = typeof axisOrOptions === 'object' ? { ...axisOrOptions, ...options } : options;
    checkKeys(fn, opts, ['axis', 'dimension', 'name']);
    const axis = typeof axisOrOptions === 'number' ? axisOrOptions : (opts.axis ?? opts.dimension ?? 0);
    return f(x, axis, opts.name);
  });

export const argmax = argReduction('argmax', m.argmax);
export const argmin = argReduction('argmin', m.argmin);

export const cast = guarded('cast', function cast(x: TensorLike, dtype: DType, name?: Name): Tensor {
  if (!isDType(dtype)) throw new InvalidArgumentError(`cast: unknown dtype '${String(dtype)}' (use tf.float32, tf.int32 or tf.bool)`);
  return m.cast(x, dtype, nameOf('cast', name));
});

export const reshape = guarded('reshape', function reshape(x: TensorLike, shape: number[], name?: Name): Tensor {
  if (!Array.isArray(shape)) throw new InvalidArgumentError(`reshape: shape must be an array of dims, got ${String(shape)}`);
  return m.reshape(x, shape, nameOf('reshape', name));
});

export interface TransposeOptions {
  perm?: number[] | null;
  name?: string;
}

/** tf.transpose(x, perm?, name?) or tf.transpose(x, {perm, name}); no perm reverses the axes. */
export const transpose = guarded('transpose', function transpose(x: TensorLike, permOrOptions?: number[] | null | TransposeOptions, name?: Name): Tensor {
  let perm: unknown = permOrOptions;
  let opName = nameOf('transpose', name);
  if (isOptionsObject(permOrOptions)) {
    if (name !== undefined) throw new InvalidArgumentError('transpose: give the name inside the options object');
    const o = optionsOf<TransposeOptions>('transpose', permOrOptions, ['perm', 'name']);
    perm = o.perm;
    opName = o.name;
  }
  if (perm !== undefined && perm !== null && (!Array.isArray(perm) || perm.some((p) => !Number.isInteger(p)))) {
    throw new InvalidArgumentError(`transpose: perm must be a list of integers, got ${describeValue(perm)}`);
  }
  return m.transpose(x, (perm as number[] | null | undefined) ?? null, opName);
});
