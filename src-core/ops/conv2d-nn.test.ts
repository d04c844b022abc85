/**
 * Conv2D and its backprop ops: TF-1's output sizes and SAME padding split on known values, the cpu
 * lowering (im2col strided copies + matmul) vs the naive-loop reference over random geometries, NHWC
 * vs NCHW agreement, and gradient checks (first and second order) against central differences.
 */
import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import * as tf from '../index';
import * as m from '../api/math-core';
import type { Conv2DAttrs } from './conv2d';
import { expectGroupCovered, forwardCheck, gradCheck, newCoverage } from './nn-test-support';
import { inGraph, makeRng, ndarray, propertyRunner, randomFloats, runCpu, seedArb, type Tensor } from './test-support';

const forward = propertyRunner(40);
const gradients = propertyRunner(10);

interface Geometry {
  n: number;
  h: number;
  w: number;
  c: number;
  f: number;
  kh: number;
  kw: number;
  sh: number;
  sw: number;
  dh: number;
  dw: number;
  padding: 'SAME' | 'VALID';
  format: 'NHWC' | 'NCHW';
}

/** Random geometries; VALID only where the (dilated) kernel fits. */
function geometryArb(maxSize: number, maxK: number, maxC: number, dilate: boolean): fc.Arbitrary<Geometry> {
  const dim = (max: number) => fc.noBias(fc.integer({ min: 1, max }));
  return fc
    .record({
      n: dim(2), h: dim(maxSize), w: dim(maxSize), c: dim(maxC), f: dim(maxC), kh: dim(maxK), kw: dim(maxK),
      sh: dim(3), sw: dim(3), dh: dilate ? dim(2) : fc.constant(1), dw: dilate ? dim(2) : fc.constant(1),
      padding: fc.constantFrom<'SAME' | 'VALID'>('SAME', 'VALID'), format: fc.constantFrom<'NHWC' | 'NCHW'>('NHWC', 'NCHW'),
    })
    .map((g) => {
      const fits = g.h >= (g.kh - 1) * g.dh + 1 && g.w >= (g.kw - 1) * g.dw + 1;
      return { ...g, padding: fits ? g.padding : 'SAME' };
    });
}

function attrsOf(g: Geometry): Conv2DAttrs {
  const nhwc = g.format === 'NHWC';
  return {
    strides: nhwc ? [1, g.sh, g.sw, 1] : [1, 1, g.sh, g.sw],
    dilations: nhwc ? [1, g.dh, g.dw, 1] : [1, 1, g.dh, g.dw],
    padding: g.padding,
    data_format: g.format,
  };
}

const inputShape = (g: Geometry) => (g.format === 'NHWC' ? [g.n, g.h, g.w, g.c] : [g.n, g.c, g.h, g.w]);
const filterShape = (g: Geometry) => [g.kh, g.kw, g.c, g.f];

function feedsFor(g: Geometry, seed: number): { x: Tensor; f: Tensor; xv: tf.NDArray; fv: tf.NDArray } {
  const rng = makeRng(seed);
  const xs = inputShape(g);
  const fs = filterShape(g);
  const xv = ndarray(randomFloats(rng, xs.reduce((a, b) => a * b, 1)), xs);
  const fv = ndarray(randomFloats(rng, fs.reduce((a, b) => a * b, 1)), fs);
  return { x: tf.placeholder('float32', xs), f: tf.placeholder('float32', fs), xv, fv };
}

const coverage = newCoverage();

describe('Conv2D forward', () => {
  it('matches TF-1 on known values: SAME pads after first (k=2), stride 2, VALID, NCHW', () => {
    inGraph((graph) => {
      const x = tf.constant(ndarray(Float32Array.from({ length: 9 }, (_, i) => i + 1), [1, 3, 3, 1]));
      const ones = tf.constant(ndarray(new Float32Array(4).fill(1), [2, 2, 1, 1]));
      const same = tf.nn.conv2d(x, ones, [1, 1, 1, 1], 'SAME');
      const valid = tf.nn.conv2d(x, ones, [1, 1, 1, 1], 'VALID');
      const strided = tf.nn.conv2d(x, ones, [1, 2, 2, 1], 'SAME');
      const nchw = tf.nn.conv2d(tf.reshape(x, [1, 1, 3, 3]), ones, [1, 1, 1, 1], 'SAME', { data_format: 'NCHW' });
      expect(same.shape).toEqual([1, 3, 3, 1]);
      expect(valid.shape).toEqual([1, 2, 2, 1]);
      expect(strided.shape).toEqual([1, 2, 2, 1]);
      expect(nchw.shape).toEqual([1, 1, 3, 3]);
      const [s, v, st, nc] = runCpu(graph, [same, valid, strided, nchw]);
      expect(Array.from(s.data)).toEqual([12, 16, 9, 24, 28, 15, 15, 17, 9]);
      expect(Array.from(v.data)).toEqual([12, 16, 24, 28]);
      expect(Array.from(st.data)).toEqual([12, 9, 15, 9]);
      expect(Array.from(nc.data)).toEqual([12, 16, 9, 24, 28, 15, 15, 17, 9]);
    });
  });

  it('splits odd SAME padding as TF does (pad_top = floor(total / 2)), with strides and dilation', () => {
    inGraph((graph) => {
      // in 5, k 4, s 1: total 3 -> 1 before, 2 after. A one-hot filter at tap (0, 0) reads x shifted by -1.
      const x = tf.constant(ndarray(Float32Array.from({ length: 25 }, (_, i) => i + 1), [1, 5, 5, 1]));
      const tap = new Float32Array(16);
      tap[0] = 1;
      const shifted = tf.nn.conv2d(x, tf.constant(ndarray(tap, [4, 4, 1, 1])), 1, 'SAME');
      // in 5, k 2 dilated by 2 (effective 3), s 2: out 3, total max(2*2+3-5, 0) = 2 -> 1 before.
      const dilated = tf.nn.conv2d(x, tf.constant(ndarray(Float32Array.of(1, 0, 0, 0), [2, 2, 1, 1])), 2, 'SAME', { dilations: 2 });
      const [a, b] = runCpu(graph, [shifted, dilated]);
      const at = (r: number, c: number) => (r < 0 || c < 0 || r > 4 || c > 4 ? 0 : r * 5 + c + 1);
      expect(Array.from(a.data)).toEqual(Array.from({ length: 25 }, (_, i) => at(Math.floor(i / 5) - 1, (i % 5) - 1)));
      expect(Array.from(b.data)).toEqual([0, 0, 0, 0, 7, 9, 0, 17, 19]);
    });
  });

  it('cpu lowering (im2col + matmul) matches the naive-loop reference over random geometries', () => {
    forward(geometryArb(7, 5, 3, true), seedArb, (g, seed) => {
      inGraph((graph) => {
        const { x, f, xv, fv } = feedsFor(g, seed);
        forwardCheck(graph, [m.conv2d(x, f, attrsOf(g))], [[x, xv], [f, fv]], { coverage });
      });
    });
  });

  it('NCHW equals the transposed NHWC result, including the 1x1 stride-1 path (no patch copy)', () => {
    forward(geometryArb(6, 3, 3, false), seedArb, (g, seed) => {
      inGraph((graph) => {
        const nhwc = { ...g, format: 'NHWC' as const };
        const { x, f, xv, fv } = feedsFor(nhwc, seed);
        const a = m.conv2d(x, f, attrsOf(nhwc));
        const b = m.conv2d(tf.transpose(x, [0, 3, 1, 2]), f, attrsOf({ ...g, format: 'NCHW' }));
        const [ra, rb] = runCpu(graph, [tf.transpose(a, [0, 3, 1, 2]), b], [[x, xv], [f, fv]]);
        const scale = Math.max(1, ...Array.from(ra.data, Math.abs));
        Array.from(rb.data).forEach((v, i) => expect(Math.abs(v - ra.data[i])).toBeLessThanOrEqual(1e-5 * scale));
      });
    });
  });

  it('infers partial shapes and names the node in shape errors', () => {
    inGraph(() => {
      const x = tf.placeholder('float32', [null, 28, 28, 3]);
      const y = tf.nn.conv2d(x, tf.placeholder('float32', [5, 5, 3, 8]), [1, 2, 2, 1], 'SAME');
      expect(y.shape).toEqual([null, 14, 14, 8]);
      expect(tf.nn.conv2d(tf.placeholder('float32'), tf.placeholder('float32', [3, 3, 1, 4]), 1, 'VALID').shape).toEqual([null, null, null, 4]);
      expect(() => tf.nn.conv2d(x, tf.placeholder('float32', [3, 3, 4, 8]), 1, 'SAME'))
        .toThrow(/Conv2D 'Conv2D_\d+': input has 3 channels \(NHWC \[\?,28,28,3\]\) but the filter expects 4/);
      expect(() => tf.nn.conv2d(x, tf.placeholder('float32', [3, 3, 3, 8]), [2, 1, 1, 1], 'SAME')).toThrow(/must be 1 in the batch and channel dims/);
      expect(() => tf.nn.conv2d(x, tf.placeholder('float32', [30, 3, 3, 8]), 1, 'VALID')).toThrow(/VALID height window of 30/);
      expect(() => tf.nn.conv2d(x, tf.placeholder('float32', [3, 3, 3, 8]), 1, 'same' as 'SAME')).toThrow(/padding must be 'SAME' or 'VALID'/);
    });
  });
});

describe('Conv2D gradients vs central differences', () => {
  it('NHWC and NCHW, strides 1..3, SAME/VALID, kernels 1..5, odd sizes, dilation', () => {
    gradients(geometryArb(6, 5, 2, true), seedArb, (g, seed) => {
      inGraph(() => {
        const { x, f, xv, fv } = feedsFor(g, seed);
        gradCheck([[x, xv], [f, fv]], m.conv2d(x, f, attrsOf(g)), { seed, coverage });
      });
    });
  });

  it('with an unknown batch dim: one graph, fed two batch sizes', () => {
    inGraph((graph) => {
      const x = tf.placeholder('float32', [null, 5, 4, 2]);
      const f = tf.placeholder('float32', [3, 2, 2, 3]);
      const y = tf.nn.conv2d(x, f, [1, 2, 1, 1], 'SAME');
      const [dx, df] = tf.gradients(tf.reduce_sum(tf.square(y)), [x, f]) as Tensor[];
      for (const n of [1, 3]) {
        const rng = makeRng(n);
        const feeds: [Tensor, tf.NDArray][] = [[x, ndarray(randomFloats(rng, n * 40), [n, 5, 4, 2])], [f, ndarray(randomFloats(rng, 36), [3, 2, 2, 3])]];
        const [gx, gf] = forwardCheck(graph, [dx, df], feeds, { rtol: 1e-4, coverage });
        expect(gx.shape).toEqual([n, 5, 4, 2]);
        expect(gf.shape).toEqual([3, 2, 2, 3]);
      }
    });
  });

  it('second order: the backprop ops differentiated w.r.t. their value inputs', () => {
    gradients(geometryArb(5, 3, 2, false), seedArb, fc.boolean(), (g, seed, filterSide) => {
      inGraph(() => {
        const { x, f, xv, fv } = feedsFor(g, seed);
        const y = m.conv2d(x, f, attrsOf(g));
        const dyShape = y.shape as number[];
        const dyv = ndarray(randomFloats(makeRng(seed + 1), dyShape.reduce((a, b) => a * b, 1)), dyShape);
        const dy = tf.placeholder('float32', dyShape);
        if (filterSide) {
          gradCheck([[x, xv], [dy, dyv]], m.conv2dBackpropFilter(x, dy, f, attrsOf(g)), { seed, coverage, extraFeeds: [[f, fv]], noGrad: [f] });
        } else {
          gradCheck([[f, fv], [dy, dyv]], m.conv2dBackpropInput(f, dy, x, attrsOf(g)), { seed, coverage, extraFeeds: [[x, xv]], noGrad: [x] });
        }
      });
    });
  });

  it('covered every conv op type (forward and gradient)', () => {
    expectGroupCovered('conv2d', coverage);
  });
});
