/** TF-1 tensor creation: constant, zeros, ones, fill, *_like, identity, stop_gradient. */
import type { DType } from '../graph/dtype';
import { isDType, typedArrayFor } from '../graph/dtype';
import type { Tensor } from '../graph/tensor';
import { InvalidArgumentError } from '../errors';
import { NDArray, type NestedArray } from '../ndarray';
import { numElements } from '../graph/shape';
import * as m from './math-core';
import { constantTensor, type TensorLike } from './convert';
import { guarded, checkKeys, describeValue, isOptionsObject, nameOf, optionsOf, type NameOption } from './options';

type Name = string | NameOption;

function checkShape(fn: string, shape: readonly number[]): number[] {
  if (!Array.isArray(shape) || shape.some((d) => !Number.isInteger(d) || d < 0)) {
    throw new InvalidArgumentError(`${fn}: shape must be a list of non-negative integers, got ${JSON.stringify(shape)}`);
  }
  return [...shape];
}

function checkDType(fn: string, dtype: DType): DType {
  if (!isDType(dtype)) throw new InvalidArgumentError(`${fn}: unknown dtype '${String(dtype)}'`);
  return dtype;
}

export interface CreatorOptions {
  dtype?: DType;
  name?: string;
}

/** A creator's `(dtype?, name?)` or `({dtype, name})` tail; float32 unless a dtype is given. */
function creatorTail(fn: string, dtypeOrOptions: DType | CreatorOptions | undefined, name: Name | undefined): { dtype: DType; name?: string } {
  if (isOptionsObject(dtypeOrOptions)) {
    if (name !== undefined) throw new InvalidArgumentError(`${fn}: give the name inside the options object`);
    const o = optionsOf<CreatorOptions>(fn, dtypeOrOptions, ['dtype', 'name']);
    return { dtype: checkDType(fn, o.dtype ?? 'float32'), name: o.name };
  }
  return { dtype: checkDType(fn, (dtypeOrOptions as DType | undefined) ?? 'float32'), name: nameOf(fn, name) };
}

/**
 * tf.zeros(shape, dtype?, name?) or tf.zeros(shape, {dtype, name}).
 * @example
 * ```ts
 * const y = tf.zeros([784, 10]);
 * ```
 */
export const zeros = guarded('zeros', function zeros(shape: number[], dtypeOrOptions?: DType | CreatorOptions, name?: Name): Tensor {
  const o = creatorTail('zeros', dtypeOrOptions, name);
  return m.fill(checkShape('zeros', shape), 0, o.dtype, o.name ?? 'zeros');
});

/**
 * tf.ones(shape, dtype?, name?) or tf.ones(shape, {dtype, name}).
 * @example
 * ```ts
 * const y = tf.ones([10]);
 * ```
 */
export const ones = guarded('ones', function ones(shape: number[], dtypeOrOptions?: DType | CreatorOptions, name?: Name): Tensor {
  const o = creatorTail('ones', dtypeOrOptions, name);
  return m.fill(checkShape('ones', shape), 1, o.dtype, o.name ?? 'ones');
});

/**
 * tf.fill(dims, value, {dtype, name}): float32 unless `dtype` says otherwise (a JS number cannot say
 * whether it was written 1 or 1.0); a boolean value makes a bool tensor.
 * @example
 * ```ts
 * const y = tf.fill([2, 3], 0.5);
 * ```
 */
export const fill = guarded('fill', function fill(dims: number[], value: number | boolean, nameOrOptions?: string | CreatorOptions): Tensor {
  const o = typeof nameOrOptions === 'string' ? { name: nameOrOptions } : optionsOf<CreatorOptions>('fill', nameOrOptions, ['dtype', 'name']);
  if (typeof value !== 'number' && typeof value !== 'boolean') throw new InvalidArgumentError(`fill: value must be a number or a boolean, got ${describeValue(value)}`);
  const dtype = checkDType('fill', o.dtype ?? (typeof value === 'boolean' ? 'bool' : 'float32'));
  const v = Number(value);
  if (dtype === 'int32' && !Number.isInteger(v)) throw new InvalidArgumentError(`fill: ${v} is not an int32 value`);
  return m.fill(checkShape('fill', dims), v, dtype, o.name);
});

export interface ConstantOptions {
  dtype?: DType;
  shape?: number[];
  name?: string;
}

/**
 * tf.constant(value, {dtype, shape, name}); a scalar value with a shape fills it, as in TF-1.
 * @example
 * ```ts
 * const y = tf.constant([[1, 2], [3, 4]], tf.int32);
 * ```
 */
export const constant = guarded('constant', function constant(value: NDArray | NestedArray, dtypeOrOptions?: DType | ConstantOptions, options: ConstantOptions = {}): Tensor {
  const opts = typeof dtypeOrOptions === 'string' ? { ...options, dtype: dtypeOrOptions } : { ...dtypeOrOptions, ...options };
  checkKeys('constant', opts, ['dtype', 'shape', 'name']);
  let array = value instanceof NDArray ? value : NDArray.from(value, opts.dtype);
  if (opts.shape !== undefined) {
    const shape = checkShape('constant', opts.shape);
    if (array.size === 1) {
      const filled = typedArrayFor(array.dtype, numElements(shape));
      filled.fill(array.data[0]);
      array = new NDArray(filled, shape, array.dtype);
    } else if (array.size !== numElements(shape)) {
      throw new InvalidArgumentError(`constant: ${array.size} values cannot have shape [${shape.join(',')}]`);
    } else {
      array = array.reshape(shape);
    }
  }
  return constantTensor(array, opts.dtype ?? (value instanceof NDArray ? value.dtype : array.dtype), opts.name ?? 'Const');
});

/**
 * Zeros with the shape and dtype of another tensor.
 * @example
 * ```ts
 * const a = tf.constant([[1, 2], [3, 4]]);
 * const y = tf.zeros_like(a);
 * ```
 */
export const zeros_like = guarded('zeros_like', (x: TensorLike, name?: Name): Tensor => m.zerosLike(x, nameOf('zeros_like', name)));
/**
 * Ones with the shape and dtype of another tensor.
 * @example
 * ```ts
 * const a = tf.constant([[1, 2], [3, 4]]);
 * const y = tf.ones_like(a);
 * ```
 */
export const ones_like = guarded('ones_like', (x: TensorLike, name?: Name): Tensor => m.onesLike(x, nameOf('ones_like', name)));
export const identity = guarded('identity', (x: TensorLike, name?: Name): Tensor => m.identity(x, nameOf('identity', name)));
export const stop_gradient = guarded('stop_gradient', (x: TensorLike, name?: Name): Tensor => m.stopGradient(x, nameOf('stop_gradient', name)));

// ---- joining, slicing and reshaping ----

export interface ConcatOptions {
  axis?: number;
  name?: string;
}

/**
 * tf.concat(values, axis, name), tf.concat(values, {axis, name}) (TF >= 1.0); the pre-1.0 order
 * concat(concat_dim, values) is accepted too, since a number first cannot be a list of values.
 * @example
 * ```ts
 * const a = tf.constant([[1, 2], [3, 4]]);
 * const b = tf.constant([[5, 6], [7, 8]]);
 * const y = tf.concat([a, b], 1);
 * ```
 */
export const concat = guarded('concat', function concat(values: TensorLike[] | number, axisOrOptions?: number | TensorLike[] | ConcatOptions, name?: Name): Tensor {
  let list: unknown = values;
  let ax: unknown = axisOrOptions;
  let opName = nameOf('concat', name);
  if (typeof values === 'number') {
    if (!Array.isArray(axisOrOptions)) {
      throw new InvalidArgumentError(`concat: got the axis ${values} first but no list of values after it; write concat(values, axis)`);
    }
    [list, ax] = [axisOrOptions, values];
  } else if (isOptionsObject(axisOrOptions)) {
    if (name !== undefined) throw new InvalidArgumentError('concat: give the name inside the options object');
    const opts = optionsOf<ConcatOptions>('concat', axisOrOptions, ['axis', 'name']);
    ax = opts.axis;
    opName = opts.name;
  }
  if (!Array.isArray(list) || list.length === 0) throw new InvalidArgumentError(`concat: values must be a non-empty list of tensors, got ${describeValue(list)}`);
  if (typeof ax !== 'number' || !Number.isInteger(ax)) throw new InvalidArgumentError(`concat: axis must be an integer, got ${describeValue(ax)}`);
  return m.concat(list as TensorLike[], ax, opName ?? 'concat');
});

/** tf.slice(input, begin, size): size -1 takes the rest of the dim. */
export const slice = guarded('slice', function slice(input: TensorLike, begin: number[], size: number[], name?: Name): Tensor {
  if (!Array.isArray(begin) || !Array.isArray(size)) throw new InvalidArgumentError('slice: begin and size must be lists of integers');
  return m.slice(input, begin, size, nameOf('slice', name) ?? 'Slice');
});

export interface ExpandDimsOptions {
  axis?: number;
  /** TF-1's older name for axis. */
  dim?: number;
  name?: string;
}

/**
 * tf.expand_dims(input, axis): a size-1 axis inserted at `axis` (negative counts from the end).
 * @example
 * ```ts
 * const a = tf.constant([[1, 2], [3, 4]]);
 * const y = tf.expand_dims(a, 0);
 * ```
 */
export const expand_dims = guarded('expand_dims', function expand_dims(input: TensorLike, axisOrOptions?: number | ExpandDimsOptions, name?: string): Tensor {
  const opts = typeof axisOrOptions === 'number' ? { axis: axisOrOptions, name } : { ...axisOrOptions, ...(name === undefined ? {} : { name }) };
  checkKeys('expand_dims', opts, ['axis', 'dim', 'name']);
  const axis = opts.axis ?? opts.dim;
  if (axis === undefined || !Number.isInteger(axis)) throw new InvalidArgumentError(`expand_dims: axis must be an integer, got ${String(axis)}`);
  return m.expandDims(input, axis, opts.name ?? 'ExpandDims');
});

export interface SqueezeOptions {
  axis?: number | number[];
  /** TF-1's older name for axis. */
  squeeze_dims?: number | number[];
  name?: string;
}

/**
 * tf.squeeze(input, axis?): removes the given size-1 axes, or every size-1 axis.
 * @example
 * ```ts
 * const a = tf.constant([[1, 2], [3, 4]]);
 * const y = tf.squeeze(tf.expand_dims(a, 0));
 * ```
 */
export const squeeze = guarded('squeeze', function squeeze(input: TensorLike, axisOrOptions?: number | number[] | SqueezeOptions, name?: string): Tensor {
  const positional = typeof axisOrOptions === 'number' || Array.isArray(axisOrOptions);
  const opts: SqueezeOptions = positional ? { axis: axisOrOptions, name } : { ...axisOrOptions, ...(name === undefined ? {} : { name }) };
  checkKeys('squeeze', opts, ['axis', 'squeeze_dims', 'name']);
  if (opts.axis !== undefined && opts.squeeze_dims !== undefined) throw new InvalidArgumentError('squeeze: give only one of axis and squeeze_dims');
  const chosen = opts.axis ?? opts.squeeze_dims;
  const axes = chosen === undefined ? null : Array.isArray(chosen) ? [...chosen] : [chosen];
  // TF-1: an empty list means "all size-1 axes", like None.
  return m.squeeze(input, axes !== null && axes.length === 0 ? null : axes, opts.name ?? 'Squeeze');
});

export interface OneHotOptions {
  on_value?: number | boolean;
  off_value?: number | boolean;
  axis?: number;
  dtype?: DType;
  name?: string;
}

/**
 * tf.one_hot(indices, depth, {on_value=1, off_value=0, axis=-1, dtype=float32, name}).
 * @example
 * ```ts
 * const y = tf.one_hot(tf.constant([0, 2], tf.int32), 3);
 * ```
 */
export const one_hot = guarded('one_hot', function one_hot(indices: TensorLike, depth: number, options: OneHotOptions = {}): Tensor {
  checkKeys('one_hot', options, ['on_value', 'off_value', 'axis', 'dtype', 'name']);
  const on = Number(options.on_value ?? 1);
  const off = Number(options.off_value ?? 0);
  const dtype = options.dtype ?? (typeof options.on_value === 'boolean' ? 'bool' : 'float32');
  return m.oneHot(indices, depth, { on_value: on, off_value: off, axis: options.axis ?? -1, dtype: checkDType('one_hot', dtype) }, options.name ?? 'one_hot');
});
