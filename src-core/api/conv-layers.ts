/**
 * tinyflow's convolution layer and pooling calls, NCHW as in tinyflow, sharing the names of TF-1's ops:
 *   tf.nn.conv2d(x, {num_filter, ksize, strides, padding, name, no_bias})   (tinyflow: creates its weights)
 *   tf.nn.conv2d(input, filter, strides, padding, {data_format})           (TF-1: NHWC default)
 *   tf.nn.max_pool(x, {ksize, strides, padding})                           (tinyflow: NCHW)
 *   tf.nn.max_pool(value, ksize, strides, padding, {data_format})          (TF-1)
 * The call is told apart by its second argument: an options object means tinyflow's form.
 */
import { InvalidArgumentError } from '../errors';
import { isFullyDefined, type Dim } from '../graph/shape';
import { Tensor } from '../graph/tensor';
import { NDArray } from '../ndarray';
import type { Padding } from '../ops/window';
import * as m from './math-core';
import { toTensor, type TensorLike } from './convert';
import { normal } from './normal';
import { checkKeys } from './options';
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
  /** tinyflow's default is 'SAME'. `pad` is accepted too, also as 0 (VALID). */
  padding?: Padding;
  pad?: Padding | 0;
  name?: string;
  /** tinyflow's default for conv2d is no bias: pass no_bias: false for one. */
  no_bias?: boolean;
}

export interface PoolLayerOptions {
  ksize: WindowArg;
  strides?: WindowArg;
  stride?: WindowArg;
  padding?: Padding;
  pad?: Padding | 0;
  name?: string;
}

const WEIGHT_STDEV = 0.01;

function isLayerOptions(v: unknown): v is object {
  return typeof v === 'object' && v !== null && !Array.isArray(v) && !(v instanceof Tensor) && !(v instanceof NDArray);
}

/** [kh, kw] from any of the accepted spellings. */
function spatial(fn: string, what: string, v: WindowArg): [number, number] {
  const pair = typeof v === 'number' ? [v, v] : v.length === 4 ? [v[1], v[2]] : v.length === 2 ? v : v.length === 1 ? [v[0], v[0]] : null;
  if (pair === null || pair.some((d) => !Number.isInteger(d) || d < 1)) {
    throw new InvalidArgumentError(`${fn}: ${what} must be k, [kh, kw] or [1, kh, kw, 1] with positive integers, got ${JSON.stringify(v)}`);
  }
  return [pair[0], pair[1]];
}

function paddingOf(fn: string, options: { padding?: Padding; pad?: Padding | 0 }): Padding {
  const p = options.padding ?? (options.pad === 0 ? 'VALID' : options.pad) ?? 'SAME';
  if (p !== 'SAME' && p !== 'VALID') throw new InvalidArgumentError(`${fn}: padding must be 'SAME' or 'VALID', got ${String(p)}`);
  return p;
}

function conv2dLayer(x: TensorLike, options: Conv2DLayerOptions): Tensor {
  checkKeys('conv2d', options, ['num_filter', 'ksize', 'strides', 'stride', 'padding', 'pad', 'name', 'no_bias']);
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

/** tf.nn.conv2d in either form (see the file comment). */
export function conv2d(x: TensorLike, options: Conv2DLayerOptions): Tensor;
export function conv2d(...args: Parameters<TfConv2D>): Tensor;
export function conv2d(x: TensorLike, second: TensorLike | Conv2DLayerOptions, ...rest: unknown[]): Tensor {
  if (isLayerOptions(second)) return conv2dLayer(x, second as Conv2DLayerOptions);
  const [strides, padding, options] = rest as [WindowArg, Padding, nnOps.Conv2DOptions | undefined];
  return nnOps.conv2d(x, second as TensorLike, strides, padding, options);
}

function poolLayer(fn: string, build: typeof m.maxPool, x: TensorLike, options: PoolLayerOptions): Tensor {
  checkKeys(fn, options, ['ksize', 'strides', 'stride', 'padding', 'pad', 'name']);
  const [kh, kw] = spatial(fn, 'ksize', options.ksize);
  const [sh, sw] = spatial(fn, 'strides', options.strides ?? options.stride ?? 1);
  return build(x, { ksize: [1, 1, kh, kw], strides: [1, 1, sh, sw], padding: paddingOf(fn, options), data_format: 'NCHW' }, options.name);
}

type TfPool = typeof nnOps.max_pool;

const dispatchPool = (fn: string, build: typeof m.maxPool, tfPool: TfPool) =>
  (x: TensorLike, second: WindowArg | PoolLayerOptions, ...rest: unknown[]): Tensor => {
    if (isLayerOptions(second)) return poolLayer(fn, build, x, second as PoolLayerOptions);
    const [strides, padding, options] = rest as [WindowArg, Padding, nnOps.PoolOptions | undefined];
    return tfPool(x, second as WindowArg, strides, padding, options);
  };

interface PoolFn {
  (x: TensorLike, options: PoolLayerOptions): Tensor;
  (...args: Parameters<TfPool>): Tensor;
}

/** tf.nn.max_pool in either form. */
export const max_pool = dispatchPool('max_pool', m.maxPool, nnOps.max_pool) as PoolFn;
/** tf.nn.avg_pool in either form. */
export const avg_pool = dispatchPool('avg_pool', m.avgPool, nnOps.avg_pool) as PoolFn;
