/**
 * bias_add, the softmax cross-entropies and l2_loss: forward values vs the reference, stability at
 * logits of ±1e4 (finite loss and the fused gradient), the TF-1 keyword and tinyflow positional
 * forms, and gradient checks vs central differences.
 */
import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import * as tf from '../index';
import * as m from '../api/math-core';
import { expectGroupCovered, forwardCheck, gradCheck, newCoverage } from './nn-test-support';
import {
  inGraph, makeRng, ndarray, propertyRunner, randomFloats, randomInts, runCpu, seedArb, shapeArb, type Tensor,
} from './test-support';

const property = propertyRunner(25);
const gradients = propertyRunner(10);
const size = (shape: number[]) => shape.reduce((a, b) => a * b, 1);
const coverage = newCoverage();

function input(shape: number[], seed: number, scale = 1): [Tensor, tf.NDArray] {
  const data = Float32Array.from(randomFloats(makeRng(seed), size(shape)), (v) => v * scale);
  return [tf.placeholder('float32', shape), ndarray(data, shape)];
}

/** Rows of probabilities (a softmax of random values), so labels are proper distributions. */
function distributions(rows: number, cols: number, seed: number): Float32Array {
  const raw = randomFloats(makeRng(seed), rows * cols);
  const out = new Float32Array(rows * cols);
  for (let r = 0; r < rows; r++) {
    let sum = 0;
    for (let c = 0; c < cols; c++) sum += Math.exp(raw[r * cols + c]);
    for (let c = 0; c < cols; c++) out[r * cols + c] = Math.exp(raw[r * cols + c]) / sum;
  }
  return out;
}

describe('bias_add', () => {
  const caseArb = fc.tuple(shapeArb({ minRank: 2, maxRank: 4, maxDim: 4 }), fc.constantFrom<'NHWC' | 'NCHW'>('NHWC', 'NCHW'))
    .filter(([shape, format]) => format === 'NHWC' || shape.length >= 3);
  const channels = (shape: number[], format: string) => (format === 'NHWC' ? shape[shape.length - 1] : shape[1]);

  it('adds along the channel axis (last for NHWC, 1 for NCHW): cpu vs reference, and gradients', () => {
    gradients(caseArb, seedArb, ([shape, format], seed) => {
      inGraph((graph) => {
        const x = input(shape, seed);
        const b = input([channels(shape, format)], seed + 1);
        const y = tf.nn.bias_add(x[0], b[0], { data_format: format });
        forwardCheck(graph, [y], [x, b], { coverage });
        gradCheck([x, b], y, { seed, coverage });
      });
    });
  });

  it('BiasAddGrad (second order) vs central differences', () => {
    gradients(caseArb, seedArb, ([shape, format], seed) => {
      inGraph(() => {
        const dy = input(shape, seed);
        gradCheck([dy], m.biasAddGrad(dy[0], format), { seed, coverage });
      });
    });
  });

  it('checks the bias against the channel dim, naming the node', () => {
    inGraph(() => {
      const x = tf.placeholder('float32', [null, 3, 5, 5]);
      expect(tf.nn.bias_add(x, tf.zeros([3]), 'NCHW').shape).toEqual([null, 3, 5, 5]);
      expect(() => tf.nn.bias_add(x, tf.zeros([3]))).toThrow(/BiasAdd 'BiasAdd_?\d*': bias has 3 elements but value \[\?,3,5,5\] has 5 channels \(NHWC\)/);
      expect(() => tf.nn.bias_add(tf.zeros([3]), tf.zeros([3]))).toThrow(/rank >= 2/);
    });
  });
});

describe('softmax_cross_entropy_with_logits', () => {
  it('is stable at logits of ±1e4: finite loss and the exact fused gradient softmax - labels', () => {
    inGraph((graph) => {
      const logits = tf.placeholder('float32', [3, 2]);
      const labels = tf.placeholder('float32', [3, 2]);
      const loss = tf.nn.softmax_cross_entropy_with_logits({ logits, labels });
      const [dz] = tf.gradients(tf.reduce_sum(loss), logits) as Tensor[];
      const feeds: [Tensor, tf.NDArray][] = [
        [logits, ndarray(Float32Array.of(1e4, -1e4, 1e4, -1e4, -1e4, -1e4), [3, 2])],
        [labels, ndarray(Float32Array.of(1, 0, 0, 1, 0.5, 0.5), [3, 2])],
      ];
      const [l, d] = runCpu(graph, [loss, dz], feeds);
      expect(Array.from(l.data)).toEqual([0, 2e4, Math.fround(Math.LN2)]);
      expect(Array.from(d.data)).toEqual([0, 0, 1, -1, 0, 0]);
      // The gradient is built from softmax and labels directly, never through a Log.
      expect(graph.operations.filter((op) => op.name.startsWith('gradients') && op.type === 'Log')).toEqual([]);
    });
  });

  it('cpu vs reference and gradients (logits and labels) vs central differences, any rank', () => {
    gradients(shapeArb({ minRank: 1, maxRank: 3, maxDim: 4 }), seedArb, (shape, seed) => {
      inGraph((graph) => {
        const z = input(shape, seed, 2);
        const rows = size(shape.slice(0, -1));
        const labels: [Tensor, tf.NDArray] = [tf.placeholder('float32', shape), ndarray(distributions(rows, shape[shape.length - 1], seed + 1), shape)];
        const loss = tf.nn.softmax_cross_entropy_with_logits(z[0], labels[0]);
        expect(loss.shape).toEqual(shape.slice(0, -1));
        forwardCheck(graph, [loss], [z, labels], { coverage });
        gradCheck([z, labels], loss, { seed, coverage });
      });
    });
  });

  it('accepts the TF-1 keyword form and tinyflow positional form, rejects mismatched shapes', () => {
    inGraph(() => {
      const z = tf.placeholder('float32', [null, 10]);
      expect(tf.nn.softmax_cross_entropy_with_logits({ logits: z, labels: tf.placeholder('float32', [null, 10]), name: 'xent' }).op.name).toBe('xent');
      expect(tf.nn.softmax_cross_entropy_with_logits(z, tf.placeholder('float32', [null, 10])).shape).toEqual([null]);
      expect(() => tf.nn.softmax_cross_entropy_with_logits({ logits: z, labels: tf.placeholder('float32', [null, 9]) }))
        .toThrow(/SoftmaxCrossEntropyWithLogits '.*': logits and labels must have the same shape, got \[\?,10\] vs \[\?,9\]/);
      expect(() => tf.nn.softmax_cross_entropy_with_logits({ logits: z, labels: z, dim: 0 })).toThrow(/only the last axis/);
    });
  });
});

describe('sparse_softmax_cross_entropy_with_logits', () => {
  it('equals the dense loss of one-hot labels, int32 and float32 labels; gradient vs central differences', () => {
    property(fc.integer({ min: 1, max: 5 }), fc.integer({ min: 1, max: 6 }), fc.boolean(), seedArb, (n, classes, intLabels, seed) => {
      inGraph((graph) => {
        const z = input([n, classes], seed, 3);
        const idx = randomInts(makeRng(seed + 2), n, 0, classes - 1);
        const labels = intLabels ? tf.placeholder('int32', [n]) : tf.placeholder('float32', [n]);
        const labelValue = intLabels ? ndarray(idx, [n], 'int32') : ndarray(Float32Array.from(idx), [n]);
        const sparse = tf.nn.sparse_softmax_cross_entropy_with_logits({ logits: z[0], labels });
        const dense = tf.nn.softmax_cross_entropy_with_logits({ logits: z[0], labels: tf.one_hot(labels, classes) });
        const [a, b] = forwardCheck(graph, [sparse, dense], [z, [labels, labelValue]], { coverage });
        expect(Array.from(a.data)).toEqual(Array.from(b.data));
        gradCheck([z], sparse, { seed, coverage, extraFeeds: [[labels, labelValue]], noGrad: [labels] });
      });
    });
  });

  it('a label outside [0, classes) matches no class: loss 0 (documented; TF raises on CPU)', () => {
    inGraph((graph) => {
      const loss = tf.nn.sparse_softmax_cross_entropy_with_logits(tf.constant([[1, 2, 3]]), tf.constant([3], 'int32'));
      expect(Array.from(runCpu(graph, [loss])[0].data)).toEqual([0]);
    });
  });
});

describe('l2_loss', () => {
  it('is sum(t²) / 2 with gradient t', () => {
    inGraph((graph) => {
      const t = tf.placeholder('float32', [2, 2]);
      const loss = tf.nn.l2_loss(t);
      const [g] = tf.gradients(loss, t) as Tensor[];
      const [l, d] = runCpu(graph, [loss, g], [[t, ndarray(Float32Array.of(1, -2, 3, 0.5), [2, 2])]]);
      expect(l.shape).toEqual([]);
      expect(l.item()).toBe(7.125);
      expect(Array.from(d.data)).toEqual([1, -2, 3, 0.5]);
    });
  });
});

describe('coverage', () => {
  it('checked every loss-group op (forward and gradient)', () => {
    expectGroupCovered('losses', coverage);
  });
});
