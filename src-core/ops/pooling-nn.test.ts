/**
 * MaxPool / AvgPool and their gradients: known TF-1 values (the average counts only real elements),
 * the cpu lowering vs the naive-loop reference over random geometries and both layouts, gradient
 * checks vs central differences, and max-pool ties going to the first maximum only (as TF).
 */
import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import * as tf from '../index';
import * as m from '../api/math-core';
import type { PoolAttrs } from './pooling';
import { expectGroupCovered, forwardCheck, gradCheck, newCoverage } from './nn-test-support';
import {
  distinctFloats, inGraph, makeRng, ndarray, propertyRunner, randomFloats, runCpu, runReference, seedArb, type Tensor,
} from './test-support';

const forward = propertyRunner(40);
const gradients = propertyRunner(12);

interface Geometry {
  n: number;
  h: number;
  w: number;
  c: number;
  kh: number;
  kw: number;
  sh: number;
  sw: number;
  padding: 'SAME' | 'VALID';
  format: 'NHWC' | 'NCHW';
}

function geometryArb(maxSize: number): fc.Arbitrary<Geometry> {
  const dim = (max: number) => fc.noBias(fc.integer({ min: 1, max }));
  return fc
    .record({
      n: dim(2), h: dim(maxSize), w: dim(maxSize), c: dim(3), kh: dim(4), kw: dim(4), sh: dim(3), sw: dim(3),
      padding: fc.constantFrom<'SAME' | 'VALID'>('SAME', 'VALID'), format: fc.constantFrom<'NHWC' | 'NCHW'>('NHWC', 'NCHW'),
    })
    .map((g) => ({ ...g, padding: g.h >= g.kh && g.w >= g.kw ? g.padding : 'SAME' }));
}

function attrsOf(g: Geometry): PoolAttrs {
  const nhwc = g.format === 'NHWC';
  return {
    ksize: nhwc ? [1, g.kh, g.kw, 1] : [1, 1, g.kh, g.kw],
    strides: nhwc ? [1, g.sh, g.sw, 1] : [1, 1, g.sh, g.sw],
    padding: g.padding,
    data_format: g.format,
  };
}

const inputShape = (g: Geometry) => (g.format === 'NHWC' ? [g.n, g.h, g.w, g.c] : [g.n, g.c, g.h, g.w]);
const size = (shape: number[]) => shape.reduce((a, b) => a * b, 1);

const coverage = newCoverage();

describe('pooling forward', () => {
  it('matches TF-1 on known values; avg_pool divides by the count of real elements', () => {
    inGraph((graph) => {
      const x = tf.constant(ndarray(Float32Array.from({ length: 16 }, (_, i) => (i * 7) % 16), [1, 4, 4, 1]));
      const max = tf.nn.max_pool(x, [1, 2, 2, 1], [1, 2, 2, 1], 'VALID');
      const small = tf.constant(ndarray(Float32Array.of(1, 2, 3, 4), [1, 2, 2, 1]));
      const avg = tf.nn.avg_pool(small, [1, 2, 2, 1], [1, 1, 1, 1], 'SAME');
      const avgNchw = tf.nn.avg_pool(tf.reshape(small, [1, 1, 2, 2]), 2, 1, 'SAME', { data_format: 'NCHW' });
      const maxSame = tf.nn.max_pool(tf.negative(small), 3, 2, 'SAME');
      const [a, b, c, d] = runCpu(graph, [max, avg, avgNchw, maxSame]);
      // x rows: [0 7 14 5] [12 3 10 1] [8 15 6 13] [4 11 2 9]
      expect(Array.from(a.data)).toEqual([12, 14, 15, 13]);
      expect(Array.from(b.data)).toEqual([2.5, 3, 3.5, 4]);
      expect(Array.from(c.data)).toEqual([2.5, 3, 3.5, 4]);
      // Padding never wins a max, even over all-negative values.
      expect(Array.from(d.data)).toEqual([-1]);
      expect(d.shape).toEqual([1, 1, 1, 1]);
    });
  });

  it('cpu lowering (im2col + reduce) matches the naive-loop reference', () => {
    forward(geometryArb(7), seedArb, fc.boolean(), (g, seed, isMax) => {
      inGraph((graph) => {
        const shape = inputShape(g);
        const x = tf.placeholder('float32', shape);
        const y = isMax ? m.maxPool(x, attrsOf(g)) : m.avgPool(x, attrsOf(g));
        forwardCheck(graph, [y], [[x, ndarray(randomFloats(makeRng(seed), size(shape)), shape)]], { coverage });
      });
    });
  });

  it('infers partial shapes and rejects bad attributes by node name', () => {
    inGraph(() => {
      const x = tf.placeholder('float32', [null, 28, 28, 32]);
      expect(tf.nn.max_pool(x, [1, 2, 2, 1], [1, 2, 2, 1], 'SAME').shape).toEqual([null, 14, 14, 32]);
      expect(tf.nn.avg_pool(tf.placeholder('float32', [null, 3, 7, 7]), 3, 2, 'VALID', { data_format: 'NCHW' }).shape).toEqual([null, 3, 3, 3]);
      expect(() => tf.nn.max_pool(x, [2, 2, 2, 1], [1, 2, 2, 1], 'SAME')).toThrow(/MaxPool 'MaxPool_\d+': ksize \[2,2,2,1\] must be 1 in the batch and channel dims/);
      expect(() => tf.nn.avg_pool(tf.placeholder('float32', [2, 3]), 2, 2, 'SAME')).toThrow(/AvgPool '.*': input must be rank 4/);
    });
  });
});

describe('pooling gradients', () => {
  it('MaxPool and AvgPool vs central differences (distinct values for max: no ties within a step)', () => {
    gradients(geometryArb(6), seedArb, fc.boolean(), (g, seed, isMax) => {
      inGraph(() => {
        const shape = inputShape(g);
        const rng = makeRng(seed);
        const xv = ndarray(isMax ? distinctFloats(rng, size(shape)) : randomFloats(rng, size(shape)), shape);
        const x = tf.placeholder('float32', shape);
        gradCheck([[x, xv]], isMax ? m.maxPool(x, attrsOf(g)) : m.avgPool(x, attrsOf(g)), { seed, coverage });
      });
    });
  });

  it('AvgPoolGrad (second order) vs central differences', () => {
    gradients(geometryArb(5), seedArb, (g, seed) => {
      inGraph(() => {
        const shape = inputShape(g);
        const x = tf.placeholder('float32', shape);
        const y = m.avgPool(x, attrsOf(g));
        const dyShape = y.shape as number[];
        const dy = tf.placeholder('float32', dyShape);
        const feeds: [Tensor, tf.NDArray][] = [[x, ndarray(new Float32Array(size(shape)), shape)]];
        gradCheck([[dy, ndarray(randomFloats(makeRng(seed), size(dyShape)), dyShape)]], m.avgPoolGrad(dy, x, attrsOf(g)), {
          seed, coverage, extraFeeds: feeds, noGrad: [x],
        });
      });
    });
  });

  it('max pool ties route the whole gradient to the first maximum (as TF), overlapping windows add up', () => {
    inGraph((graph) => {
      const x = tf.placeholder('float32', [1, 4, 4, 1]);
      const zeros = ndarray(new Float32Array(16), [1, 4, 4, 1]);
      const [plain] = tf.gradients(tf.reduce_sum(tf.nn.max_pool(x, 2, 2, 'VALID')), x) as Tensor[];
      const [overlap] = tf.gradients(tf.reduce_sum(tf.nn.max_pool(x, 3, 1, 'SAME')), x) as Tensor[];
      const [a, b] = runCpu(graph, [plain, overlap], [[x, zeros]]);
      expect(Array.from(a.data)).toEqual([1, 0, 1, 0, 0, 0, 0, 0, 1, 0, 1, 0, 0, 0, 0, 0]);
      // 3x3 SAME windows start one row/column before each position: the first real element of each.
      expect(Array.from(b.data)).toEqual([4, 2, 2, 0, 2, 1, 1, 0, 2, 1, 1, 0, 0, 0, 0, 0]);
    });
  });

  it('max pool gradient on grid values with many ties: cpu matches the first-max reference, both layouts', () => {
    forward(geometryArb(6), seedArb, (g, seed) => {
      inGraph((graph) => {
        const shape = inputShape(g);
        const x = tf.placeholder('float32', shape);
        const y = m.maxPool(tf.nn.relu(x), attrsOf(g));
        const [dx] = tf.gradients(tf.reduce_sum(tf.multiply(y, y)), x) as Tensor[];
        forwardCheck(graph, [dx], [[x, ndarray(randomFloats(makeRng(seed), size(shape), 'grid'), shape)]], { coverage });
      });
    });
  });

  it('MaxPoolGrad itself has no gradient (second order through max pool is unsupported)', () => {
    inGraph(() => {
      const x = tf.placeholder('float32', [1, 2, 2, 1]);
      const [dx] = tf.gradients(tf.reduce_sum(tf.nn.max_pool(x, 2, 2, 'VALID')), x) as Tensor[];
      expect(() => tf.gradients(tf.reduce_sum(tf.square(dx)), x)).toThrow(/no gradient is defined for MaxPoolGrad/);
      expect(runReference([dx], [[x, ndarray(Float32Array.of(1, 4, 3, 2), [1, 2, 2, 1])]])[0].data).toEqual(Float64Array.of(0, 1, 0, 0));
    });
  });

  it('covered every pooling op type (forward and gradient)', () => {
    expectGroupCovered('pooling', coverage);
  });
});
