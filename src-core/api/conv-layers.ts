/**
 * tinyflow's convolution layer and pooling calls, NCHW as in tinyflow, sharing the names of TF-1's ops:
 *   tf.nn.conv2d(x, {num_filter, ksize, strides, padding, name, no_bias})   (tinyflow: creates its weights)
 *   tf.nn.conv2d(input, filter, strides, padding, {data_format})           (TF-1: NHWC default)
 *   tf.nn.max_pool(x, {ksize, strides, stride?, pad?})                     (tinyflow: NCHW)
 *   tf.nn.max_pool(value, ksize, strides, padding, {data_format})          (TF-1)
 *   tf.nn.max_pool(value, {ksize, strides, padding, data_format})          (TF-1, keywords)
 * TF-1's forms win: an options object is tinyflow's only when it holds tinyflow's own keys (or only the
 * keys both share, without TF-1's always-present `padding`); a call mixing the two is refused.
 */
import { InvalidArgumentError } from '../errors';
import { isFullyDefined, type Dim } from '../graph/shape';
import { Tensor } from '../graph/tensor';
import type { Padding } from '../ops/window';
import * as m from './math-core';
import { toTensor, type TensorLike } from './convert';
import { normal } from './normal';
import { checkKeys, guarded, isOptionsObject } from './options';
import { zeros } from './tf-array';
import * as nnOps from './tf-nn';
import { declareVariable } from './variables';

/** A window given as k, [kh, kw] or tinyflow's [1, kh, kw, 1]. */
export type WindowArg = number | number[];

export interface Conv2DLayerOptions {
  num_filter: number;
  ksize: WindowArg;
  /** Default 1. `stride` is accepted too. */
  strides?: WindowArg;
  stride?: WindowArg;
  /** tinyflow's default is 'SAME'; 0 means VALID. (`padding` is TF-1's key: it selects TF-1's form.) */
  pad?: Padding | 0;
  name?: string;
  /** tinyflow's default for conv2d is no bias: pass no_bias: false for one. */
  no_bias?: boolean;
}

export interface PoolLayerOptions {
  ksize: WindowArg;
  strides?: WindowArg;
  stride?: WindowArg;
  /** tinyflow's default is 'SAME'; 0 means VALID. */
  pad?: Padding | 0;
  name?: string;
}

const WEIGHT_STDEV = 0.01;

/** [kh, kw] from any of the accepted spellings. */
function spatial(fn: string, what: string, v: WindowArg): [number, number] {
  const pair = typeof v === 'number' ? [v, v] : v.length === 4 ? [v[1], v[2]] : v.length === 2 ? v : v.length === 1 ? [v[0], v[0]] : null;
  if (pair === null || pair.some((d) => !Number.isInteger(d) || d < 1)) {
    throw new InvalidArgumentError(`${fn}: ${what} must be k, [kh, kw] or [1, kh, kw, 1] with positive integers, got ${JSON.stringify(v)}`);
  }
  return [pair[0], pair[1]];
}

function paddingOf(fn: string, options: { pad?: Padding | 0 }): Padding {
  const p = (options.pad === 0 ? 'VALID' : options.pad) ?? 'SAME';
  if (p !== 'SAME' && p !== 'VALID') throw new InvalidArgumentError(`${fn}: padding must be 'SAME' or 'VALID', got ${String(p)}`);
  return p;
}

function conv2dLayer(x: TensorLike, options: Conv2DLayerOptions): Tensor {
  checkKeys('conv2d', options, ['num_filter', 'ksize', 'strides', 'stride', 'pad', 'name', 'no_bias']);
  if (options.ksize === undefined) throw new InvalidArgumentError("conv2d: tinyflow's layer form needs ksize");
  const filters = options.num_filter;
  if (!Number.isInteger(filters) || filters <= 0) throw new InvalidArgumentError(`conv2d: num_filter must be a positive integer, got ${String(filters)}`);
  const [kh, kw] = spatial('conv2d', 'ksize', options.ksize);
  const [sh, sw] = spatial('conv2d', 'strides', options.strides ?? options.stride ?? 1);
  const input = toTensor(x);
  return input.graph.nameScope(options.name ?? 'conv2d', () => {
    const channels = input.shape === null ? null : (input.shape[1] ?? null);
    // HWIO, the layout of TF-1's conv2d (tinyflow's torch kernel keeps [F, C, kh, kw]); C comes from x.
    const shape: Dim[] = [kh, kw, channels, filters];
    const known = isFullyDefined(shape);
    const weight = declareVariable({
      name: 'weight',
      shape,
      dimSources: known ? undefined : [null, null, { tensor: input.name, axis: 1 }, null],
      initialValue: known ? normal(shape, WEIGHT_STDEV) : undefined,
    });
    const out = m.conv2d(input, weight, { strides: [1, 1, sh, sw], padding: paddingOf('conv2d', options), data_format: 'NCHW', dilations: [1, 1, 1, 1] });
    if (options.no_bias ?? true) return out;
    const bias = declareVariable({ name: 'bias', shape: [filters], initialValue: zeros([filters]) });
    return m.biasAdd(out, bias, 'NCHW');
  });
}

type TfConv2D = typeof nnOps.conv2d;

/** TF-1's keyword form of conv2d: `conv2d(input, filter, {strides, padding, ...})` or `conv2d(input, {filter, strides, padding})`. */
export interface Conv2DKeywordOptions extends nnOps.Conv2DOptions {
  filter?: TensorLike;
  strides?: number | number[];
  padding?: Padding;
}

// Which keys belong to which form: the forms share `ksize`, `strides` and `name`.
const TF1_CONV_KEYS = ['filter', 'padding', 'data_format', 'dilations', 'use_cudnn_on_gpu'] as const;
const LAYER_CONV_KEYS = ['num_filter', 'ksize', 'stride', 'pad', 'no_bias'] as const;
const TF1_POOL_KEYS = ['padding', 'data_format'] as const;
const LAYER_POOL_KEYS = ['stride', 'pad'] as const;
const SHARED_KEYS = ['ksize', 'strides', 'name'] as const;

type Form = 'tf1' | 'layer';

/**
 * Tells TF-1's keyword form from tinyflow's layer form by the keys an options object holds; a call
 * with keys of both is refused with each key's form named, never guessed.
 */
function formOf(fn: string, options: object, tf1Keys: readonly string[], layerKeys: readonly string[], shared: readonly string[]): Form | null {
  checkKeys(fn, options, [...new Set([...tf1Keys, ...layerKeys, ...shared])]);
  const keys = Object.keys(options);
  const tf1 = keys.filter((k) => tf1Keys.includes(k));
  const layer = keys.filter((k) => layerKeys.includes(k));
  if (tf1.length > 0 && layer.length > 0) {
    const both = keys.filter((k) => shared.includes(k));
    throw new InvalidArgumentError(
      `${fn}: ambiguous call mixing two forms: ${tf1.join(', ')} belong to TF-1's NHWC form, ${layer.join(', ')} to ` +
        `tinyflow's NCHW layer form${both.length > 0 ? ` (${both.join(', ')} to both)` : ''}; use one form's keys only`,
    );
  }
  if (tf1.length > 0) return 'tf1';
  if (layer.length > 0) return 'layer';
  return null;
}

function requireKeys(fn: string, form: string, options: Record<string, unknown>, keys: readonly string[]): void {
  const missing = keys.filter((k) => options[k] === undefined);
  if (missing.length > 0) {
    throw new InvalidArgumentError(`${fn}: ${form} needs ${missing.join(' and ')} (got keys: ${Object.keys(options).join(', ') || 'none'})`);
  }
}

function tf1Conv(input: TensorLike, filter: TensorLike, o: Conv2DKeywordOptions): Tensor {
  requireKeys('conv2d', "TF-1's form", o as Record<string, unknown>, ['strides', 'padding']);
  const { strides, padding, filter: _filter, ...rest } = o;
  return nnOps.conv2d(input, filter, strides as number | number[], padding as Padding, rest);
}

/**
 * tf.nn.conv2d in any of its forms:
 *   conv2d(input, filter, strides, padding, {data_format, dilations, name})   TF-1, positional
 *   conv2d(input, filter, {strides, padding, data_format, dilations, name})   TF-1, keywords
 *   conv2d(input, {filter, strides, padding, ...})                            TF-1, keywords
 *   conv2d(x, {num_filter, ksize, stride?, pad?, name, no_bias})              tinyflow's NCHW layer
 */
function anyConv2d(x: TensorLike, second: unknown, ...rest: unknown[]): Tensor {
  if (isOptionsObject(second)) {
    if (rest.length > 0) throw new InvalidArgumentError(`conv2d: nothing may follow the options object, got ${rest.length} more argument(s)`);
    const form = formOf('conv2d', second, TF1_CONV_KEYS, LAYER_CONV_KEYS, SHARED_KEYS);
    if (form === 'tf1') {
      requireKeys('conv2d', "TF-1's form", second, ['filter']);
      return tf1Conv(x, second.filter as TensorLike, second as Conv2DKeywordOptions);
    }
    if (form === null) {
      throw new InvalidArgumentError(
        `conv2d: cannot tell the form from keys {${Object.keys(second).join(', ')}}: give TF-1's {filter, strides, padding} or tinyflow's {num_filter, ksize, ...}`,
      );
    }
    return conv2dLayer(x, second as unknown as Conv2DLayerOptions);
  }
  if (rest.length === 0 || isOptionsObject(rest[0])) {
    const o = rest[0] ?? {};
    if (rest.length > 1) throw new InvalidArgumentError(`conv2d: nothing may follow the options object, got ${rest.length - 1} more argument(s)`);
    const form = formOf('conv2d', o as object, TF1_CONV_KEYS, LAYER_CONV_KEYS, SHARED_KEYS);
    if (form === 'layer') {
      throw new InvalidArgumentError(
        `conv2d: tinyflow's layer keys (${Object.keys(o as object).filter((k) => (LAYER_CONV_KEYS as readonly string[]).includes(k)).join(', ')}) ` +
          'cannot come with a filter; the layer form is conv2d(x, {num_filter, ksize, ...})',
      );
    }
    if ((o as Conv2DKeywordOptions).filter !== undefined) throw new InvalidArgumentError('conv2d: filter given twice (positionally and as an option)');
    return tf1Conv(x, second as TensorLike, o as Conv2DKeywordOptions);
  }
  const [strides, padding, options] = rest as [WindowArg, Padding, nnOps.Conv2DOptions | undefined];
  return nnOps.conv2d(x, second as TensorLike, strides, padding, options);
}

export interface Conv2DFn {
  (x: TensorLike, options: Conv2DLayerOptions | (Conv2DKeywordOptions & { filter: TensorLike })): Tensor;
  (input: TensorLike, filter: TensorLike, options: Conv2DKeywordOptions): Tensor;
  (...args: Parameters<TfConv2D>): Tensor;
}

/**
 * 2-D convolution: TF-1's `conv2d(input, filter, strides, padding)` (NHWC), or tinyflow's layer `conv2d(x, {num_filter, ksize})` (NCHW) that creates its own weights.
 * @example
 * ```ts
 * const x = tf.placeholder(tf.float32, [null, 28, 28, 1]);
 * const W = tf.Variable(tf.truncated_normal([5, 5, 1, 32], { stddev: 0.1 }));
 * const h = tf.nn.conv2d(x, W, [1, 1, 1, 1], 'SAME');
 * ```
 */
export const conv2d = guarded('conv2d', anyConv2d) as Conv2DFn;

function poolLayer(fn: string, build: typeof m.maxPool, x: TensorLike, options: PoolLayerOptions): Tensor {
  checkKeys(fn, options, ['ksize', 'strides', 'stride', 'pad', 'name']);
  const [kh, kw] = spatial(fn, 'ksize', options.ksize);
  const [sh, sw] = spatial(fn, 'strides', options.strides ?? options.stride ?? 1);
  return build(x, { ksize: [1, 1, kh, kw], strides: [1, 1, sh, sw], padding: paddingOf(fn, options), data_format: 'NCHW' }, options.name);
}

type TfPool = typeof nnOps.max_pool;

/** TF-1's keyword form of a pool: `max_pool(value, {ksize, strides, padding, data_format, name})`. */
export interface PoolKeywordOptions extends nnOps.PoolOptions {
  ksize: number | number[];
  strides: number | number[];
  padding: Padding;
}

/**
 * A pool in TF-1's form, positional or with keywords, or in tinyflow's NCHW layer form. TF-1 always
 * passes `padding` and tinyflow's layers never do, so an options object with `padding` (or
 * `data_format`) is TF-1's, one with `stride`/`pad` or only `ksize`/`strides` is tinyflow's.
 */
const dispatchPool = (fn: string, build: typeof m.maxPool, tfPool: TfPool) =>
  (x: TensorLike, second: unknown, ...rest: unknown[]): Tensor => {
    if (isOptionsObject(second)) {
      if (rest.length > 0) throw new InvalidArgumentError(`${fn}: nothing may follow the options object, got ${rest.length} more argument(s)`);
      const form = formOf(fn, second, TF1_POOL_KEYS, LAYER_POOL_KEYS, SHARED_KEYS);
      if (form === 'tf1') {
        requireKeys(fn, "TF-1's form", second, ['ksize', 'strides', 'padding']);
        const { ksize, strides, padding, ...options } = second as unknown as PoolKeywordOptions;
        return tfPool(x, ksize, strides, padding, options);
      }
      requireKeys(fn, "tinyflow's layer form", second, ['ksize']);
      return poolLayer(fn, build, x, second as unknown as PoolLayerOptions);
    }
    const [strides, padding, options] = rest as [WindowArg, Padding, nnOps.PoolOptions | undefined];
    return tfPool(x, second as WindowArg, strides, padding, options);
  };

export interface PoolFn {
  (value: TensorLike, options: PoolKeywordOptions): Tensor;
  (x: TensorLike, options: PoolLayerOptions): Tensor;
  (...args: Parameters<TfPool>): Tensor;
}

/**
 * tf.nn.max_pool in any form (see dispatchPool).
 * @example
 * ```ts
 * const x = tf.placeholder(tf.float32, [null, 28, 28, 32]);
 * const p = tf.nn.max_pool(x, { ksize: [1, 2, 2, 1], strides: [1, 2, 2, 1], padding: 'SAME' });
 * ```
 */
export const max_pool = guarded('max_pool', dispatchPool('max_pool', m.maxPool, nnOps.max_pool)) as PoolFn;
/**
 * tf.nn.avg_pool in any form (see dispatchPool).
 * @example
 * ```ts
 * const x = tf.placeholder(tf.float32, [null, 28, 28, 32]);
 * const p = tf.nn.avg_pool(x, { ksize: [1, 2, 2, 1], strides: [1, 2, 2, 1], padding: 'VALID' });
 * ```
 */
export const avg_pool = guarded('avg_pool', dispatchPool('avg_pool', m.avgPool, nnOps.avg_pool)) as PoolFn;
