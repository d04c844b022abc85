/**
 * concat, slice, expand_dims, squeeze and one_hot: shape rules (partial shapes, errors naming the
 * node), cpu vs reference, concat/slice round trips, and gradient checks including the adjoint ops
 * (ConcatSlice, SliceGrad) and a concat along an axis whose size is only known when fed.
 */
import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import * as tf from '../index';
import * as m from '../api/math-core';
import { expectGroupCovered, forwardCheck, gradCheck, newCoverage } from './nn-test-support';
import {
  inGraph, makeRng, ndarray, propertyRunner, randomFloats, randomInts, runCpu, runReference, seedArb, shapeArb, type Tensor,
} from './test-support';

const property = propertyRunner(30);
const gradients = propertyRunner(10);
const size = (shape: number[]) => shape.reduce((a, b) => a * b, 1);
const coverage = newCoverage();

function input(shape: number[], seed: number): [Tensor, tf.NDArray] {
  return [tf.placeholder('float32', shape), ndarray(randomFloats(makeRng(seed), size(shape)), shape)];
}

/** 1..4 shapes that agree off a random axis, and that axis (possibly negative). */
const concatCase = shapeArb({ minRank: 1, maxRank: 4, maxDim: 3 }).chain((shape) =>
  fc.tuple(
    fc.constant(shape),
    fc.integer({ min: -shape.length, max: shape.length - 1 }),
    fc.array(fc.integer({ min: 0, max: 3 }), { minLength: 1, maxLength: 4 }),
  ).map(([s, axis, sizes]) => ({ axis, shapes: sizes.map((d) => s.map((v, i) => (i === (axis + s.length) % s.length ? d : v))) })));

describe('concat', () => {
  it('joins values along an axis: cpu vs reference, and every input gets its slice of the gradient', () => {
    gradients(concatCase, seedArb, ({ axis, shapes }, seed) => {
      inGraph((graph) => {
        const xs = shapes.map((s, i) => input(s, seed + i));
        const y = tf.concat(xs.map(([t]) => t), axis);
        forwardCheck(graph, [y], xs, { rtol: 0, coverage });
        if (size(y.shape as number[]) > 0 && xs.every(([, v]) => v.size > 0)) gradCheck(xs, y, { seed, coverage });
      });
    });
  });

  it('round trip: concatenating slices gives back the input', () => {
    property(shapeArb({ minRank: 1, maxRank: 4, maxDim: 5 }), seedArb, (shape, seed) => {
      inGraph((graph) => {
        const axis = seed % shape.length;
        const cut = seed % (shape[axis] + 1);
        const [x, xv] = input(shape, seed);
        const begin = shape.map(() => 0);
        const head = tf.slice(x, begin, shape.map((_, i) => (i === axis ? cut : -1)));
        const tail = tf.slice(x, begin.map((b, i) => (i === axis ? cut : b)), shape.map(() => -1));
        const [back] = runCpu(graph, [tf.concat([head, tail], axis)], [[x, xv]]);
        expect(Array.from(back.data)).toEqual(Array.from(xv.data));
      });
    });
  });

  it('along a dim known only when fed (ConcatSlice offsets resolve at compile time)', () => {
    inGraph((graph) => {
      const a = tf.placeholder('float32', [null, 2]);
      const b = tf.placeholder('float32', [null, 2]);
      const y = tf.concat([a, b], 0);
      expect(y.shape).toEqual([null, 2]);
      const [da, db] = tf.gradients(tf.reduce_sum(tf.multiply(y, tf.constant([[1, 2]]))), [a, b]) as Tensor[];
      for (const [n, k] of [[1, 2], [3, 1]]) {
        const [ya, ga, gb] = runCpu(graph, [y, da, db], [[a, ndarray(new Float32Array(2 * n).fill(1), [n, 2])], [b, ndarray(new Float32Array(2 * k).fill(2), [k, 2])]]);
        expect(ya.shape).toEqual([n + k, 2]);
        expect(Array.from(ga.data)).toEqual(Array.from({ length: n }, () => [1, 2]).flat());
        expect(Array.from(gb.data)).toEqual(Array.from({ length: k }, () => [1, 2]).flat());
      }
    });
  });

  it('ConcatSlice (second order) vs central differences', () => {
    gradients(concatCase, seedArb, ({ axis, shapes }, seed) => {
      inGraph(() => {
        const values = shapes.map((s) => tf.placeholder('float32', s));
        const y = tf.concat(values, axis);
        const dy = input(y.shape as number[], seed);
        const index = seed % shapes.length;
        if (size(shapes[index]) === 0) return;
        const zeros: [Tensor, tf.NDArray][] = values.map((v, i) => [v, ndarray(new Float32Array(size(shapes[i])), shapes[i])]);
        gradCheck([dy], m.concatSlice(dy[0], values, axis, index), { seed, coverage, extraFeeds: zeros, noGrad: values });
      });
    });
  });

  it('accepts the pre-1.0 argument order and rejects mismatched values by node name', () => {
    inGraph((graph) => {
      const y = tf.concat(1, [tf.constant([[1], [2]]), tf.constant([[3, 4], [5, 6]])]);
      expect(Array.from(runCpu(graph, [y])[0].data)).toEqual([1, 3, 4, 2, 5, 6]);
      expect(() => tf.concat([tf.zeros([2, 3]), tf.zeros([3, 3])], 1)).toThrow(/ConcatV2 'concat_?\d*': dim 0 differs between values \(axis 1\): \[2,3\] vs \[3,3\]/);
      expect(() => tf.concat([tf.zeros([2, 3]), tf.zeros([2])], 0)).toThrow(/values must have the same rank/);
      expect(() => tf.concat([tf.zeros([2])], 1)).toThrow(/axis 1 is out of range/);
    });
  });
});

describe('slice', () => {
  const sliceCase = shapeArb({ minRank: 1, maxRank: 4, maxDim: 4 }).chain((shape) =>
    fc.tuple(fc.constant(shape), fc.tuple(...shape.map((d) => fc.integer({ min: 0, max: d - 1 }).chain((b) =>
      // Mostly non-empty slices (an empty one is still checked forward, now and then).
      fc.tuple(fc.constant(b), fc.oneof({ arbitrary: fc.integer({ min: -1, max: d - b }).filter((s) => s !== 0), weight: 9 }, { arbitrary: fc.constant(0), weight: 1 })))))));

  it('takes begin/size (-1 = to the end): cpu vs reference, gradient, and SliceGrad second order', () => {
    gradients(sliceCase, seedArb, ([shape, spec], seed) => {
      inGraph((graph) => {
        const x = input(shape, seed);
        const begin = spec.map(([b]) => b);
        const sz = spec.map(([, s]) => s);
        const y = tf.slice(x[0], begin, sz);
        expect(y.shape).toEqual(spec.map(([b, s], i) => (s === -1 ? shape[i] - b : s)));
        forwardCheck(graph, [y], [x], { rtol: 0, coverage });
        if (size(y.shape as number[]) === 0) return;
        gradCheck([x], y, { seed, coverage });
        const dy = input(y.shape as number[], seed + 1);
        gradCheck([dy], m.sliceGrad(dy[0], x[0], begin, sz), { seed, coverage, extraFeeds: [x], noGrad: [x[0]] });
      });
    });
  });

  it('rejects slices past the end, naming the node', () => {
    inGraph(() => {
      expect(() => tf.slice(tf.zeros([3, 4]), [1, 2], [2, 3])).toThrow(/Slice 'Slice_?\d*': slice \[begin 2, size 3\] of dim 1 exceeds the input \[3,4\]/);
      expect(tf.slice(tf.placeholder('float32', [null, 4]), [1, 1], [-1, 2]).shape).toEqual([null, 2]);
    });
  });
});

describe('expand_dims and squeeze', () => {
  it('insert and remove size-1 axes without copying; gradients reshape back', () => {
    gradients(shapeArb({ minRank: 0, maxRank: 3, maxDim: 3 }), seedArb, (shape, seed) => {
      inGraph((graph) => {
        const axis = (seed % (2 * shape.length + 2)) - shape.length - 1;
        const x = input(shape, seed);
        const e = tf.expand_dims(x[0], axis);
        const pos = axis < 0 ? axis + shape.length + 1 : axis;
        expect(e.shape).toEqual([...shape.slice(0, pos), 1, ...shape.slice(pos)]);
        const back = tf.squeeze(e, [pos]);
        expect(back.shape).toEqual(shape);
        const all = tf.squeeze(e);
        expect(all.shape).toEqual(shape.filter((d) => d !== 1));
        const [ev, bv] = forwardCheck(graph, [e, back], [x], { rtol: 0, coverage });
        expect(Array.from(ev.data)).toEqual(Array.from(x[1].data));
        expect(Array.from(bv.data)).toEqual(Array.from(x[1].data));
        gradCheck([x], tf.multiply(all, 2), { seed, coverage });
        gradCheck([x], e, { seed, coverage });
      });
    });
  });

  it('keep unknown dims in place and reject squeezing a dim that is not 1', () => {
    inGraph((graph) => {
      const x = tf.placeholder('float32', [null, 1, 3]);
      expect(tf.expand_dims(x, -1).shape).toEqual([null, 1, 3, 1]);
      expect(tf.expand_dims(x, { dim: 0 }).shape).toEqual([1, null, 1, 3]);
      expect(tf.squeeze(x, { squeeze_dims: [1] }).shape).toEqual([null, 3]);
      expect(tf.squeeze(x).shape).toBeNull();
      expect(() => tf.squeeze(x, [2])).toThrow(/Squeeze 'Squeeze_?\d*': cannot squeeze dim 2 of \[\?,1,3\]: it is 3, expected 1/);
      expect(() => tf.expand_dims(x, 4)).toThrow(/axis 4 is out of range \[-4, 3\]/);
      // An unknown dim named in axis must turn out to be 1 when fed.
      const s = tf.squeeze(x, [0]);
      expect(s.shape).toEqual([1, 3]);
      expect(() => runCpu(graph, [s], [[x, ndarray(new Float32Array(6), [2, 1, 3])]])).toThrow(/cannot squeeze dim 0 of \[2,1,3\]/);
    });
  });
});

describe('one_hot', () => {
  it('known values: axis -1, 0 and middle, on/off values, int32 and bool dtypes, out-of-range rows', () => {
    inGraph((graph) => {
      const idx = tf.constant([0, 2, -1, 3], 'int32');
      const last = tf.one_hot(idx, 3);
      const first = tf.one_hot(idx, 3, { axis: 0, on_value: 5, off_value: -1, dtype: 'int32' });
      const smooth = tf.one_hot(tf.constant([[1], [0]], 'int32'), 2, { axis: 1, on_value: 0.9, off_value: 0.05 });
      const bools = tf.one_hot(idx, 3, { on_value: true, off_value: false });
      expect(last.shape).toEqual([4, 3]);
      expect(first.shape).toEqual([3, 4]);
      expect(smooth.shape).toEqual([2, 2, 1]);
      expect(bools.dtype).toBe('bool');
      const [a, b, c, d] = runCpu(graph, [last, first, smooth, bools]);
      expect(Array.from(a.data)).toEqual([1, 0, 0, 0, 0, 1, 0, 0, 0, 0, 0, 0]);
      expect(Array.from(b.data)).toEqual([5, -1, -1, -1, -1, -1, -1, -1, -1, 5, -1, -1]);
      expect(Array.from(c.data)).toEqual([0.05, 0.9, 0.9, 0.05].map(Math.fround));
      expect(Array.from(d.data)).toEqual([1, 0, 0, 0, 0, 1, 0, 0, 0, 0, 0, 0]);
    });
  });

  it('is not differentiable: the gradient w.r.t. (float) indices is null', () => {
    inGraph(() => {
      const x = tf.placeholder('float32', [3]);
      expect(tf.gradients(tf.reduce_sum(tf.one_hot(x, 4)), [x])).toEqual([null]);
      coverage.grad.add('OneHot');
    });
  });

  it('cpu vs reference over random shapes and axes, int32 and float32 indices', () => {
    property(shapeArb({ minRank: 0, maxRank: 3, maxDim: 3 }), fc.integer({ min: 0, max: 4 }), fc.boolean(), seedArb, (shape, depth, ints, seed) => {
      inGraph((graph) => {
        const axis = (seed % (shape.length + 2)) - 1;
        const values = randomInts(makeRng(seed), size(shape), -1, depth);
        const x = tf.placeholder(ints ? 'int32' : 'float32', shape);
        const value = ints ? ndarray(values, shape, 'int32') : ndarray(Float32Array.from(values), shape);
        const y = tf.one_hot(x, depth, { axis, on_value: 2, off_value: 0.5 });
        const [got] = forwardCheck(graph, [y], [[x, value]], { rtol: 0, coverage });
        expect(Array.from(got.data)).toEqual(Array.from(runReference([y], [[x, value]])[0].data));
      });
    });
  });
});

describe('coverage', () => {
  it('checked every array op (forward and gradient)', () => {
    expectGroupCovered('array', coverage);
  });
});
