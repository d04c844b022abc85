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

/**
 * Elementwise x + y, with numpy broadcasting.
 * @example
 * ```ts
 * const a = tf.constant([[1, 2], [3, 4]]);
 * const b = tf.constant([[5, 6], [7, 8]]);
 * const y = tf.add(a, b);
 * ```
 */
export const add = binary('add', m.add);
/**
 * Elementwise x - y, with numpy broadcasting (`tf.sub` is the same).
 * @example
 * ```ts
 * const a = tf.constant([[1, 2], [3, 4]]);
 * const b = tf.constant([[5, 6], [7, 8]]);
 * const y = tf.subtract(a, b);
 * ```
 */
export const subtract = binary('subtract', m.sub);
/**
 * Elementwise x * y, with numpy broadcasting (`tf.mul` is the same).
 * @example
 * ```ts
 * const a = tf.constant([[1, 2], [3, 4]]);
 * const b = tf.constant([[5, 6], [7, 8]]);
 * const y = tf.multiply(a, b);
 * ```
 */
export const multiply = binary('multiply', m.mul);
/**
 * Elementwise x ** y, with numpy broadcasting.
 * @example
 * ```ts
 * const a = tf.constant([[1, 2], [3, 4]]);
 * const y = tf.pow(a, 2);
 * ```
 */
export const pow = binary('pow', m.pow);
/**
 * Elementwise larger of x and y, with broadcasting.
 * @example
 * ```ts
 * const a = tf.constant([[1, 2], [3, 4]]);
 * const y = tf.maximum(a, 0);
 * ```
 */
export const maximum = binary('maximum', m.maximum);
/**
 * Elementwise smaller of x and y, with broadcasting.
 * @example
 * ```ts
 * const a = tf.constant([[1, 2], [3, 4]]);
 * const y = tf.minimum(a, 1);
 * ```
 */
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

/**
 * Elementwise x == y, as bool.
 * @example
 * ```ts
 * const a = tf.constant([[1, 2], [3, 4]]);
 * const b = tf.constant([[5, 6], [7, 8]]);
 * const same = tf.equal(tf.argmax(a, 1), tf.argmax(b, 1)); // [false, false]
 * ```
 */
export const equal = comparison('equal', m.equal);
/**
 * Elementwise x != y, as bool.
 * @example
 * ```ts
 * const a = tf.constant([[1, 2], [3, 4]]);
 * const b = tf.constant([[5, 6], [7, 8]]);
 * const y = tf.not_equal(a, b);
 * ```
 */
export const not_equal = comparison('not_equal', m.notEqual);
/**
 * Elementwise x < y, as bool.
 * @example
 * ```ts
 * const a = tf.constant([[1, 2], [3, 4]]);
 * const b = tf.constant([[5, 6], [7, 8]]);
 * const y = tf.less(a, b);
 * ```
 */
export const less = comparison('less', m.less);
export const less_equal = comparison('less_equal', m.lessEqual);
/**
 * Elementwise x > y, as bool.
 * @example
 * ```ts
 * const a = tf.constant([[1, 2], [3, 4]]);
 * const y = tf.greater(a, 0);
 * ```
 */
export const greater = comparison('greater', m.greater);
export const greater_equal = comparison('greater_equal', m.greaterEqual);
export const logical_and = binary('logical_and', m.logicalAnd);
export const logical_or = binary('logical_or', m.logicalOr);
/**
 * Alias of `tf.subtract`: elementwise x - y.
 * @example
 * ```ts
 * const a = tf.constant([[1, 2], [3, 4]]);
 * const b = tf.constant([[5, 6], [7, 8]]);
 * const y = a.sub(tf.mul(b, 0.5)); // also tf.sub(a, ...)
 * ```
 */
export const sub = guarded('sub', subtract);
/**
 * Alias of `tf.multiply`: elementwise x * y.
 * @example
 * ```ts
 * const a = tf.constant([[1, 2], [3, 4]]);
 * const y = tf.mul(a, 2);
 * ```
 */
export const mul = guarded('mul', multiply);
/**
 * TF-1's `div`: floor division on integers, like Python 2's `/`.
 * @example
 * ```ts
 * const a = tf.constant([[1, 2], [3, 4]]);
 * const y = tf.div(a, 2);
 * ```
 */
export const div = binary('div', m.div);

/** TF-1's `truediv` (and `divide`): integers are divided as floats, so 7 / 2 is 3.5. */
export const truediv = guarded('truediv', function truediv(x: TensorLike, y: TensorLike, name?: Name): Tensor {
  const [a, b] = toTensors([x, y], ['x', 'y']);
  const asFloat = (t: Tensor) => (t.dtype === 'int32' ? m.cast(t, 'float32') : t);
  return m.div(asFloat(a), asFloat(b), nameOf('truediv', name));
});
/**
 * Elementwise x / y as float (TF-1's truediv; `tf.div` is the same for floats).
 * @example
 * ```ts
 * const a = tf.constant([[1, 2], [3, 4]]);
 * const b = tf.constant([[5, 6], [7, 8]]);
 * const y = tf.divide(a, b);
 * ```
 */
export const divide = guarded('divide', truediv);

/**
 * Elementwise -x (`tf.neg` is the same).
 * @example
 * ```ts
 * const a = tf.constant([[1, 2], [3, 4]]);
 * const y = tf.negative(a);
 * ```
 */
export const negative = unary('negative', m.neg);
/**
 * Alias of `tf.negative`: elementwise -x.
 * @example
 * ```ts
 * const a = tf.constant([[1, 2], [3, 4]]);
 * const y = tf.neg(a);
 * ```
 */
export const neg = guarded('neg', negative);
/**
 * Elementwise absolute value.
 * @example
 * ```ts
 * const a = tf.constant([[1, 2], [3, 4]]);
 * const y = tf.abs(a);
 * ```
 */
export const abs = unary('abs', m.abs);
export const sign = unary('sign', m.sign);
/**
 * Elementwise e ** x.
 * @example
 * ```ts
 * const a = tf.constant([[1, 2], [3, 4]]);
 * const y = tf.exp(a);
 * ```
 */
export const exp = unary('exp', m.exp);
/**
 * Elementwise natural logarithm.
 * @example
 * ```ts
 * const a = tf.constant([[1, 2], [3, 4]]);
 * const y = tf.log(a);
 * ```
 */
export const log = unary('log', m.log);
/**
 * Elementwise square root.
 * @example
 * ```ts
 * const a = tf.constant([[1, 2], [3, 4]]);
 * const y = tf.sqrt(a);
 * ```
 */
export const sqrt = unary('sqrt', m.sqrt);
export const rsqrt = unary('rsqrt', m.rsqrt);
/**
 * Elementwise x * x.
 * @example
 * ```ts
 * const a = tf.constant([[1, 2], [3, 4]]);
 * const y = tf.square(a);
 * ```
 */
export const square = unary('square', m.square);
export const reciprocal = unary('reciprocal', m.reciprocal);
/**
 * Elementwise logistic function 1 / (1 + e ** -x) (also `tf.nn.sigmoid`).
 * @example
 * ```ts
 * const y = tf.sigmoid(x);
 * ```
 */
export const sigmoid = unary('sigmoid', m.sigmoid);
/**
 * Elementwise hyperbolic tangent (also `tf.nn.tanh`).
 * @example
 * ```ts
 * const y = tf.tanh(x);
 * ```
 */
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

/**
 * Matrix product of two rank-2 tensors; `transpose_a`/`transpose_b` transpose an input first.
 * @example
 * ```ts
 * const y = tf.matmul(x, W, { transpose_b: false });
 * ```
 */
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

/**
 * Sum over `reduction_indices` (or `axis`), all axes by default; `keep_dims` keeps them as size 1.
 * @example
 * ```ts
 * const y = tf.reduce_sum(x, { reduction_indices: [1], keep_dims: true });
 * ```
 */
export const reduce_sum = reduction('reduce_sum', m.reduceSum);
/**
 * Mean over `reduction_indices` (or `axis`), all axes by default; a bool or int input gives float32.
 * @example
 * ```ts
 * const a = tf.constant([[1, 2], [3, 4]]);
 * const b = tf.constant([[5, 6], [7, 8]]);
 * const y = tf.reduce_mean(tf.cast(tf.equal(a, b), tf.float32));
 * ```
 */
export const reduce_mean = reduction('reduce_mean', m.reduceMean);
/**
 * Maximum over `reduction_indices` (or `axis`), all axes by default.
 * @example
 * ```ts
 * const y = tf.reduce_max(x, 1);
 * ```
 */
export const reduce_max = reduction('reduce_max', m.reduceMax);
/**
 * Minimum over `reduction_indices` (or `axis`), all axes by default.
 * @example
 * ```ts
 * const y = tf.reduce_min(x, { axis: 0 });
 * ```
 */
export const reduce_min = reduction('reduce_min', m.reduceMin);
/**
 * Product over `reduction_indices` (or `axis`), all axes by default.
 * @example
 * ```ts
 * const y = tf.reduce_prod(x, 1);
 * ```
 */
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

/**
 * Index of the largest value along an axis, as int32.
 * @example
 * ```ts
 * const y = tf.argmax(logits, 1);
 * ```
 */
export const argmax = argReduction('argmax', m.argmax);
/**
 * Index of the smallest value along an axis, as int32.
 * @example
 * ```ts
 * const y = tf.argmin(x, 0);
 * ```
 */
export const argmin = argReduction('argmin', m.argmin);

/**
 * Converts a tensor to another dtype (float32, int32 or bool).
 * @example
 * ```ts
 * const a = tf.constant([[1, 2], [3, 4]]);
 * const b = tf.constant([[5, 6], [7, 8]]);
 * const y = tf.cast(tf.equal(a, b), tf.float32);
 * ```
 */
export const cast = guarded('cast', function cast(x: TensorLike, dtype: DType, name?: Name): Tensor {
  if (!isDType(dtype)) throw new InvalidArgumentError(`cast: unknown dtype '${String(dtype)}' (use tf.float32, tf.int32 or tf.bool)`);
  return m.cast(x, dtype, nameOf('cast', name));
});

/**
 * The same values in a new shape; one dimension may be -1 (inferred).
 * @example
 * ```ts
 * const y = tf.reshape(x, [-1, 28, 28, 1]);
 * ```
 */
export const reshape = guarded('reshape', function reshape(x: TensorLike, shape: number[], name?: Name): Tensor {
  if (!Array.isArray(shape)) throw new InvalidArgumentError(`reshape: shape must be an array of dims, got ${String(shape)}`);
  return m.reshape(x, shape, nameOf('reshape', name));
});

export interface TransposeOptions {
  perm?: number[] | null;
  name?: string;
}

/**
 * tf.transpose(x, perm?, name?) or tf.transpose(x, {perm, name}); no perm reverses the axes.
 * @example
 * ```ts
 * const y = tf.transpose(x, [1, 0]);
 * ```
 */
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
