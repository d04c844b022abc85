/** TF-1 tensor creation: constant, zeros, ones, fill, *_like, identity, stop_gradient. */
import type { DType } from '../graph/dtype';
import { isDType } from '../graph/dtype';
import type { Tensor } from '../graph/tensor';
import { InvalidArgumentError } from '../errors';
import { NDArray, type NestedArray } from '../ndarray';
import { numElements } from '../graph/shape';
import * as m from './math-core';
import { constantTensor, type TensorLike } from './convert';
import { checkKeys, nameOf, type NameOption } from './options';

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

export const zeros = (shape: number[], dtype: DType = 'float32', name?: Name): Tensor =>
  m.fill(checkShape('zeros', shape), 0, checkDType('zeros', dtype), nameOf('zeros', name) ?? 'zeros');
export const ones = (shape: number[], dtype: DType = 'float32', name?: Name): Tensor =>
  m.fill(checkShape('ones', shape), 1, checkDType('ones', dtype), nameOf('ones', name) ?? 'ones');
export const fill = (dims: number[], value: number, name?: Name): Tensor =>
  m.fill(checkShape('fill', dims), value, Number.isInteger(value) ? 'int32' : 'float32', nameOf('fill', name));

export interface ConstantOptions {
  dtype?: DType;
  shape?: number[];
  name?: string;
}

/** tf.constant(value, {dtype, shape, name}); a scalar value with a shape fills it, as in TF-1. */
export function constant(value: NDArray | NestedArray, dtypeOrOptions?: DType | ConstantOptions, options: ConstantOptions = {}): Tensor {
  const opts = typeof dtypeOrOptions === 'string' ? { ...options, dtype: dtypeOrOptions } : { ...dtypeOrOptions, ...options };
  checkKeys('constant', opts, ['dtype', 'shape', 'name']);
  let array = value instanceof NDArray ? value : NDArray.from(value, opts.dtype);
  if (opts.shape !== undefined) {
    const shape = checkShape('constant', opts.shape);
    if (array.size === 1) {
      array = new NDArray(new Float32Array(numElements(shape)).fill(array.data[0]), shape, 'float32');
    } else if (array.size !== numElements(shape)) {
      throw new InvalidArgumentError(`constant: ${array.size} values cannot have shape [${shape.join(',')}]`);
    } else {
      array = array.reshape(shape);
    }
  }
  return constantTensor(array, opts.dtype ?? (value instanceof NDArray ? value.dtype : array.dtype), opts.name ?? 'Const');
}

export const zeros_like = (x: TensorLike, name?: Name): Tensor => m.zerosLike(x, nameOf('zeros_like', name));
export const ones_like = (x: TensorLike, name?: Name): Tensor => m.onesLike(x, nameOf('ones_like', name));
export const identity = (x: TensorLike, name?: Name): Tensor => m.identity(x, nameOf('identity', name));
export const stop_gradient = (x: TensorLike, name?: Name): Tensor => m.stopGradient(x, nameOf('stop_gradient', name));
