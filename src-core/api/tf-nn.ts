/**
 * tf.nn: activations, softmax, convolution and pooling, bias_add, dropout and the losses, in TF-1's
 * names and argument order (tinyflow's automatic layers join these in tf.ts).
 */
import type { Tensor } from '../graph/tensor';
import { Tensor as TensorClass } from '../graph/tensor';
import { NDArray } from '../ndarray';
import { InvalidArgumentError } from '../errors';
import * as m from './math-core';
import { toTensor, type TensorLike } from './convert';
import { guarded, checkKeys, nameOf, type NameOption } from './options';
import { randomTensor } from './random';
import type { DataFormat, Padding } from '../ops/window';

type Name = string | NameOption;

export type { DataFormat, Padding };

/**
 * Elementwise max(x, 0).
 * @example
 * ```ts
 * const x = tf.placeholder(tf.float32, [null, 10]);
 * const y = tf.nn.relu(x);
 * ```
 */
export const relu = guarded('nn.relu', (x: TensorLike, name?: Name): Tensor => m.relu(x, nameOf('relu', name)));
/**
 * Elementwise logistic function.
 * @example
 * ```ts
 * const x = tf.placeholder(tf.float32, [null, 10]);
 * const y = tf.nn.sigmoid(x);
 * ```
 */
export const sigmoid = guarded('nn.sigmoid', (x: TensorLike, name?: Name): Tensor => m.sigmoid(x, nameOf('sigmoid', name)));
/**
 * Elementwise hyperbolic tangent.
 * @example
 * ```ts
 * const x = tf.placeholder(tf.float32, [null, 10]);
 * const y = tf.nn.tanh(x);
 * ```
 */
export const tanh = guarded('nn.tanh', (x: TensorLike, name?: Name): Tensor => m.tanh(x, nameOf('tanh', name)));
/**
 * Softmax over the last axis.
 * @example
 * ```ts
 * const x = tf.placeholder(tf.float32, [null, 10]);
 * const y = tf.nn.softmax(x);
 * ```
 */
export const softmax = guarded('nn.softmax', (logits: TensorLike, name?: Name): Tensor => m.softmax(logits, nameOf('softmax', name)));
/**
 * Log of the softmax over the last axis, computed stably.
 * @example
 * ```ts
 * const x = tf.placeholder(tf.float32, [null, 10]);
 * const y = tf.nn.log_softmax(x);
 * ```
 */
export const log_softmax = guarded('nn.log_softmax', (logits: TensorLike, name?: Name): Tensor => m.logSoftmax(logits, nameOf('log_softmax', name)));

/**
 * A per-dim window argument in TF-1's 4-entry form; TF-2's shorthands are accepted too: one number
 * (or a 1-list) for both spatial dims, or a 2-list [h, w].
 */
function fourTuple(fn: string, what: string, v: number | number[], format: DataFormat): number[] {
  const spatial = typeof v === 'number' ? [v, v] : Array.isArray(v) && v.length === 1 ? [v[0], v[0]] : Array.isArray(v) && v.length === 2 ? v : null;
  if (spatial === null) {
    if (!Array.isArray(v)) throw new InvalidArgumentError(`${fn}: ${what} must be a number or a list, got ${String(v)}`);
    return [...v];
  }
  return format === 'NHWC' ? [1, spatial[0], spatial[1], 1] : [1, 1, spatial[0], spatial[1]];
}

function dataFormat(fn: string, format: string | undefined): DataFormat {
  const f = format ?? 'NHWC';
  if (f !== 'NHWC' && f !== 'NCHW') throw new InvalidArgumentError(`${fn}: data_format must be 'NHWC' or 'NCHW', got '${f}'`);
  return f;
}

export interface Conv2DOptions {
  data_format?: DataFormat;
  dilations?: number | number[];
  /** Accepted for TF-1 compatibility; it changes nothing. */
  use_cudnn_on_gpu?: boolean;
  name?: string;
}

/**
 * TF-1's conv2d(input, filter, strides, padding, {data_format, dilations, name}): filter is HWIO
 * [KH, KW, in, out] in both formats; strides [1, sh, sw, 1] (NHWC) or [1, 1, sh, sw] (NCHW).
 */
export const conv2d = guarded('nn.conv2d', function conv2d(input: TensorLike, filter: TensorLike, strides: number | number[], padding: Padding, options: Conv2DOptions = {}): Tensor {
  checkKeys('conv2d', options, ['data_format', 'dilations', 'use_cudnn_on_gpu', 'name']);
  const format = dataFormat('conv2d', options.data_format);
  return m.conv2d(input, filter, {
    strides: fourTuple('conv2d', 'strides', strides, format),
    padding,
    data_format: format,
    dilations: fourTuple('conv2d', 'dilations', options.dilations ?? 1, format),
  }, options.name);
});

export interface PoolOptions {
  data_format?: DataFormat;
  name?: string;
}

const pool = (fn: string, build: typeof m.maxPool) =>
  (value: TensorLike, ksize: number | number[], strides: number | number[], padding: Padding, options: PoolOptions = {}): Tensor => {
    checkKeys(fn, options, ['data_format', 'name']);
    const format = dataFormat(fn, options.data_format);
    return build(value, {
      ksize: fourTuple(fn, 'ksize', ksize, format), strides: fourTuple(fn, 'strides', strides, format), padding, data_format: format,
    }, options.name);
  };

/** tf.nn.max_pool(value, ksize, strides, padding, {data_format, name}). */
export const max_pool = pool('max_pool', m.maxPool);
/** tf.nn.avg_pool(value, ksize, strides, padding, {data_format, name}): padding is not counted in the average. */
export const avg_pool = pool('avg_pool', m.avgPool);

export interface BiasAddOptions {
  data_format?: DataFormat;
  name?: string;
}

/**
 * tf.nn.bias_add(value, bias, {data_format, name}); data_format may also be given positionally.
 * @example
 * ```ts
 * const x = tf.placeholder(tf.float32, [null, 10]);
 * const y = tf.nn.bias_add(x, tf.Variable(tf.zeros([10])));
 * ```
 */
export const bias_add = guarded('nn.bias_add', function bias_add(value: TensorLike, bias: TensorLike, formatOrOptions?: DataFormat | BiasAddOptions, name?: string): Tensor {
  const opts = typeof formatOrOptions === 'string' ? { data_format: formatOrOptions, name } : { ...formatOrOptions, ...(name === undefined ? {} : { name }) };
  checkKeys('bias_add', opts, ['data_format', 'name']);
  return m.biasAdd(value, bias, dataFormat('bias_add', opts.data_format), opts.name);
});

export interface DropoutOptions {
  /** The mask's shape (broadcast against x); null entries take x's dim. */
  noise_shape?: (number | null)[];
  seed?: number;
  name?: string;
  /** TF's later spelling: the drop probability, 1 - keep_prob. */
  rate?: number;
}

/**
 * tf.nn.dropout(x, keep_prob, {noise_shape, seed, name}): keeps each element with probability
 * keep_prob, scaled by 1/keep_prob: x / keep_prob * floor(keep_prob + uniform[0, 1)), as TF-1.
 * keep_prob may be a Tensor (a placeholder fed 1 for evaluation).
 * @example
 * ```ts
 * const x = tf.placeholder(tf.float32, [null, 10]);
 * const y = tf.nn.dropout(x, 0.5);
 * ```
 */
export const dropout = guarded('nn.dropout', function dropout(x: TensorLike, keep_prob?: TensorLike, options: DropoutOptions = {}): Tensor {
  checkKeys('dropout', options, ['noise_shape', 'seed', 'name', 'rate']);
  const t = toTensor(x);
  if (t.dtype !== 'float32') throw new InvalidArgumentError(`dropout: x must be float32, got ${t.dtype}`);
  if ((keep_prob === undefined) === (options.rate === undefined)) throw new InvalidArgumentError('dropout: give exactly one of keep_prob and rate');
  const keep = keep_prob ?? 1 - (options.rate as number);
  if (typeof keep === 'number') {
    if (!(keep > 0 && keep <= 1)) throw new InvalidArgumentError(`dropout: keep_prob must be in (0, 1], got ${keep}`);
    if (keep === 1) return t;
  }
  return t.graph.nameScope(options.name ?? 'dropout', () => {
    const keepT = toTensor(keep, 'float32', t.graph, 'keep_prob');
    const noise = options.noise_shape;
    const rank = t.shape?.length;
    const shape = noise === undefined ? (rank === undefined ? null : new Array<number>(rank).fill(-1)) : noise.map((d) => d ?? -1);
    if (shape === null) throw new InvalidArgumentError(`dropout: x '${t.name}' needs a known rank (or give noise_shape)`);
    const u = randomTensor('uniform', shape, options.seed, t);
    return m.mul(m.div(t, keepT), m.floor(m.add(keepT, u)));
  });
});

export interface CrossEntropyOptions {
  logits: TensorLike;
  labels: TensorLike;
  name?: string;
  /** The class axis: only the last one (-1) is supported. */
  dim?: number;
  axis?: number;
}

function isOptions(v: unknown): v is CrossEntropyOptions {
  return typeof v === 'object' && v !== null && !Array.isArray(v) && !(v instanceof TensorClass) && !(v instanceof NDArray);
}

/** TF-1's keyword form {logits, labels, name}, or tinyflow's positional (logits, labels, name). */
function crossEntropyArgs(fn: string, first: TensorLike | CrossEntropyOptions, labels?: TensorLike, name?: string): CrossEntropyOptions {
  if (!isOptions(first)) {
    if (labels === undefined) throw new InvalidArgumentError(`${fn}: expected (logits, labels) or {logits, labels}`);
    return { logits: first, labels, name };
  }
  checkKeys(fn, first, ['logits', 'labels', 'name', 'dim', 'axis']);
  if (first.logits === undefined || first.labels === undefined) throw new InvalidArgumentError(`${fn}: both logits and labels are required`);
  const axis = first.dim ?? first.axis ?? -1;
  const logits = toTensor(first.logits);
  const rank = logits.shape?.length;
  if (axis !== -1 && (rank === undefined || axis !== rank - 1)) {
    throw new InvalidArgumentError(`${fn}: only the last axis can hold the classes, got axis ${axis} for logits of rank ${rank ?? 'unknown'}`);
  }
  return { ...first, logits };
}

/**
 * Per-example softmax cross-entropy [batch] of logits against label distributions (same shape).
 * @example
 * ```ts
 * const x = tf.placeholder(tf.float32, [null, 10]);
 * const y = tf.reduce_mean(tf.nn.softmax_cross_entropy_with_logits({ logits: x, labels: tf.placeholder(tf.float32, [null, 10]) }));
 * ```
 */
export const softmax_cross_entropy_with_logits = guarded('nn.softmax_cross_entropy_with_logits', function softmax_cross_entropy_with_logits(logitsOrOptions: TensorLike | CrossEntropyOptions, labels?: TensorLike, name?: string): Tensor {
  const args = crossEntropyArgs('softmax_cross_entropy_with_logits', logitsOrOptions, labels, name);
  return m.softmaxCrossEntropy(args.logits, args.labels, args.name);
});

/**
 * Per-example softmax cross-entropy of logits against class indices (int32, or whole float32 values).
 * @example
 * ```ts
 * const x = tf.placeholder(tf.float32, [null, 10]);
 * const y = tf.nn.sparse_softmax_cross_entropy_with_logits({ logits: x, labels: tf.placeholder(tf.int32, [null]) });
 * ```
 */
export const sparse_softmax_cross_entropy_with_logits = guarded('nn.sparse_softmax_cross_entropy_with_logits', function sparse_softmax_cross_entropy_with_logits(logitsOrOptions: TensorLike | CrossEntropyOptions, labels?: TensorLike, name?: string): Tensor {
  const args = crossEntropyArgs('sparse_softmax_cross_entropy_with_logits', logitsOrOptions, labels, name);
  return m.sparseSoftmaxCrossEntropy(args.logits, args.labels, args.name);
});

/**
 * tf.nn.l2_loss(t) = sum(t²) / 2, a scalar.
 * @example
 * ```ts
 * const x = tf.placeholder(tf.float32, [null, 10]);
 * const y = tf.nn.l2_loss(x);
 * ```
 */
export const l2_loss = guarded('nn.l2_loss', function l2_loss(t: TensorLike, name?: Name): Tensor {
  return m.mul(m.reduceSum(m.square(t)), 0.5, nameOf('l2_loss', name) ?? 'L2Loss');
});
