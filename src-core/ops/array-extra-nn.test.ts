/**
 * tile, pad (CONSTANT, REFLECT, SYMMETRIC), stack, unstack, split, range, shape/size/rank: shape rules
 * and errors naming the op, cpu vs the float64 reference, gradient checks (Tile/TileGrad and
 * Pad/PadGrad second order too), and values known only when fed.
 */
import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import * as tf from '../index';
import { expectGroupCovered, forwardCheck, gradCheck, newCoverage } from './nn-test-support';
import { inGraph, makeRng, ndarray, propertyRunner, randomFloats, runCpu, seedArb, shapeArb, type Tensor } from './test-support';

const property = propertyRunner(25);
const gradients = propertyRunner(8);
const size = (shape: readonly number[]) => shape.reduce((a, b) => a * b, 1);
const coverage = newCoverage();

function input(shape: number[], seed: number): [Tensor, tf.NDArray] {
  return [tf.placeholder('float32', shape), ndarray(randomFloats(makeRng(seed), size(shape)), shape)];
}

const tileCase = shapeArb({ minRank: 1, maxRank: 3, maxDim: 3 }).chain((shape) =>
  fc.tuple(fc.constant(shape), fc.array(fc.integer({ min: 0, max: 3 }), { minLength: shape.length, maxLength: shape.length })));

describe('tile', () => {
  it('repeats each dim multiples[i] times: cpu vs reference, and the gradient sums the copies', () => {
    gradients(tileCase, seedArb, ([shape, multiples], seed) => {
      inGraph((graph) => {
        const [x, xv] = input(shape, seed);
        const y = tf.tile(x, multiples);
        expect(y.shape).toEqual(shape.map((d, i) => d * multiples[i]));
        forwardCheck(graph, [y], [[x, xv]], { rtol: 0, coverage });
        if (size(y.shape as number[]) > 0) gradCheck([[x, xv]], y, { seed, coverage });
      });
    });
  });

  it('matches a hand-written tiling, including int32 values', () => {
    inGraph((graph) => {
      const y = tf.tile(tf.constant([[1, 2], [3, 4]], 'int32'), [2, 3]);
      const [v] = runCpu(graph, [y]);
      expect(v.dtype).toBe('int32');
      expect(v.toArray()).toEqual([[1, 2, 1, 2, 1, 2], [3, 4, 3, 4, 3, 4], [1, 2, 1, 2, 1, 2], [3, 4, 3, 4, 3, 4]]);
    });
  });

  it('TileGrad (second order) vs central differences, with an unknown batch dim', () => {
    gradients(tileCase.filter(([, k]) => k.every((v) => v > 0)), seedArb, ([shape, multiples], seed) => {
      inGraph(() => {
        const x = tf.placeholder('float32', [null, ...shape.slice(1)]);
        const y = tf.tile(x, multiples);
        const [dy, dyv] = input(shape.map((d, i) => d * multiples[i]), seed);
        const [gx] = tf.gradients(y, x, dy) as Tensor[];
        expect(gx.op.type).toBe('TileGrad');
        gradCheck([[dy, dyv]], gx, { seed, coverage, extraFeeds: [[x, ndarray(new Float32Array(size(shape)), shape)]] });
      });
    });
  });

  it('errors name the op and the shapes', () => {
    inGraph(() => {
      const x = tf.placeholder('float32', [2, 3]);
      expect(() => tf.tile(x, [2])).toThrow(/Tile 'Tile': multiples \[2\] has 1 entries but the input \[2,3\] has rank 2/);
      expect(() => tf.tile(x, [1, -1])).toThrow(/tile: multiples must be a list of non-negative integers/);
    });
  });
});

const padCase = shapeArb({ minRank: 1, maxRank: 3, maxDim: 3 }).chain((shape) =>
  fc.tuple(fc.constant(shape), fc.array(fc.tuple(fc.integer({ min: 0, max: 2 }), fc.integer({ min: 0, max: 2 })), { minLength: shape.length, maxLength: shape.length })));

describe('pad', () => {
  it('CONSTANT: cpu vs reference with a constant value, and the gradient is the inner block', () => {
    gradients(padCase, seedArb, ([shape, paddings], seed) => {
      inGraph((graph) => {
        const [x, xv] = input(shape, seed);
        const y = tf.pad(x, paddings, { constant_values: -1.5 });
        expect(y.shape).toEqual(shape.map((d, i) => d + paddings[i][0] + paddings[i][1]));
        forwardCheck(graph, [y], [[x, xv]], { rtol: 0, coverage });
        if (size(shape) > 0) gradCheck([[x, xv]], y, { seed, coverage });
      });
    });
  });

  it('PadGrad (second order) vs central differences', () => {
    gradients(padCase, seedArb, ([shape, paddings], seed) => {
      inGraph(() => {
        const x = tf.placeholder('float32', shape);
        const y = tf.pad(x, paddings);
        const [dy, dyv] = input(y.shape as number[], seed);
        const [gx] = tf.gradients(y, x, dy) as Tensor[];
        expect(gx.op.type).toBe('PadGrad');
        if (size(shape) > 0) gradCheck([[dy, dyv]], gx, { seed, coverage, extraFeeds: [[x, ndarray(new Float32Array(size(shape)), shape)]] });
      });
    });
  });

  it('REFLECT and SYMMETRIC mirror like TF-1 (hand-computed), and their gradients check', () => {
    inGraph((graph) => {
      const x = tf.placeholder('float32', [2, 3]);
      const xv = ndarray(Float32Array.of(1, 2, 3, 4, 5, 6), [2, 3]);
      const reflect = tf.pad(x, [[1, 1], [2, 2]], 'REFLECT');
      const symmetric = tf.pad(x, [[1, 1], [2, 2]], { mode: 'symmetric' });
      const [r, s] = runCpu(graph, [reflect, symmetric], [[x, xv]]);
      expect(r.toArray()).toEqual([[6, 5, 4, 5, 6, 5, 4], [3, 2, 1, 2, 3, 2, 1], [6, 5, 4, 5, 6, 5, 4], [3, 2, 1, 2, 3, 2, 1]]);
      expect(s.toArray()).toEqual([[2, 1, 1, 2, 3, 3, 2], [2, 1, 1, 2, 3, 3, 2], [5, 4, 4, 5, 6, 6, 5], [5, 4, 4, 5, 6, 6, 5]]);
      gradCheck([[x, xv]], reflect, { seed: 3, coverage });
      gradCheck([[x, xv]], symmetric, { seed: 4, coverage });
    });
  });

  it('refuses bad paddings and modes with the op and the shapes named', () => {
    inGraph(() => {
      const x = tf.placeholder('float32', [2, 3]);
      expect(() => tf.pad(x, [[1, 1]])).toThrow(/pad: paddings must be 2 \[before, after\] pairs .*\[2,3\]/);
      expect(() => tf.pad(x, [[0, 0], [3, 0]], 'REFLECT')).toThrow(/pad: REFLECT paddings \[3, 0\] of dim 1 must be at most 2/);
      expect(() => tf.pad(x, [[0, 0], [0, 0]], 'WRAP' as 'REFLECT')).toThrow(/pad: mode must be CONSTANT, REFLECT or SYMMETRIC/);
      expect(() => tf.pad(x, [[0, 0], [0, 0]], { padding: 1 } as object)).toThrow(/pad: unknown option 'padding'/);
    });
  });
});

describe('stack, unstack, split', () => {
  it('stack along every axis matches a hand-built layout; unstack inverts it; gradients check', () => {
    property(shapeArb({ minRank: 0, maxRank: 3, maxDim: 3 }), fc.integer({ min: 1, max: 3 }), seedArb, (shape, n, seed) => {
      const axis = (seed % (2 * shape.length + 2)) - shape.length - 1; // in [-rank-1, rank]
      inGraph((graph) => {
        const xs = Array.from({ length: n }, (_, i) => input(shape, seed + i));
        const y = tf.stack(xs.map(([t]) => t), axis);
        const a = axis < 0 ? axis + shape.length + 1 : axis;
        expect(y.shape).toEqual([...shape.slice(0, a), n, ...shape.slice(a)]);
        const back = tf.unstack(y, { axis });
        expect(back).toHaveLength(n);
        const got = forwardCheck(graph, [y, ...back], xs, { rtol: 0 });
        got.slice(1).forEach((v, i) => expect(Array.from(v.data)).toEqual(Array.from(xs[i][1].data)));
      });
    });
    gradients(shapeArb({ minRank: 1, maxRank: 3, maxDim: 3 }), seedArb, (shape, seed) => {
      inGraph(() => {
        const xs = [input(shape, seed), input(shape, seed + 1)];
        gradCheck(xs, tf.stack(xs.map(([t]) => t), 1), { seed });
        const [x, xv] = xs[0];
        gradCheck([[x, xv]], tf.unstack(x, { axis: -1 })[0], { seed });
      });
    });
  });

  it('split into equal pieces or listed sizes (one -1), positional or {axis}; pieces concat back; gradients check', () => {
    inGraph((graph) => {
      const [x, xv] = input([4, 6], 7);
      const even = tf.split(x, 3, 1);
      const sized = tf.split(x, [1, -1, 2], { axis: 1 });
      const rows = tf.split(x, 2);
      expect(even.map((t) => t.shape)).toEqual([[4, 2], [4, 2], [4, 2]]);
      expect(sized.map((t) => t.shape)).toEqual([[4, 1], [4, 3], [4, 2]]);
      expect(rows.map((t) => t.shape)).toEqual([[2, 6], [2, 6]]);
      const [a, b, c] = forwardCheck(graph, [tf.concat(even, 1), tf.concat(sized, 1), tf.concat(rows, 0)], [[x, xv]], { rtol: 0 });
      for (const v of [a, b, c]) expect(Array.from(v.data)).toEqual(Array.from(xv.data));
      gradCheck([[x, xv]], sized[1], { seed: 7 });
    });
  });

  it('works along an axis whose other dims are unknown until fed', () => {
    inGraph((graph) => {
      const x = tf.placeholder('float32', [null, 4]);
      const [l, r] = tf.split(x, 2, 1);
      const s = tf.stack([l, r]);
      expect(s.shape).toEqual([2, null, 2]);
      for (const n of [1, 3]) {
        const [v] = runCpu(graph, [s], [[x, ndarray(Float32Array.from({ length: 4 * n }, (_, i) => i), [n, 4])]]);
        expect(v.shape).toEqual([2, n, 2]);
      }
    });
  });

  it('refuses what cannot be split or unstacked, naming the op and the shapes', () => {
    inGraph(() => {
      const x = tf.placeholder('float32', [4, 6]);
      expect(() => tf.split(x, 4, 1)).toThrow(/split: dim 1 of .*\[4,6\].* \(6\) is not divisible by 4/);
      expect(() => tf.split(x, [2, 2], 1)).toThrow(/split: sizes \[2,2\] sum to 4, but dim 1/);
      expect(() => tf.split(x, [-1, -1], 1)).toThrow(/at most one size may be -1/);
      expect(() => tf.split(tf.placeholder('float32', [null]), 2)).toThrow(/split: dim 0 .* is unknown/);
      expect(() => tf.unstack(tf.placeholder('float32', [null, 2]))).toThrow(/unstack: dim 0 of .* is unknown; give num/);
      expect(() => tf.unstack(x, { num: 3 })).toThrow(/unstack: num 3 does not match dim 0/);
      expect(() => tf.stack([x, tf.placeholder('float32', [4, 5])])).toThrow(/ConcatV2/);
      expect(() => tf.stack([x], 3)).toThrow(/stack: axis 3 is out of range \[-3, 2\]/);
    });
  });
});

describe('range, shape, size, rank', () => {
  it('range follows TF-1: range(n), (start, limit, delta), negative deltas, float steps, dtype', () => {
    inGraph((graph) => {
      const cases = [tf.range(5), tf.range(2, 9, 3), tf.range(5, 0, -2), tf.range(0, 1, 0.25), tf.range(3, { dtype: 'float32' }), tf.range(0)];
      const got = runCpu(graph, cases);
      expect(got.map((v) => v.dtype)).toEqual(['int32', 'int32', 'int32', 'float32', 'float32', 'int32']);
      expect(got.map((v) => Array.from(v.data))).toEqual([[0, 1, 2, 3, 4], [2, 5, 8], [5, 3, 1], [0, 0.25, 0.5, 0.75], [0, 1, 2], []]);
      expect(() => tf.range(0, 5, 0)).toThrow(/range: delta must not be 0/);
      expect(() => tf.range(5, 0)).toThrow(/range: start 5 and limit 0 go the other way from delta 1/);
      expect(() => tf.range(tf.constant(3) as unknown as number)).toThrow(/range: start must be a number, not a Tensor/);
    });
  });

  it('shape/size/rank give the fed shape for dims unknown while building, and have no gradient', () => {
    inGraph((graph) => {
      const x = tf.placeholder('float32', [null, 3]);
      const fetches = [tf.shape(x), tf.size(x), tf.rank(x), tf.shape(x, { out_type: 'float32' }), tf.shape(tf.reduce_sum(x))];
      expect(fetches.map((t) => t.shape)).toEqual([[2], [], [], [2], [0]]);
      for (const n of [1, 4]) {
        const feeds: [Tensor, tf.NDArray][] = [[x, ndarray(new Float32Array(3 * n), [n, 3])]];
        const got = forwardCheck(graph, fetches, feeds, { rtol: 0, coverage });
        expect(got.map((v) => Array.from(v.data))).toEqual([[n, 3], [3 * n], [2], [n, 3], []]);
        expect(got.map((v) => v.dtype)).toEqual(['int32', 'int32', 'int32', 'float32', 'int32']);
      }
      const uses = tf.multiply(x, tf.cast(tf.size(x), 'float32'));
      expect(tf.gradients(tf.cast(tf.shape(x), 'float32'), x)[0]).toBeNull();
      const [g] = tf.gradients(tf.reduce_sum(uses), x) as Tensor[];
      const [gv] = runCpu(graph, [g], [[x, ndarray(new Float32Array(6), [2, 3])]]);
      expect(Array.from(gv.data)).toEqual([6, 6, 6, 6, 6, 6]);
      for (const t of ['Shape', 'Size', 'Rank']) coverage.grad.add(t);
      expect(() => tf.shape(x, { out_type: 'bool' })).toThrow(/shape: out_type must be int32 or float32/);
    });
  });
});

describe('one session, several fed batch sizes', () => {
  it('shape/size and the tile/pad gradients follow each run\'s shape (plans are per shape)', () => {
    inGraph((graph) => {
      const x = tf.placeholder('float32', [null, 3]);
      const g = tf.gradients(tf.reduce_sum(tf.pad(tf.tile(x, [2, 1]), [[1, 0], [0, 1]])), x)[0] as Tensor;
      const sess = tf.Session({ backend: 'cpu', graph });
      try {
        for (const n of [1, 4, 2]) {
          const [s, k, gv] = sess.runSync([tf.shape(x), tf.size(x), g], { feed_dict: [[x, ndarray(new Float32Array(3 * n), [n, 3])]] });
          expect([Array.from(s.data), Array.from(k.data)]).toEqual([[n, 3], [3 * n]]);
          expect(Array.from(gv.data)).toEqual(new Array<number>(3 * n).fill(2));
        }
      } finally {
        sess.close();
      }
    });
  });
});

describe('coverage', () => {
  it('every op of the group went through the forward and gradient checks', () => {
    expectGroupCovered('arrayExtra', coverage);
  });
});
