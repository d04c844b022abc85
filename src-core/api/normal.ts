/**
 * tinyflow's `tf.normal(shape, stdev)`: normally distributed initial values, seeded so that a program
 * builds the same initial weights on every run and every backend.
 */
import { InvalidArgumentError } from '../errors';
import { getDefaultGraph } from '../graph/graph';
import { numElements } from '../graph/shape';
import type { Tensor } from '../graph/tensor';
import { NDArray } from '../ndarray';
import { Rng } from '../util/rng';
import { constantTensor } from './convert';
import { guarded, checkKeys } from './options';

export interface NormalOptions {
  /** Op-level seed; combined with the graph's seed (`graph.seed`) when that is set. */
  seed?: number;
  name?: string;
}

/** Used when neither the graph nor the call gives a seed: still deterministic, like TF-1 with a graph seed. */
const DEFAULT_GRAPH_SEED = 87654321;

/**
 * Values drawn from N(0, stdev²), `stdev` defaulting to 1.0 as tinyflow's own does (weights usually
 * want a smaller one, given explicitly: `tf.normal(shape, 0.01)`). Without an op seed, each call draws a different stream, fixed by the
 * order in which the graph was built.
 *
 * The values are drawn on the host once, when the graph is built, and held as a constant: an
 * initializer needs one draw, and this works on every backend without a random kernel.
 * @example
 * ```ts
 * const W = tf.Variable(tf.normal([784, 10], 0.01));
 * ```
 */
export const normal = guarded('normal', function normal(shape: number[], stdev: number = 1.0, options: NormalOptions = {}): Tensor {
  checkKeys('normal', options, ['seed', 'name']);
  if (!Array.isArray(shape) || shape.some((d) => !Number.isInteger(d) || d < 0)) {
    throw new InvalidArgumentError(`normal: shape must be a list of non-negative integers, got ${JSON.stringify(shape)}`);
  }
  if (!Number.isFinite(stdev) || stdev < 0) throw new InvalidArgumentError(`normal: stdev must be a finite number >= 0, got ${stdev}`);
  const graph = getDefaultGraph();
  // graph.version counts the ops built so far: a different stream for each call, the same on every run.
  const opSeed = options.seed ?? graph.version;
  const rng = Rng.fromSeed(Math.imul((graph.seed ?? DEFAULT_GRAPH_SEED) | 0, 0x9e3779b1) ^ (opSeed | 0));
  const data = new Float32Array(numElements(shape));
  for (let i = 0; i < data.length; i++) data[i] = rng.nextNormal() * stdev;
  return constantTensor(new NDArray(data, shape), 'float32', options.name ?? 'normal', graph);
});
