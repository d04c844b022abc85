/**
 * Flatten (tf.nn.flatten_layer): the shape rule on partial shapes, cpu vs the float64 reference on
 * random shapes with some dims (or the rank) unknown until fed, and its gradient (a reshape back to the
 * fed shape) against central differences.
 */
import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import * as tf from '../index';
import * as m from '../api/math-core';
import { Flatten } from './flatten';
import { expectGroupCovered, forwardCheck, gradCheck, newCoverage } from './nn-test-support';
import {
  inGraph, makeRng, ndarray, propertyRunner, randomFloats, runCpu, seedArb, shapeArb, staticShape, unknownsArb,
} from './test-support';

const property = propertyRunner(30);
const gradients = propertyRunner(10);
const size = (shape: number[]) => shape.reduce((a, b) => a * b, 1);
const coverage = newCoverage();

describe('Flatten', () => {
  it('shape rule: [d0, prod(rest)] when known, partial otherwise; a scalar is rejected naming the node', () => {
    inGraph(() => {
      expect(m.flatten(tf.placeholder('float32', [null, 2, 3, 4])).shape).toEqual([null, 24]);
      expect(m.flatten(tf.placeholder('float32', [5, 2, null])).shape).toEqual([5, null]);
      expect(m.flatten(tf.placeholder('float32', [null, null])).shape).toEqual([null, null]);
      expect(m.flatten(tf.placeholder('float32', [7])).shape).toEqual([7, 1]);
      expect(m.flatten(tf.placeholder('float32', [3, 0, 4])).shape).toEqual([3, 0]);
      expect(m.flatten(tf.placeholder('float32')).shape).toBeNull();
      expect(m.flatten(tf.placeholder('int32', [2, 2])).dtype).toBe('int32');
      expect(() => m.flatten(tf.placeholder('float32', []), 'flat')).toThrow(/Flatten 'flat': needs an input of rank >= 1/);
    });
    // Output 0 is a view of input 0: the plan gives it the input's buffer instead of copying.
    expect(Flatten.aliasInput).toBe(0);
  });

  it('a rank known only when fed: a scalar feed is rejected at run time', () => {
    inGraph((graph) => {
      const x = tf.placeholder('float32');
      expect(() => runCpu(graph, [m.flatten(x)], [[x, ndarray(new Float32Array([1]), [])]])).toThrow(/rank >= 1/);
    });
  });

  it('cpu vs reference on random shapes, with dims or the rank unknown until fed', () => {
    property(shapeArb({ minRank: 1, maxRank: 4, maxDim: 4 }), unknownsArb(4), seedArb, (shape, unknowns, seed) => {
      inGraph((graph) => {
        const x = tf.placeholder('float32', staticShape(shape, unknowns));
        const y = m.flatten(x);
        const [got] = forwardCheck(graph, [y], [[x, ndarray(randomFloats(makeRng(seed), size(shape)), shape)]], { rtol: 0, coverage });
        expect(got.shape).toEqual([shape[0], size(shape.slice(1))]);
      });
    });
  });

  it('gradient vs central differences (static shape known, partial, or unknown rank)', () => {
    gradients(shapeArb({ minRank: 1, maxRank: 4, maxDim: 3 }), unknownsArb(4), seedArb, (shape, unknowns, seed) => {
      fc.pre(size(shape) > 0);
      inGraph(() => {
        const x = tf.placeholder('float32', staticShape(shape, unknowns));
        // tanh after the flatten so the upstream gradient is not a constant.
        gradCheck([[x, ndarray(randomFloats(makeRng(seed), size(shape)), shape)]], tf.tanh(m.flatten(x)), { seed, coverage });
      });
    });
  });

  it('through a conv + pool fed a shapeless placeholder: the gradient reaches the input with the fed shape', () => {
    inGraph(() => {
      const x = tf.placeholder('float32');
      const filter = tf.placeholder('float32', [2, 2, 2, 3]);
      const conv = tf.nn.conv2d(x, filter, [1, 1, 1, 1], 'VALID', { data_format: 'NCHW' });
      const pooled = tf.nn.max_pool(conv, [1, 1, 2, 2], [1, 1, 2, 2], 'VALID', { data_format: 'NCHW' });
      const y = m.flatten(pooled);
      const rng = makeRng(11);
      gradCheck(
        [[x, ndarray(randomFloats(rng, 2 * 2 * 5 * 5), [2, 2, 5, 5])], [filter, ndarray(randomFloats(rng, 24), [2, 2, 2, 3])]],
        y, { seed: 11, coverage },
      );
    });
  });

  it('covers its group', () => {
    expectGroupCovered('flatten', coverage);
  });
});
