/**
 * TF-1's initializers: `tf.zeros_initializer()`, `tf.ones_initializer()`, `tf.constant_initializer(v)`,
 * `tf.random_normal_initializer({mean, stddev, seed})`, `tf.truncated_normal_initializer(...)`,
 * `tf.random_uniform_initializer({minval, maxval, seed})` and `tf.glorot_uniform_initializer({seed})`.
 * Each returns an Initializer: called with a shape (and dtype), it builds the tensor of initial values
 * in the default graph. get_variable and tf.layers call them inside the variable's `Initializer` scope.
 */
import { isDType, typedArrayFor, type DType } from '../graph/dtype';
import type { Tensor } from '../graph/tensor';
import { NDArray, type NestedArray } from '../ndarray';
import { InvalidArgumentError } from '../errors';
import { constantTensor } from './convert';
import * as m from './math-core';
import { describeValue, guarded, optionsOf } from './options';
import { randomTensor } from './random';

/** Builds the initial value of a variable of `shape`. */
export interface Initializer {
  (shape: number[], dtype?: DType): Tensor;
  /** A short description for error messages (`glorot_uniform_initializer`). */
  readonly initializerName: string;
}

type InitializerFactory<A extends unknown[]> = {
  (...args: A): Initializer;
  new (...args: A): Initializer;
};

export function isInitializer(v: unknown): v is Initializer {
  return typeof v === 'function' && typeof (v as Partial<Initializer>).initializerName === 'string';
}

function checkShape(fn: string, shape: unknown): number[] {
  if (!Array.isArray(shape) || shape.some((d) => !Number.isInteger(d) || (d as number) < 0)) {
    throw new InvalidArgumentError(`${fn}: shape must be a list of non-negative integers, got ${describeValue(shape)}`);
  }
  return [...(shape as number[])];
}

function checkDType(fn: string, dtype: unknown, floatOnly: boolean): DType {
  const dt = dtype ?? 'float32';
  if (!isDType(dt)) throw new InvalidArgumentError(`${fn}: unknown dtype ${describeValue(dt)}`);
  if (floatOnly && dt !== 'float32') throw new InvalidArgumentError(`${fn}: only float32 is supported, got ${dt}`);
  return dt;
}

function checkNumber(fn: string, what: string, v: unknown, positive = false): number {
  if (typeof v !== 'number' || !Number.isFinite(v) || (positive && !(v > 0))) {
    throw new InvalidArgumentError(`${fn}: ${what} must be a ${positive ? 'positive' : 'finite'} number, got ${describeValue(v)}`);
  }
  return v;
}

function checkSeed(fn: string, seed: unknown): number | undefined {
  if (seed === undefined || seed === null) return undefined;
  if (!Number.isSafeInteger(seed)) throw new InvalidArgumentError(`${fn}: seed must be an integer, got ${describeValue(seed)}`);
  return seed as number;
}

/** An Initializer named `fn` whose `build` sees a checked shape and dtype (the factory's dtype by default). */
function makeInitializer(fn: string, defaultDType: unknown, floatOnly: boolean, build: (shape: number[], dtype: DType) => Tensor): Initializer {
  const factoryDType = checkDType(fn, defaultDType, floatOnly);
  const init = guarded(fn, (shape: number[], dtype?: DType): Tensor =>
    build(checkShape(fn, shape), checkDType(fn, dtype ?? factoryDType, floatOnly)));
  return Object.assign(init, { initializerName: fn });
}

function factory<A extends unknown[]>(fn: string, make: (...args: A) => Initializer): InitializerFactory<A> {
  // A function that returns an object hands that object to `new` as well.
  return guarded(fn, make) as unknown as InitializerFactory<A>;
}

interface DTypeOptions {
  dtype?: DType;
}

export const zeros_initializer = factory('zeros_initializer', (options?: DTypeOptions) => {
  const opts = optionsOf<DTypeOptions>('zeros_initializer', options, ['dtype']);
  return makeInitializer('zeros_initializer', opts.dtype, false, (shape, dtype) => m.fill(shape, 0, dtype));
});

export const ones_initializer = factory('ones_initializer', (options?: DTypeOptions) => {
  const opts = optionsOf<DTypeOptions>('ones_initializer', options, ['dtype']);
  return makeInitializer('ones_initializer', opts.dtype, false, (shape, dtype) => m.fill(shape, 1, dtype));
});

interface ConstantInitOptions extends DTypeOptions {
  value?: number | NestedArray;
  verify_shape?: boolean;
}

/**
 * tf.constant_initializer(value = 0, {dtype, verify_shape}): a number fills the shape; a list gives the
 * values in row-major order and, as TF-1, when shorter its last value fills the rest (an exact match
 * is required with verify_shape: true). More values than the shape holds is an error.
 */
export const constant_initializer = factory('constant_initializer', (valueOrOptions?: number | NestedArray | ConstantInitOptions, options?: ConstantInitOptions) => {
  const fn = 'constant_initializer';
  const fromObject = typeof valueOrOptions === 'object' && valueOrOptions !== null && !Array.isArray(valueOrOptions);
  const opts = optionsOf<ConstantInitOptions>(fn, fromObject ? valueOrOptions : options, ['value', 'dtype', 'verify_shape']);
  const value = fromObject ? opts.value : valueOrOptions;
  const flat = value === undefined ? [0] : flatten(fn, value as NestedArray);
  const verify = opts.verify_shape ?? false;
  return makeInitializer(fn, opts.dtype, false, (shape, dtype) => {
    const size = shape.reduce((a, b) => a * b, 1);
    const scalar = value === undefined || !Array.isArray(value);
    if (!scalar && (flat.length > size || (verify && flat.length !== size))) {
      throw new InvalidArgumentError(`${fn}: ${flat.length} values do not fit a variable of shape [${shape.join(', ')}] (${size} elements)`);
    }
    if (scalar) return m.fill(shape, flat[0], dtype);
    if (dtype === 'int32' && flat.some((v) => !Number.isInteger(v))) throw new InvalidArgumentError(`${fn}: int32 values must be integers`);
    const data = typedArrayFor(dtype, size);
    for (let i = 0; i < size; i++) data[i] = flat.length === 0 ? 0 : flat[Math.min(i, flat.length - 1)];
    return constantTensor(new NDArray(data, shape, dtype), dtype);
  });
});

function flatten(fn: string, v: NestedArray): number[] {
  if (Array.isArray(v)) return v.flatMap((x) => flatten(fn, x));
  if (typeof v === 'boolean') return [Number(v)];
  return [checkNumber(fn, 'value', v)];
}

interface NormalInitOptions extends DTypeOptions {
  mean?: number;
  stddev?: number;
  seed?: number;
}

function normalInitializer(fn: string, kind: 'normal' | 'truncated') {
  return factory(fn, (meanOrOptions?: number | NormalInitOptions, stddev?: number, seed?: number) => {
    const opts = typeof meanOrOptions === 'object' && meanOrOptions !== null
      ? optionsOf<NormalInitOptions>(fn, meanOrOptions, ['mean', 'stddev', 'seed', 'dtype'])
      : { mean: meanOrOptions, stddev, seed };
    const mean = checkNumber(fn, 'mean', opts.mean ?? 0);
    const sd = checkNumber(fn, 'stddev', opts.stddev ?? 1, true);
    const opSeed = checkSeed(fn, opts.seed);
    return makeInitializer(fn, opts.dtype, true, (shape) => m.add(m.mul(randomTensor(kind, shape, opSeed), sd), mean));
  });
}

/** tf.random_normal_initializer(mean = 0, stddev = 1, seed) or ({mean, stddev, seed, dtype}). */
export const random_normal_initializer = normalInitializer('random_normal_initializer', 'normal');
/** tf.truncated_normal_initializer(mean = 0, stddev = 1, seed): normal values redrawn beyond 2 stddev. */
export const truncated_normal_initializer = normalInitializer('truncated_normal_initializer', 'truncated');

interface UniformInitOptions extends DTypeOptions {
  minval?: number;
  maxval?: number;
  seed?: number;
}

/** uniform in [lo, hi) of `shape`, drawn with `seed`. */
function uniform(shape: number[], lo: number, hi: number, seed: number | undefined): Tensor {
  return m.add(m.mul(randomTensor('uniform', shape, seed), hi - lo), lo);
}

/** tf.random_uniform_initializer(minval = 0, maxval = 1, seed) or ({minval, maxval, seed, dtype}). */
export const random_uniform_initializer = factory('random_uniform_initializer', (minOrOptions?: number | UniformInitOptions, maxval?: number, seed?: number) => {
  const fn = 'random_uniform_initializer';
  const opts = typeof minOrOptions === 'object' && minOrOptions !== null
    ? optionsOf<UniformInitOptions>(fn, minOrOptions, ['minval', 'maxval', 'seed', 'dtype'])
    : { minval: minOrOptions, maxval, seed };
  const lo = checkNumber(fn, 'minval', opts.minval ?? 0);
  const hi = checkNumber(fn, 'maxval', opts.maxval ?? 1);
  if (!(hi > lo)) throw new InvalidArgumentError(`${fn}: maxval (${hi}) must be greater than minval (${lo})`);
  const opSeed = checkSeed(fn, opts.seed);
  return makeInitializer(fn, opts.dtype, true, (shape) => uniform(shape, lo, hi, opSeed));
});

/**
 * TF-1's fans: a matrix [in, out]; a conv kernel [..., in, out] counts its window (receptive field)
 * in both; a vector uses its length for both and a scalar 1.
 */
export function fans(shape: readonly number[]): { fanIn: number; fanOut: number } {
  if (shape.length === 0) return { fanIn: 1, fanOut: 1 };
  if (shape.length === 1) return { fanIn: shape[0], fanOut: shape[0] };
  const receptive = shape.slice(0, -2).reduce((a, b) => a * b, 1);
  return { fanIn: shape[shape.length - 2] * receptive, fanOut: shape[shape.length - 1] * receptive };
}

interface GlorotOptions extends DTypeOptions {
  seed?: number;
}

/**
 * tf.glorot_uniform_initializer(seed) or ({seed, dtype}): uniform in ±sqrt(6 / (fan_in + fan_out)),
 * get_variable's default initializer for float variables.
 */
export const glorot_uniform_initializer = factory('glorot_uniform_initializer', (seedOrOptions?: number | GlorotOptions) => {
  const fn = 'glorot_uniform_initializer';
  const opts = typeof seedOrOptions === 'object' && seedOrOptions !== null ? optionsOf<GlorotOptions>(fn, seedOrOptions, ['seed', 'dtype']) : { seed: seedOrOptions };
  const opSeed = checkSeed(fn, opts.seed);
  return makeInitializer(fn, opts.dtype, true, (shape) => {
    const { fanIn, fanOut } = fans(shape);
    const limit = Math.sqrt(6 / Math.max(1, fanIn + fanOut));
    return uniform(shape, -limit, limit, opSeed);
  });
});
