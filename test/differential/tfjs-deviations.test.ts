/**
 * Where TF.js (cpu) itself departs from TF-1, each case decided by a float64 referee: central
 * differences of our float64 reference kernels where the loss is smooth, TF-1's documented rule (and the
 * directional derivative along a tie, which every rule must respect) where it is not. Each test asserts
 * ours matches the referee and pins what TF.js does, so a change on either side shows up here.
 */
import * as tfjs from '@tensorflow/tfjs';
import { beforeAll, describe, expect, it } from 'vitest';
import * as tf from '../../src-core/index';
import type { RefArray } from '../../src-core/ops/op-def';
import { centralDifferences, GRADIENT_TOL, mismatch } from './differential';

beforeAll(async () => {
  await tfjs.setBackend('cpu');
});

interface OursAndReferee {
  ours: number[];
  referee: number[];
}

/** d Σ f(x)·w / dx in ours (cpu Session) and by float64 central differences; w weights every output differently. */
function gradientAndReferee(shape: number[], values: number[], f: (x: tf.Tensor) => tf.Tensor): OursAndReferee {
  const graph = new tf.Graph();
  return graph.as_default(() => {
    const x = tf.placeholder('float32', shape);
    const y = f(x);
    const size = (y.shape as number[]).reduce((a, b) => a * b, 1);
    const w = tf.constant(new tf.NDArray(Float32Array.from({ length: size }, (_, i) => 1 + i / 4), y.shape as number[]));
    const loss = tf.reduce_sum(tf.multiply(y, w));
    const [g] = tf.gradients(loss, x) as tf.Tensor[];
    const sess = tf.Session({ backend: 'cpu', graph });
    try {
      const [ours] = sess.runSync([g], { feed_dict: [[x, new tf.NDArray(Float32Array.from(values), shape)]] });
      const feeds = new Map<tf.Tensor, RefArray>([[x, { shape, dtype: 'float32', data: Float64Array.from(values) }]]);
      return { ours: Array.from(ours.data), referee: Array.from(centralDifferences(loss, feeds, x)) };
    } finally {
      sess.close();
    }
  });
}

function theirGradient(shape: number[], values: number[], f: (x: tfjs.Tensor) => tfjs.Tensor): number[] {
  return tfjs.tidy(() => {
    const x = tfjs.tensor(values, shape);
    const probe = f(x);
    const w = tfjs.tensor(Array.from({ length: probe.size }, (_, i) => 1 + i / 4), probe.shape);
    return Array.from(tfjs.grad((v: tfjs.Tensor) => tfjs.sum(tfjs.mul(f(v), w)))(x).dataSync());
  });
}

const close = (a: number[], b: number[]) => mismatch(a, b, GRADIENT_TOL) === null;

describe('TF.js deviations from TF-1, refereed in float64', () => {
  it('avg_pool gradient at SAME borders: ours divides by the valid elements (TF-1); TF.js by the full window', () => {
    const values = Array.from({ length: 16 }, (_, i) => Math.fround(Math.sin(i + 1)));
    for (const [k, s] of [[2, 1], [3, 1], [3, 2]]) {
      const { ours, referee } = gradientAndReferee([1, 4, 4, 1], values, (x) => tf.nn.avg_pool(x, [1, k, k, 1], [1, s, s, 1], 'SAME'));
      expect(mismatch(ours, referee, GRADIENT_TOL), `ours, k ${k} s ${s}`).toBeNull();
      const theirs = theirGradient([1, 4, 4, 1], values, (x) => tfjs.avgPool(x as tfjs.Tensor4D, k, s, 'same'));
      expect(close(theirs, referee), `TF.js agreeing with the referee, k ${k} s ${s}`).toBe(false);
    }
    // TF.js's forward pass does divide by the valid count, so only its gradient is inconsistent with it.
    const forward = tfjs.avgPool(tfjs.tensor4d([1, 2, 3, 4, 5, 6, 7, 8, 9], [1, 3, 3, 1]), 2, 1, 'same');
    expect(Array.from(forward.dataSync())).toEqual([3, 4, 4.5, 6, 7, 7.5, 7.5, 8.5, 9]);
  });

  it('max_pool gradient with tied maxima: ours routes each window to its first max (TF-1); TF.js does too', () => {
    // 2x2 windows, stride 2: window 0 holds 3,3 (first at index 1), window 1 is all 5s (first at index 2).
    const values = [1, 3, 5, 5, 3, 2, 5, 5];
    const graph = new tf.Graph();
    const ours = graph.as_default(() => {
      const x = tf.placeholder('float32', [1, 2, 4, 1]);
      const [g] = tf.gradients(tf.reduce_sum(tf.multiply(tf.nn.max_pool(x, [1, 2, 2, 1], [1, 2, 2, 1], 'VALID'), tf.constant([[[[1], [2]]]]))), x) as tf.Tensor[];
      const sess = tf.Session({ backend: 'cpu', graph });
      try {
        return Array.from(sess.runSync([g], { feed_dict: [[x, new tf.NDArray(Float32Array.from(values), [1, 2, 4, 1])]] })[0].data);
      } finally {
        sess.close();
      }
    });
    // TF-1's rule by hand: dy 1 to window 0's first max, dy 2 to window 1's first max (row-major).
    const tf1 = [0, 1, 2, 0, 0, 0, 0, 0];
    expect(ours).toEqual(tf1);
    const theirs = tfjs.tidy(() => Array.from(tfjs.grad((v: tfjs.Tensor) => tfjs.sum(tfjs.mul(tfjs.maxPool(v as tfjs.Tensor4D, 2, 2, 'valid'), tfjs.tensor4d([1, 2], [1, 1, 2, 1]))))(tfjs.tensor4d(values, [1, 2, 4, 1])).dataSync()));
    expect(theirs).toEqual(tf1);
  });

  it('reduce_max gradient with ties: ours shares dy among the tied maxima (TF-1); TF.js gives each all of it', () => {
    const values = [1, 3, 3, 2, 3];
    const { ours } = gradientAndReferee([5], values, (x) => tf.reduce_max(x));
    ours.forEach((g, i) => expect(g, `element ${i}`).toBeCloseTo([0, 1 / 3, 1 / 3, 0, 1 / 3][i], 6));
    // The referee every rule must meet: moving all elements up by t moves the max by t (central differences in t).
    const along = gradientAndReferee([], [0], (t) => tf.reduce_max(tf.add(tf.constant(values), t)));
    expect(along.referee[0]).toBeCloseTo(1, 6);
    expect(along.ours[0]).toBeCloseTo(1, 6);
    expect(tfjs.tidy(() => tfjs.grad((t: tfjs.Tensor) => tfjs.max(tfjs.add(tfjs.tensor1d(values), t)))(tfjs.scalar(0)).dataSync()[0])).toBe(3);
    const theirs = theirGradient([5], values, (x) => tfjs.max(x));
    expect(theirs).toEqual([0, 1, 1, 0, 1]);
    expect(theirs.reduce((a, b) => a + b, 0)).toBe(3);
  });

  it("mirror pad's gradient: ours sums every mirrored copy (central differences agree); TF.js drops them", () => {
    const values = [0.3, -1.2, 0.7, 2.1, -0.4, 1.5];
    for (const [mode, paddings] of [['REFLECT', [[1, 1], [2, 1]]], ['SYMMETRIC', [[2, 0], [1, 3]]]] as const) {
      const pads = paddings.map((p) => [...p]) as [number, number][];
      const { ours, referee } = gradientAndReferee([2, 3], values, (x) => tf.pad(x, pads, mode));
      expect(mismatch(ours, referee, GRADIENT_TOL), `ours ${mode}`).toBeNull();
      const theirs = theirGradient([2, 3], values, (x) => tfjs.mirrorPad(x as tfjs.Tensor2D, pads, mode === 'REFLECT' ? 'reflect' : 'symmetric'));
      expect(close(theirs, referee), `TF.js ${mode} agreeing with the referee`).toBe(false);
    }
  });

  it('TF.js cannot differentiate minimum/maximum with broadcasting, unstack with one output, or prod over negative axes; ours matches central differences', () => {
    const cases: { name: string; shape: number[]; values: number[]; ours: (x: tf.Tensor) => tf.Tensor; theirs: (x: tfjs.Tensor) => tfjs.Tensor; error: RegExp }[] = [
      { name: 'minimum', shape: [2, 1], values: [0.4, 1.7], ours: (x) => tf.minimum(x, tf.constant([[0.1, 1, 2]])), theirs: (x) => tfjs.minimum(x, tfjs.tensor2d([[0.1, 1, 2]])), error: /gradient for op Minimum/ },
      { name: 'maximum', shape: [], values: [0.5], ours: (x) => tf.maximum(x, tf.constant([0.1, 1, 2])), theirs: (x) => tfjs.maximum(x, tfjs.tensor1d([0.1, 1, 2])), error: /gradient for op Maximum/ },
      { name: 'unstack', shape: [1, 3], values: [0.2, -0.5, 1.1], ours: (x) => tf.unstack(x, { axis: 0 })[0], theirs: (x) => tfjs.unstack(x, 0)[0], error: /stack/ },
      { name: 'reduce_prod', shape: [2, 3], values: [0.5, 1.5, -0.7, 1.2, 0.9, 2], ours: (x) => tf.reduce_prod(x, [-1]), theirs: (x) => tfjs.prod(x, [-1]), error: /perm/ },
    ];
    for (const c of cases) {
      const { ours, referee } = gradientAndReferee(c.shape, c.values, c.ours);
      expect(mismatch(ours, referee, GRADIENT_TOL), c.name).toBeNull();
      expect(() => theirGradient(c.shape, c.values, c.theirs), c.name).toThrow(c.error);
    }
  });
});
