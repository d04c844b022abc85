/**
 * tf.layers (TF-1's functional layers): dense, conv2d, max_pooling2d, average_pooling2d, dropout,
 * flatten and batch_normalization. Each layer with variables opens a variable scope (its `name`, else a
 * unique `dense`, `dense_1`, ...) and makes them with get_variable (`dense/kernel`, `dense/bias`), so
 * `reuse` shares them as in TF-1. A `training` flag may be a bool or a bool Tensor (a placeholder fed
 * per run); batch_normalization's moving-average updates go to tf.GraphKeys.UPDATE_OPS, for the caller
 * to run with the train op.
 */
import { getDefaultGraph } from '../graph/graph';
import { formatShape } from '../graph/shape';
import { Tensor } from '../graph/tensor';
import { InvalidArgumentError } from '../errors';
import { GraphKeys } from './collections';
import { toTensor, type TensorLike } from './convert';
import { ones_initializer, zeros_initializer, type Initializer } from './initializers';
import * as m from './math-core';
import { describeValue, guarded, isOptionsObject, checkKeys } from './options';
import { dropout as nnDropout } from './tf-nn';
import { moments, batch_normalization as nnBatchNorm } from './tf-nn-activations';
import { where } from './tf-array-extra';
import { get_variable, variable_scope, type Reuse } from './variable-scope';
import type { DataFormat, Padding } from '../ops/window';

export type Activation = (x: Tensor) => Tensor;
/** A bool, or a bool scalar Tensor chosen per run (TF-1's `training` argument). */
export type TrainingFlag = boolean | Tensor;

interface LayerOptions {
  name?: string;
  reuse?: Reuse | null;
  trainable?: boolean;
}

const LAYER_KEYS = ['name', 'reuse', 'trainable'] as const;

function options<T extends object>(fn: string, value: unknown, allowed: readonly string[]): Partial<T> {
  if (value === undefined || value === null) return {};
  if (!isOptionsObject(value)) throw new InvalidArgumentError(`${fn}: expected an options object {${allowed.join(', ')}}, got ${describeValue(value)}`);
  checkKeys(fn, value, allowed);
  return value as Partial<T>;
}

function floatInput(fn: string, inputs: TensorLike, minRank: number): Tensor {
  const x = toTensor(inputs, 'float32', undefined, 'inputs');
  if (x.dtype !== 'float32') throw new InvalidArgumentError(`${fn}: inputs must be float32, got '${x.name}' of dtype ${x.dtype}`);
  if (x.shape === null || x.shape.length < minRank) {
    throw new InvalidArgumentError(`${fn}: inputs '${x.name}' must have rank >= ${minRank} and a known rank, got shape ${formatShape(x.shape)}`);
  }
  return x;
}

function positiveInt(fn: string, what: string, v: unknown): number {
  if (!Number.isInteger(v) || (v as number) <= 0) throw new InvalidArgumentError(`${fn}: ${what} must be a positive integer, got ${describeValue(v)}`);
  return v as number;
}

function pair(fn: string, what: string, v: unknown): [number, number] {
  const list = typeof v === 'number' ? [v, v] : Array.isArray(v) && v.length === 1 ? [v[0], v[0]] : v;
  if (!Array.isArray(list) || list.length !== 2) throw new InvalidArgumentError(`${fn}: ${what} must be an integer or a pair of integers, got ${describeValue(v)}`);
  return [positiveInt(fn, what, list[0]), positiveInt(fn, what, list[1])];
}

function paddingOf(fn: string, v: unknown): Padding {
  const p = typeof v === 'string' ? v.toUpperCase() : v;
  if (p !== 'VALID' && p !== 'SAME') throw new InvalidArgumentError(`${fn}: padding must be 'valid' or 'same', got ${describeValue(v)}`);
  return p;
}

function formatOf(fn: string, v: unknown): DataFormat {
  if (v === undefined || v === 'channels_last') return 'NHWC';
  if (v === 'channels_first') return 'NCHW';
  throw new InvalidArgumentError(`${fn}: data_format must be 'channels_last' or 'channels_first', got ${describeValue(v)}`);
}

function activationOf(fn: string, v: unknown): Activation | null {
  if (v === undefined || v === null) return null;
  if (typeof v !== 'function') throw new InvalidArgumentError(`${fn}: activation must be a function such as tf.nn.relu, got ${describeValue(v)}`);
  return v as Activation;
}

function applyActivation(fn: string, activation: Activation | null, x: Tensor): Tensor {
  if (!activation) return x;
  const y = activation(x);
  if (!(y instanceof Tensor)) throw new InvalidArgumentError(`${fn}: the activation returned ${describeValue(y)}, not a Tensor`);
  return y;
}

function trainingOf(fn: string, v: unknown): TrainingFlag {
  if (v === undefined) return false;
  if (typeof v === 'boolean') return v;
  if (v instanceof Tensor && v.dtype === 'bool' && (v.shape === null || v.shape.length === 0)) return v;
  throw new InvalidArgumentError(`${fn}: training must be a boolean or a bool scalar Tensor, got ${describeValue(v)}`);
}

/** A layer's variable scope: its own name, else a unique one from the layer kind; reuse as asked. */
function layerScope<T>(kind: string, opts: LayerOptions, build: () => T): T {
  if (opts.name !== undefined && typeof opts.name !== 'string') throw new InvalidArgumentError(`${kind}: name must be a string, got ${describeValue(opts.name)}`);
  return variable_scope(opts.name ?? null, { default_name: kind, reuse: opts.reuse ?? null }, build);
}

export interface DenseOptions extends LayerOptions {
  activation?: Activation | null;
  use_bias?: boolean;
  kernel_initializer?: Initializer | null;
  bias_initializer?: Initializer;
}

/**
 * tf.layers.dense(inputs, units, {activation, use_bias, kernel_initializer, bias_initializer, name,
 * reuse, trainable}): activation(inputs · kernel + bias) over the last axis; kernel [in, units] (Glorot
 * uniform by default), bias [units] (zeros).
 */
export const dense = guarded('layers.dense', function dense(inputs: TensorLike, units: number, opts?: DenseOptions): Tensor {
  const fn = 'dense';
  const o = options<DenseOptions>(fn, opts, [...LAYER_KEYS, 'activation', 'use_bias', 'kernel_initializer', 'bias_initializer']);
  const x = floatInput(fn, inputs, 2);
  positiveInt(fn, 'units', units);
  const shape = x.shape as (number | null)[];
  const inner = shape.slice(1);
  if (inner.some((d) => d === null)) throw new InvalidArgumentError(`${fn}: every dim of inputs '${x.name}' but the first must be known, got ${formatShape(shape)}`);
  const activation = activationOf(fn, o.activation);
  return layerScope(fn, o, () => {
    const inDim = inner[inner.length - 1] as number;
    const kernel = get_variable('kernel', [inDim, units], { initializer: o.kernel_initializer ?? undefined, trainable: o.trainable ?? true });
    const flat = shape.length === 2 ? x : m.reshape(x, [-1, inDim]);
    let y = m.matmul(flat, kernel);
    if (o.use_bias ?? true) {
      const bias = get_variable('bias', [units], { initializer: o.bias_initializer ?? zeros_initializer(), trainable: o.trainable ?? true });
      y = m.biasAdd(y, bias);
    }
    if (shape.length > 2) y = m.reshape(y, [-1, ...(inner.slice(0, -1) as number[]), units]);
    return applyActivation(fn, activation, y);
  });
});

export interface Conv2DOptions extends LayerOptions {
  strides?: number | number[];
  padding?: string;
  data_format?: 'channels_last' | 'channels_first';
  dilation_rate?: number | number[];
  activation?: Activation | null;
  use_bias?: boolean;
  kernel_initializer?: Initializer | null;
  bias_initializer?: Initializer;
}

/**
 * tf.layers.conv2d(inputs, filters, kernel_size, {strides = 1, padding = 'valid', data_format =
 * 'channels_last', dilation_rate = 1, activation, use_bias, kernel_initializer, bias_initializer, name,
 * reuse, trainable}): kernel [kh, kw, in, filters], bias [filters].
 */
export const conv2d = guarded('layers.conv2d', function conv2d(inputs: TensorLike, filters: number, kernel_size: number | number[], opts?: Conv2DOptions): Tensor {
  const fn = 'conv2d';
  const o = options<Conv2DOptions>(fn, opts, [...LAYER_KEYS, 'strides', 'padding', 'data_format', 'dilation_rate', 'activation', 'use_bias', 'kernel_initializer', 'bias_initializer']);
  const x = floatInput(fn, inputs, 4);
  if (x.shape?.length !== 4) throw new InvalidArgumentError(`${fn}: inputs '${x.name}' must be 4-D, got ${formatShape(x.shape)}`);
  positiveInt(fn, 'filters', filters);
  const [kh, kw] = pair(fn, 'kernel_size', kernel_size);
  const [sh, sw] = pair(fn, 'strides', o.strides ?? 1);
  const [dh, dw] = pair(fn, 'dilation_rate', o.dilation_rate ?? 1);
  const padding = paddingOf(fn, o.padding ?? 'valid');
  const format = formatOf(fn, o.data_format);
  const inDim = format === 'NHWC' ? x.shape[3] : x.shape[1];
  if (inDim === null) throw new InvalidArgumentError(`${fn}: the channel dim of inputs '${x.name}' must be known, got ${formatShape(x.shape)}`);
  const activation = activationOf(fn, o.activation);
  return layerScope(fn, o, () => {
    const kernel = get_variable('kernel', [kh, kw, inDim, filters], { initializer: o.kernel_initializer ?? undefined, trainable: o.trainable ?? true });
    const four = (a: number, b: number): number[] => (format === 'NHWC' ? [1, a, b, 1] : [1, 1, a, b]);
    let y = m.conv2d(x, kernel, { strides: four(sh, sw), padding, data_format: format, dilations: four(dh, dw) });
    if (o.use_bias ?? true) {
      const bias = get_variable('bias', [filters], { initializer: o.bias_initializer ?? zeros_initializer(), trainable: o.trainable ?? true });
      y = m.biasAdd(y, bias, format);
    }
    return applyActivation(fn, activation, y);
  });
});

export interface Pooling2DOptions {
  padding?: string;
  data_format?: 'channels_last' | 'channels_first';
  name?: string;
}

function pooling(fn: string, build: typeof m.maxPool) {
  return guarded(`layers.${fn}`, (inputs: TensorLike, pool_size: number | number[], strides: number | number[], opts?: Pooling2DOptions): Tensor => {
    const o = options<Pooling2DOptions>(fn, opts, ['padding', 'data_format', 'name']);
    const x = floatInput(fn, inputs, 4);
    if (x.shape?.length !== 4) throw new InvalidArgumentError(`${fn}: inputs '${x.name}' must be 4-D, got ${formatShape(x.shape)}`);
    const [ph, pw] = pair(fn, 'pool_size', pool_size);
    const [sh, sw] = pair(fn, 'strides', strides);
    const format = formatOf(fn, o.data_format);
    const four = (a: number, b: number): number[] => (format === 'NHWC' ? [1, a, b, 1] : [1, 1, a, b]);
    const attrs = { ksize: four(ph, pw), strides: four(sh, sw), padding: paddingOf(fn, o.padding ?? 'valid'), data_format: format };
    return x.graph.nameScope(o.name ?? fn, () => build(x, attrs));
  });
}

/** tf.layers.max_pooling2d(inputs, pool_size, strides, {padding = 'valid', data_format, name}). */
export const max_pooling2d = pooling('max_pooling2d', m.maxPool);
/** tf.layers.average_pooling2d(inputs, pool_size, strides, {padding, data_format, name}): padding not counted. */
export const average_pooling2d = pooling('average_pooling2d', m.avgPool);

export interface FlattenOptions {
  name?: string;
}

/** tf.layers.flatten(inputs, {name}): [batch, d1, ..., dk] → [batch, d1·…·dk]. */
export const flatten = guarded('layers.flatten', function flatten(inputs: TensorLike, opts?: FlattenOptions): Tensor {
  const o = options<FlattenOptions>('flatten', opts, ['name']);
  const x = floatInput('flatten', inputs, 1);
  return x.graph.nameScope(o.name ?? 'flatten', () => m.flatten(x));
});

export interface DropoutLayerOptions {
  rate?: number;
  noise_shape?: (number | null)[];
  seed?: number;
  training?: TrainingFlag;
  name?: string;
}

/**
 * tf.layers.dropout(inputs, {rate = 0.5, noise_shape, seed, training = false, name}) (or rate second):
 * while training, drops each element with probability `rate` and scales the rest by 1/(1 − rate);
 * otherwise the inputs unchanged. Note: unlike tf.nn.dropout, it is off unless training is set.
 */
export const dropout = guarded('layers.dropout', function dropout(inputs: TensorLike, rateOrOptions?: number | DropoutLayerOptions, opts?: DropoutLayerOptions): Tensor {
  const fn = 'dropout';
  const keys = ['rate', 'noise_shape', 'seed', 'training', 'name'];
  const o = typeof rateOrOptions === 'number' ? { ...options<DropoutLayerOptions>(fn, opts, keys), rate: rateOrOptions } : options<DropoutLayerOptions>(fn, rateOrOptions, keys);
  if (typeof rateOrOptions === 'number' && opts?.rate !== undefined) throw new InvalidArgumentError(`${fn}: give rate once`);
  const rate = o.rate ?? 0.5;
  if (typeof rate !== 'number' || !(rate >= 0 && rate < 1)) throw new InvalidArgumentError(`${fn}: rate must be in [0, 1), got ${describeValue(rate)}`);
  const training = trainingOf(fn, o.training);
  const x = floatInput(fn, inputs, 0);
  if (training === false || rate === 0) return x;
  return x.graph.nameScope(o.name ?? fn, () => {
    const dropped = nnDropout(x, undefined, { rate, ...(o.noise_shape ? { noise_shape: o.noise_shape } : {}), ...(o.seed !== undefined ? { seed: o.seed } : {}) });
    return training === true ? dropped : where(training, dropped, x);
  });
});

/** n / (n − 1) for the n elements each channel's statistics cover (1 when n is 1). */
function besselFactor(x: Tensor, axes: number[]): Tensor {
  const n = m.reductionSizeOf(x, axes);
  return m.div(n, m.maximum(m.sub(n, 1), 1));
}

export interface BatchNormOptions extends LayerOptions {
  axis?: number;
  momentum?: number;
  epsilon?: number;
  center?: boolean;
  scale?: boolean;
  beta_initializer?: Initializer;
  gamma_initializer?: Initializer;
  moving_mean_initializer?: Initializer;
  moving_variance_initializer?: Initializer;
  training?: TrainingFlag;
  /**
   * TF-1's fused kernel (the default for 4-D inputs normalized over axis 1 or 3): the same output, but the
   * moving variance follows the batch's sample variance (Bessel's n/(n − 1)). false: the population one.
   */
  fused?: boolean | null;
}

/**
 * tf.layers.batch_normalization(inputs, {axis = -1, momentum = 0.99, epsilon = 1e-3, center, scale,
 * training = false, initializers, name, reuse, trainable}): normalizes over every axis but `axis` with
 * the batch's mean and variance while training, with the moving ones otherwise; beta/gamma are
 * trainable, moving_mean/moving_variance are not. While training, `moving ← moving − (moving − batch) ·
 * (1 − momentum)` ops join tf.GraphKeys.UPDATE_OPS (the population batch variance, or the sample
 * one on TF-1's fused path: see `fused`). With a Tensor flag both
 * branches are built and the updates leave the moving values unchanged on runs fed false.
 */
export const batch_normalization = guarded('layers.batch_normalization', function batch_normalization(inputs: TensorLike, opts?: BatchNormOptions): Tensor {
  const fn = 'batch_normalization';
  const o = options<BatchNormOptions>(fn, opts, [...LAYER_KEYS, 'axis', 'momentum', 'epsilon', 'center', 'scale', 'beta_initializer', 'gamma_initializer',
    'moving_mean_initializer', 'moving_variance_initializer', 'training', 'fused']);
  const x = floatInput(fn, inputs, 1);
  const rank = (x.shape as (number | null)[]).length;
  const axisArg = o.axis ?? -1;
  if (!Number.isInteger(axisArg) || axisArg < -rank || axisArg >= rank) throw new InvalidArgumentError(`${fn}: axis must be an integer in [${-rank}, ${rank}), got ${describeValue(axisArg)}`);
  const axis = axisArg < 0 ? axisArg + rank : axisArg;
  const channels = (x.shape as (number | null)[])[axis];
  if (channels === null) throw new InvalidArgumentError(`${fn}: dim ${axis} of inputs '${x.name}' must be known, got ${formatShape(x.shape)}`);
  const momentum = o.momentum ?? 0.99;
  const epsilon = o.epsilon ?? 1e-3;
  if (typeof momentum !== 'number' || !(momentum >= 0 && momentum <= 1)) throw new InvalidArgumentError(`${fn}: momentum must be in [0, 1], got ${describeValue(momentum)}`);
  if (typeof epsilon !== 'number' || !(epsilon >= 0)) throw new InvalidArgumentError(`${fn}: epsilon must be a number >= 0, got ${describeValue(epsilon)}`);
  const training = trainingOf(fn, o.training);
  const trainable = o.trainable ?? true;
  const reduceAxes = [...Array(rank).keys()].filter((a) => a !== axis);
  const graph = getDefaultGraph();
  if (x.graph !== graph) throw new InvalidArgumentError(`${fn}: inputs '${x.name}' belong to another graph than the default one`);
  return layerScope(fn, o, () => {
    const beta = (o.center ?? true) ? get_variable('beta', [channels], { initializer: o.beta_initializer ?? zeros_initializer(), trainable }) : null;
    const gamma = (o.scale ?? true) ? get_variable('gamma', [channels], { initializer: o.gamma_initializer ?? ones_initializer(), trainable }) : null;
    const movingMean = get_variable('moving_mean', [channels], { initializer: o.moving_mean_initializer ?? zeros_initializer(), trainable: false });
    const movingVar = get_variable('moving_variance', [channels], { initializer: o.moving_variance_initializer ?? ones_initializer(), trainable: false });
    // Parameters of shape [C] broadcast against x when C is not the last axis.
    const bcast = (t: Tensor): Tensor => (axis === rank - 1 ? t : m.reshape(t, [...Array(rank).keys()].map((a) => (a === axis ? channels : 1))));
    let mean: Tensor = movingMean;
    let variance: Tensor = movingVar;
    if (training !== false) {
      const [batchMean, batchVar] = moments(x, reduceAxes);
      mean = training === true ? batchMean : where(training, batchMean, movingMean);
      variance = training === true ? batchVar : where(training, batchVar, movingVar);
      // TF-1's fused kernel hands the moving average the sample variance, its other path the population one.
      const fused = (o.fused ?? true) && rank === 4 && (axis === 1 || axis === 3);
      const sampleVar = fused ? m.mul(batchVar, besselFactor(x, reduceAxes)) : batchVar;
      const varianceUpdate = training === true ? sampleVar : where(training, sampleVar, movingVar);
      // The moving averages follow whichever statistics this run used: unchanged on runs not training.
      for (const [moving, value, name] of [[movingMean, mean, 'AssignMovingAvg'], [movingVar, varianceUpdate, 'AssignMovingAvg_1']] as const) {
        const update = graph.nameScope(name, () => m.sub(moving, m.mul(m.sub(moving, m.stopGradient(value)), 1 - momentum)));
        graph.addToCollection(GraphKeys.UPDATE_OPS, moving.assign(update));
      }
    }
    return nnBatchNorm(x, bcast(mean), bcast(variance), beta && bcast(beta), gamma && bcast(gamma), epsilon);
  });
});
