/**
 * Random ops and dropout: distribution statistics, reproducibility from seeds (graph and op level), a
 * new draw on every run of one session, the same stream again in a fresh session, the reference
 * interpreter giving a plan's first draw, and dropout's mask, scaling, noise_shape and gradient.
 */
import { describe, expect, it } from 'vitest';
import * as tf from '../index';
import { randomTensor } from '../api/random';
import { NN_OP_GROUPS, expectGroupCovered, forwardCheck, gradCheck, newCoverage } from './nn-test-support';
import { inGraph, ndarray, runCpu, runReference, type Tensor } from './test-support';

const coverage = newCoverage();
const mean = (v: ArrayLike<number>) => Array.from(v).reduce((a, b) => a + b, 0) / v.length;
const variance = (v: ArrayLike<number>) => {
  const mu = mean(v);
  return Array.from(v).reduce((a, b) => a + (b - mu) ** 2, 0) / v.length;
};

describe('random ops', () => {
  it('random_uniform, random_normal, truncated_normal: ranges and moments', () => {
    inGraph((graph) => {
      const n = 20000;
      const u = tf.random_uniform([n], { minval: -2, maxval: 3 });
      const z = tf.random_normal([n], { mean: 1, stddev: 2 });
      const t = tf.truncated_normal([n], { stddev: 0.5 });
      const [uv, zv, tv] = runCpu(graph, [u, z, t]);
      expect(Math.min(...uv.data)).toBeGreaterThanOrEqual(-2);
      expect(Math.max(...uv.data)).toBeLessThan(3);
      expect(Math.abs(mean(uv.data) - 0.5)).toBeLessThan(0.05);
      expect(Math.abs(variance(uv.data) - 25 / 12)).toBeLessThan(0.1);
      expect(Math.abs(mean(zv.data) - 1)).toBeLessThan(0.05);
      expect(Math.abs(Math.sqrt(variance(zv.data)) - 2)).toBeLessThan(0.05);
      expect(Math.max(...Array.from(tv.data, Math.abs))).toBeLessThanOrEqual(1);
      // A N(0,1) truncated at ±2 has standard deviation 0.8796; scaled by 0.5.
      expect(Math.abs(Math.sqrt(variance(tv.data)) - 0.5 * 0.8796)).toBeLessThan(0.01);
    });
  });

  it('new values on every run, the same stream in a fresh session, and the reference is the first draw', async () => {
    const graph = new tf.Graph();
    const u = graph.as_default(() => tf.random_uniform([4], { seed: 7 }));
    const first = tf.Session({ graph });
    const [a1, a2] = [first.runSync(u), first.runSync(u)];
    first.close();
    const second = tf.Session({ graph });
    const b1 = await second.run(u);
    second.close();
    expect(Array.from(a1.data)).not.toEqual(Array.from(a2.data));
    expect(Array.from(b1.data)).toEqual(Array.from(a1.data));
    expect(Array.from(runReference([u])[0].data)).toEqual(Array.from(a1.data));
  });

  it('every kind: cpu first draw equals the reference; no gradient flows into the shape input', () => {
    inGraph((graph) => {
      const x = tf.placeholder('float32', [null, 3]);
      const like = (kind: 'uniform' | 'normal' | 'truncated') => randomTensor(kind, [-1, 3], 11, x);
      const draws = [like('uniform'), like('normal'), like('truncated'), tf.random_normal([2, 2], { seed: 1 }), tf.truncated_normal([7], { seed: 2 })];
      expect(draws[0].shape).toEqual([null, 3]);
      forwardCheck(graph, draws, [[x, ndarray(new Float32Array(12), [4, 3])]], { rtol: 0, coverage });
      const [g] = tf.gradients(tf.reduce_sum(tf.add(tf.multiply(x, 2), tf.add(draws[0], draws[1]))), [x]) as Tensor[];
      expect(g).not.toBeNull();
      expect(tf.gradients(tf.reduce_sum(draws[2]), [x])).toEqual([null]);
      for (const t of NN_OP_GROUPS.random) coverage.grad.add(t);
      expectGroupCovered('random', coverage);
    });
  });

  it('seeds: op seeds and graph seeds (set_random_seed) fix the stream; different seeds differ', () => {
    const draw = (graphSeed: number | null, opSeed?: number, extraOps = 0): number[] =>
      inGraph((graph) => {
        if (graphSeed !== null) tf.set_random_seed(graphSeed);
        for (let i = 0; i < extraOps; i++) tf.zeros([1]);
        return Array.from(runCpu(graph, [tf.random_normal([5], { seed: opSeed })])[0].data);
      });
    expect(draw(1, 5)).toEqual(draw(1, 5));
    expect(draw(1, 5, 3)).toEqual(draw(1, 5));
    expect(draw(1, 5)).not.toEqual(draw(2, 5));
    expect(draw(1, 5)).not.toEqual(draw(1, 6));
    // Without an op seed the op's position in the graph picks the stream: same program, same numbers.
    expect(draw(3)).toEqual(draw(3));
    expect(draw(3)).not.toEqual(draw(3, undefined, 1));
    expect(draw(null)).toEqual(draw(null));
  });

  it('reject non-float dtypes and bad shapes', () => {
    inGraph(() => {
      expect(() => tf.random_uniform([2], { dtype: 'int32' })).toThrow(/only float32/);
      expect(() => tf.random_normal([2, -1])).toThrow(/non-negative integers/);
      expect(() => tf.set_random_seed(0.5)).toThrow(/integer/);
    });
  });
});

describe('dropout', () => {
  it('keeps about keep_prob of the elements, scaled by 1/keep_prob, so the mean is preserved', () => {
    inGraph((graph) => {
      const x = tf.ones([200, 100]);
      const [y] = runCpu(graph, [tf.nn.dropout(x, 0.3, { seed: 1 })]);
      const values = Array.from(y.data);
      const kept = values.filter((v) => v !== 0);
      expect(kept.every((v) => Math.abs(v - 1 / 0.3) < 1e-6)).toBe(true);
      expect(Math.abs(kept.length / values.length - 0.3)).toBeLessThan(0.015);
      expect(Math.abs(mean(values) - 1)).toBeLessThan(0.05);
    });
  });

  it('is reproducible from its seed, takes keep_prob from a placeholder, and keep_prob 1 is the identity', () => {
    const run = (seed: number): number[] =>
      inGraph((graph) => Array.from(runCpu(graph, [tf.nn.dropout(tf.ones([50]), 0.5, { seed })])[0].data));
    expect(run(3)).toEqual(run(3));
    expect(run(3)).not.toEqual(run(4));
    inGraph((graph) => {
      const x = tf.placeholder('float32', [null, 8]);
      const keep = tf.placeholder('float32', []);
      const y = tf.nn.dropout(x, keep);
      const data = ndarray(Float32Array.from({ length: 16 }, (_, i) => i - 4), [2, 8]);
      const [same] = runCpu(graph, [y], [[x, data], [keep, ndarray(Float32Array.of(1), [])]]);
      expect(Array.from(same.data)).toEqual(Array.from(data.data));
      expect(tf.nn.dropout(x, 1)).toBe(x);
      expect(() => tf.nn.dropout(x, 0)).toThrow(/keep_prob must be in \(0, 1\]/);
      expect(tf.nn.dropout(x, undefined, { rate: 0.25 }).shape).toEqual([null, 8]);
    });
  });

  it('noise_shape drops whole rows; the gradient is the same mask over keep_prob', () => {
    inGraph((graph) => {
      const x = tf.placeholder('float32', [null, 6]);
      const y = tf.nn.dropout(x, 0.5, { noise_shape: [null, 1], seed: 2 });
      const [dx] = tf.gradients(tf.reduce_sum(y), x) as Tensor[];
      const [yv, gv] = runCpu(graph, [y, dx], [[x, ndarray(new Float32Array(60).fill(1), [10, 6])]]);
      for (let r = 0; r < 10; r++) {
        const row = Array.from(yv.data.slice(r * 6, r * 6 + 6));
        expect(new Set(row).size).toBe(1);
        expect([0, 2]).toContain(row[0]);
      }
      // y = x * mask / keep with x = 1, so dy/dx equals y.
      expect(Array.from(gv.data)).toEqual(Array.from(yv.data));
    });
  });

  it('gradient vs central differences (the reference draws the same mask every evaluation)', () => {
    inGraph(() => {
      const x = tf.placeholder('float32', [3, 4]);
      gradCheck([[x, ndarray(Float32Array.from({ length: 12 }, (_, i) => i / 3 - 2), [3, 4])]], tf.nn.dropout(x, 0.6, { seed: 9 }), { seed: 1, coverage });
      expect(coverage.grad.has('RandomUniform')).toBe(true);
    });
  });
});

describe('random streams in a session', () => {
  it('go on across plans (different fetches), and a fresh session replays them', () => {
    inGraph((graph) => {
      const r = tf.random_uniform([4], { seed: 3 });
      const shifted = tf.add(r, 0);
      const draw = (sess: tf.Session, t: Tensor) => Array.from(sess.runSync(t).data);
      const sess = tf.Session({ backend: 'cpu', graph });
      const first = draw(sess, r);
      // A new fetch set compiles a new plan: it must continue the op's stream, not restart it.
      const second = draw(sess, shifted);
      expect(second).not.toEqual(first);
      const again = tf.Session({ backend: 'cpu', graph });
      expect(draw(again, shifted)).toEqual(first);
      expect(draw(again, r)).toEqual(second);
      sess.close();
      again.close();
    });
  });
});
