/** Shared by the compiler tests: small graphs, seeded data, and a backend that counts allocations. */
import type { Backend, BackendBuffer, DType } from '../../backends/interface';
import * as tf from '../index';
import type { Optimizations } from './passes';
import { modelEntry } from '../models';

/** A deterministic stream of floats in [lo, hi). */
export function seededFloats(seed: number, n: number, lo = -1, hi = 1): Float32Array {
  let s = seed >>> 0 || 1;
  const out = new Float32Array(n);
  for (let i = 0; i < n; i++) {
    s ^= s << 13;
    s ^= s >>> 17;
    s ^= s << 5;
    out[i] = lo + ((s >>> 0) / 2 ** 32) * (hi - lo);
  }
  return out;
}

/** One-hot rows for `n` labels 0..9 drawn from the seed. */
export function seededOneHot(seed: number, n: number): Float32Array {
  const u = seededFloats(seed, n, 0, 10);
  const out = new Float32Array(n * 10);
  u.forEach((v, i) => (out[i * 10 + Math.floor(v)] = 1));
  return out;
}

/** Wraps a backend so every `alloc` is counted; the wrapper is a Backend the session can own or borrow. */
export function countingBackend(inner: Backend): { backend: Backend; allocations: () => number } {
  let count = 0;
  const backend = new Proxy(inner, {
    get(target, prop, receiver) {
      if (prop === 'alloc') {
        return (dtype: DType, size: number): BackendBuffer => {
          count++;
          return target.alloc(dtype, size);
        };
      }
      const value: unknown = Reflect.get(target, prop, receiver);
      return typeof value === 'function' ? (value as (...args: unknown[]) => unknown).bind(target) : value;
    },
  });
  return { backend, allocations: () => count };
}

export type OptimizationChoice = boolean | Partial<Optimizations>;

export function describeChoice(choice: OptimizationChoice): string {
  if (typeof choice === 'boolean') return choice ? 'all passes' : 'no passes';
  return Object.entries(choice).map(([k, v]) => `${k} ${v ? 'on' : 'off'}`).join(', ');
}

export interface TrainingRun {
  losses: number[];
  /** Every global variable (weights and optimizer slots) after the last step, by name. */
  variables: Map<string, Float32Array>;
  session: tf.Session;
  /** The last step's fetches and feeds, to run more identical steps in the same session. */
  replay: { fetches: [tf.Tensor, tf.Operation | tf.Tensor]; feeds: [tf.Tensor, tf.NDArray][] };
}

/**
 * Trains a zoo model for `steps` steps of `batch` seeded examples (the same data every call) on a
 * fresh graph with a fixed random seed, so runs that differ only in compiler passes are comparable.
 */
export async function trainModel(
  model: string, backend: Backend, optimizations: OptimizationChoice, { steps = 5, batch = 16, keepOpen = false, learningRate }: { steps?: number; batch?: number; keepOpen?: boolean; learningRate?: number } = {},
): Promise<TrainingRun> {
  const graph = new tf.Graph();
  return graph.as_default(async () => {
    tf.set_random_seed(7);
    const entry = modelEntry(model);
    const built = entry.build({ learningRate: learningRate ?? entry.defaultLearningRate });
    const session = tf.Session({ backend, graph, optimizations });
    const xShape = built.flatten ? [batch, 784] : [batch, 1, 28, 28];
    const losses: number[] = [];
    const fetches: [tf.Tensor, tf.Operation | tf.Tensor] = [built.loss, built.trainOp];
    let feeds: [tf.Tensor, tf.NDArray][] = [];
    try {
      await session.run(tf.global_variables_initializer());
      for (let s = 0; s < steps; s++) {
        const feed_dict: [tf.Tensor, tf.NDArray][] = [
          [built.x, new tf.NDArray(seededFloats(100 + s, batch * 784, 0, 1), xShape, 'float32')],
          [built.labels, new tf.NDArray(seededOneHot(200 + s, batch), [batch, 10], 'float32')],
        ];
        feeds = feed_dict;
        const [loss] = await session.run(fetches, { feed_dict });
        losses.push(loss.item());
      }
      const variables = new Map<string, Float32Array>();
      for (const v of tf.global_variables(graph)) variables.set(v.op.name, (await session.run(v)).data as Float32Array);
      return { losses, variables, session, replay: { fetches, feeds } };
    } finally {
      if (!keepOpen) session.close();
    }
  });
}
