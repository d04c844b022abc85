/**
 * TF-1's random tensors: random_normal, truncated_normal, random_uniform and set_random_seed, plus
 * tinyflow's `normal` (drawn once on the host, for initial weights; see normal.ts).
 *
 * Seeds follow TF-1: an op's stream is fixed by (graph seed, op seed). Without an op seed the op's
 * creation index stands in, so programs that build the same graph get the same numbers; without a graph
 * seed a fixed default is used (TF-1 would then be nondeterministic; reproducible runs are more useful).
 */
import type { DType } from '../graph/dtype';
import { getDefaultGraph, type Graph } from '../graph/graph';
import type { Tensor } from '../graph/tensor';
import { InvalidArgumentError } from '../errors';
import * as m from './math-core';
import type { TensorLike } from './convert';
import { guarded, checkKeys } from './options';

export { normal } from './normal';

/** The graph seed used when none was set (TF-1's DEFAULT_GRAPH_SEED, also used by `tf.normal`). */
const DEFAULT_GRAPH_SEED = 87654321;

/** tf.set_random_seed(seed): the default graph's seed, combined with every random op's own seed. */
export const set_random_seed = guarded('set_random_seed', function set_random_seed(seed: number): void {
  if (!Number.isSafeInteger(seed)) throw new InvalidArgumentError(`set_random_seed: seed must be an integer, got ${String(seed)}`);
  getDefaultGraph().seed = seed;
});

/** (graph seed, op seed) as TF-1 combines them. */
export function opSeeds(graph: Graph, seed?: number): { seed: number; seed2: number } {
  if (seed !== undefined && !Number.isSafeInteger(seed)) throw new InvalidArgumentError(`random: seed must be an integer, got ${String(seed)}`);
  return { seed: graph.seed ?? DEFAULT_GRAPH_SEED, seed2: seed ?? graph.version };
}

function checkShape(fn: string, shape: readonly number[]): number[] {
  if (!Array.isArray(shape) || shape.some((d) => !Number.isInteger(d) || d < 0)) {
    throw new InvalidArgumentError(`${fn}: shape must be a list of non-negative integers, got ${JSON.stringify(shape)}`);
  }
  return [...shape];
}

function checkFloat(fn: string, dtype: DType | undefined): DType {
  if (dtype !== undefined && dtype !== 'float32') throw new InvalidArgumentError(`${fn}: only float32 is supported, got ${String(dtype)}`);
  return 'float32';
}

/**
 * A random op of `kind` with shape `shape`, where -1 dims come from `like` (dropout's mask). Not public
 * TF-1 API, but the one place ops get their seeds.
 */
export function randomTensor(kind: 'uniform' | 'normal' | 'truncated', shape: number[], seed?: number, like?: Tensor, name?: string): Tensor {
  const graph = like?.graph ?? getDefaultGraph();
  return m.random(kind, { shape, dtype: 'float32', ...opSeeds(graph, seed) }, like, name);
}

/** value * scale + shift (called when they are not 1 and 0), the last op named `name`. */
function affine(value: Tensor, scale: TensorLike, shift: TensorLike, name: string): Tensor {
  if (shift === 0) return m.mul(value, scale, name);
  if (scale === 1) return m.add(value, shift, name);
  return m.add(m.mul(value, scale), shift, name);
}

export interface RandomNormalOptions {
  mean?: TensorLike;
  stddev?: TensorLike;
  dtype?: DType;
  seed?: number;
  name?: string;
}

function normalLike(fn: string, kind: 'normal' | 'truncated') {
  return (shape: number[], meanOrOptions?: number | RandomNormalOptions, options: RandomNormalOptions = {}): Tensor => {
    const opts = typeof meanOrOptions === 'number' ? { ...options, mean: meanOrOptions } : { ...meanOrOptions, ...options };
    checkKeys(fn, opts, ['mean', 'stddev', 'dtype', 'seed', 'name']);
    checkFloat(fn, opts.dtype);
    const mean = opts.mean ?? 0;
    const stddev = opts.stddev ?? 1;
    const plain = mean === 0 && stddev === 1;
    const draw = randomTensor(kind, checkShape(fn, shape), opts.seed, undefined, plain ? (opts.name ?? fn) : undefined);
    return plain ? draw : affine(draw, stddev, mean, opts.name ?? fn);
  };
}

/**
 * tf.random_normal(shape, {mean=0, stddev=1, dtype, seed, name}): N(mean, stddev²), new values every run.
 * @example
 * ```ts
 * const W = tf.Variable(tf.random_normal([784, 10], { stddev: 0.01, seed: 1 }));
 * ```
 */
export const random_normal = guarded('random_normal', normalLike('random_normal', 'normal'));

/**
 * tf.truncated_normal(shape, {mean, stddev, dtype, seed, name}): like random_normal, redrawn beyond 2 stddev.
 * @example
 * ```ts
 * const W = tf.Variable(tf.truncated_normal([5, 5, 1, 32], { stddev: 0.1 }));
 * ```
 */
export const truncated_normal = guarded('truncated_normal', normalLike('truncated_normal', 'truncated'));

export interface RandomUniformOptions {
  minval?: TensorLike;
  maxval?: TensorLike;
  dtype?: DType;
  seed?: number;
  name?: string;
}

/**
 * tf.random_uniform(shape, {minval=0, maxval=1, dtype, seed, name}): uniform in [minval, maxval).
 * @example
 * ```ts
 * const W = tf.Variable(tf.random_uniform([784, 10], { minval: -1, maxval: 1, seed: 1 }));
 * ```
 */
export const random_uniform = guarded('random_uniform', function random_uniform(shape: number[], minvalOrOptions?: number | RandomUniformOptions, options: RandomUniformOptions = {}): Tensor {
  const opts = typeof minvalOrOptions === 'number' ? { ...options, minval: minvalOrOptions } : { ...minvalOrOptions, ...options };
  checkKeys('random_uniform', opts, ['minval', 'maxval', 'dtype', 'seed', 'name']);
  checkFloat('random_uniform', opts.dtype);
  const minval = opts.minval ?? 0;
  const maxval = opts.maxval ?? 1;
  const plain = minval === 0 && maxval === 1;
  const draw = randomTensor('uniform', checkShape('random_uniform', shape), opts.seed, undefined, plain ? (opts.name ?? 'random_uniform') : undefined);
  if (plain) return draw;
  const range = typeof minval === 'number' && typeof maxval === 'number' ? maxval - minval : m.sub(maxval, minval);
  return affine(draw, range, minval, opts.name ?? 'random_uniform');
});
