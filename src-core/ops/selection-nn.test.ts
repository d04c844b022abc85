/**
 * tf.where (Select), tf.gather / tf.nn.embedding_lookup (Gather) and gather's gradient (GatherGrad, a
 * scatter-add): exact selection (NaN/Inf in the branch not taken or elsewhere in params never leak),
 * cpu vs the float64 reference, gradient checks (second order too), repeated and out-of-range
 * indices, and the same graphs on the wasm backend.
 */
import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import * as tf from '../index';
import { createWasmBackend } from '../../backends/wasm';
import { createCpuBackend } from '../../backends/cpu';
import type { Backend } from '../../backends/interface';
import { expectGroupCovered, forwardCheck, gradCheck, newCoverage } from './nn-test-support';
import {
  broadcastPairArb, expectClose, inGraph, makeRng, ndarray, propertyRunner, randomBools, randomFloats, randomInts, runCpu, runReference, seedArb, shapeArb, type Tensor,
} from './test-support';

const property = propertyRunner(25);
const gradients = propertyRunner(8);
const size = (shape: readonly number[]) => shape.reduce((a, b) => a * b, 1);
const coverage = newCoverage();

function input(shape: number[], seed: number): [Tensor, tf.NDArray] {
  return [tf.placeholder('float32', shape), ndarray(randomFloats(makeRng(seed), size(shape)), shape)];
}

describe('where', () => {
  it('broadcasts condition, x and y (where_v2): cpu vs reference, and dy goes to the chosen branch', () => {
    gradients(broadcastPairArb({ maxRank: 3, maxDim: 3 }), fc.boolean(), seedArb, ([xs, cs], flip, seed) => {
      inGraph((graph) => {
        const [x, xv] = input(xs, seed);
        const [y, yv] = input(flip ? cs : xs, seed + 1);
        const c = tf.placeholder('bool', cs);
        const cv = ndarray(randomBools(makeRng(seed + 2), size(cs)), cs, 'bool');
        const out = tf.where(c, x, y);
        forwardCheck(graph, [out], [[x, xv], [y, yv], [c, cv]], { rtol: 0, coverage });
        gradCheck([[x, xv], [y, yv]], out, { seed, coverage, extraFeeds: [[c, cv]], noGrad: [c] });
      });
    });
  });

  it('is exact: NaN and Inf in the branch not taken never leak (cond·x + (1-cond)·y would give NaN)', () => {
    inGraph((graph) => {
      const x = tf.constant([1, NaN, Infinity, -0]);
      const y = tf.constant([NaN, 2, 3, -Infinity]);
      const cond = tf.constant([true, false, false, true]);
      const [v] = runCpu(graph, [tf.where(cond, x, y)]);
      expect(Array.from(v.data)).toEqual([1, 2, 3, -0]);
      expect(Object.is(v.data[3], -0)).toBe(true);
      // The routed gradient is exact zeros where a branch was not taken, even beside NaN values.
      const xp = tf.placeholder('float32', [4]);
      const [gx, gy] = tf.gradients(tf.reduce_sum(tf.multiply(tf.where(cond, xp, y), 3)), [xp, y]) as Tensor[];
      const [g, h] = runCpu(graph, [gx, gy], [[xp, ndarray(Float32Array.of(NaN, 0, Infinity, 4), [4])]]);
      expect(Array.from(g.data)).toEqual([3, 0, 0, 3]);
      expect(Array.from(h.data)).toEqual([0, 3, 3, 0]);
    });
  });

  it("TF-1's row form: a vector condition picks whole rows of a matrix", () => {
    inGraph((graph) => {
      const x = tf.constant([[1, 2], [3, 4], [5, 6]]);
      const [v] = runCpu(graph, [tf.where(tf.constant([true, false, true]), x, tf.negative(x))]);
      expect(v.toArray()).toEqual([[1, 2], [-3, -4], [5, 6]]);
    });
  });

  it('refuses a non-bool condition, mismatched shapes, and the one-argument form, naming the op', () => {
    inGraph(() => {
      const x = tf.placeholder('float32', [2, 3]);
      expect(() => tf.where(tf.placeholder('float32', [2, 3]), x, x)).toThrow(/where: condition must be bool/);
      expect(() => tf.where(tf.placeholder('bool', [2, 3]), x, tf.placeholder('float32', [4]))).toThrow(/Select 'Select': condition \[2,3\], x \[2,3\] and y \[4\] do not broadcast together/);
      expect(() => tf.where(tf.placeholder('bool', [2, 3]))).toThrow(/where: the one-argument form/);
    });
  });
});

const gatherCase = shapeArb({ minRank: 1, maxRank: 3, maxDim: 4 }).chain((shape) =>
  fc.tuple(
    fc.constant(shape),
    fc.integer({ min: -shape.length, max: shape.length - 1 }),
    shapeArb({ minRank: 0, maxRank: 2, maxDim: 4 }),
  ));

describe('gather', () => {
  it('picks slices along any axis with any indices shape: cpu vs reference; the gradient scatter-adds (repeats accumulate)', () => {
    gradients(gatherCase, seedArb, ([shape, axis, idxShape], seed) => {
      inGraph((graph) => {
        const [p, pv] = input(shape, seed);
        const a = axis < 0 ? axis + shape.length : axis;
        const idx = tf.placeholder('int32', idxShape);
        const iv = ndarray(randomInts(makeRng(seed + 3), size(idxShape), 0, shape[a] - 1), idxShape, 'int32');
        const out = tf.gather(p, idx, { axis });
        expect(out.shape).toEqual([...shape.slice(0, a), ...idxShape, ...shape.slice(a + 1)]);
        forwardCheck(graph, [out], [[p, pv], [idx, iv]], { rtol: 0, coverage });
        if (size(out.shape as number[]) > 0) gradCheck([[p, pv]], out, { seed, coverage, extraFeeds: [[idx, iv]], noGrad: [idx] });
      });
    });
  });

  it('GatherGrad (second order) vs central differences', () => {
    gradients(gatherCase, seedArb, ([shape, axis, idxShape], seed) => {
      inGraph(() => {
        const p = tf.placeholder('float32', shape);
        const a = axis < 0 ? axis + shape.length : axis;
        const iv = ndarray(randomInts(makeRng(seed), size(idxShape), 0, shape[a] - 1), idxShape, 'int32');
        const idx = tf.placeholder('int32', idxShape);
        const out = tf.gather(p, idx, { axis });
        const [dy, dyv] = input(out.shape as number[], seed + 1);
        const [gp] = tf.gradients(out, p, dy) as Tensor[];
        expect(gp.op.type).toBe('GatherGrad');
        if (size(shape) > 0) gradCheck([[dy, dyv]], gp, { seed, coverage, extraFeeds: [[idx, iv], [p, ndarray(new Float32Array(size(shape)), shape)]] });
      });
    });
  });

  it('moves values without arithmetic: an Inf elsewhere in params gives no NaN (one_hot × matmul would)', () => {
    inGraph((graph) => {
      const params = tf.constant([[1, 2], [Infinity, NaN], [-0, 5]]);
      const [v] = runCpu(graph, [tf.gather(params, [2, 0, 2])]);
      expect(Array.from(v.data)).toEqual([-0, 5, 1, 2, -0, 5]);
    });
  });

  it('repeated indices accumulate in the gradient; out-of-range indices give zero rows and no gradient', () => {
    inGraph((graph) => {
      const p = tf.placeholder('float32', [3, 2]);
      const out = tf.gather(p, tf.constant([1, 1, 5, -1, 0], 'int32'));
      const [gp] = tf.gradients(tf.reduce_sum(out), p) as Tensor[];
      const pv = ndarray(Float32Array.of(1, 2, 3, 4, 5, 6), [3, 2]);
      const [v, g] = runCpu(graph, [out, gp], [[p, pv]]);
      expect(v.toArray()).toEqual([[3, 4], [3, 4], [0, 0], [0, 0], [1, 2]]);
      expect(g.toArray()).toEqual([[1, 1], [2, 2], [0, 0]]);
      const [rv, rg] = runReference([out, gp], [[p, pv]]);
      expect(Array.from(rv.data)).toEqual(Array.from(v.data));
      expect(Array.from(rg.data)).toEqual(Array.from(g.data));
    });
  });

  it('embedding_lookup is gather along axis 0, with ids of any shape and a batch known only when fed', () => {
    inGraph((graph) => {
      const emb = tf.placeholder('float32', [5, 3]);
      const ids = tf.placeholder('int32', [null, 2]);
      const looked = tf.nn.embedding_lookup(emb, ids);
      expect(looked.shape).toEqual([null, 2, 3]);
      const [g] = tf.gradients(tf.reduce_sum(tf.square(looked)), emb) as Tensor[];
      const ev = ndarray(Float32Array.from({ length: 15 }, (_, i) => i), [5, 3]);
      const [v, gv] = runCpu(graph, [looked, g], [[emb, ev], [ids, ndarray(Int32Array.of(4, 0, 4, 1), [2, 2], 'int32')]]);
      expect(v.toArray()).toEqual([[[12, 13, 14], [0, 1, 2]], [[12, 13, 14], [3, 4, 5]]]);
      expect(gv.toArray()).toEqual([[0, 2, 4], [6, 8, 10], [0, 0, 0], [0, 0, 0], [48, 52, 56]]);
      expect(() => tf.nn.embedding_lookup([emb, emb], ids)).toThrow(/embedding_lookup: sharded params \(a list of 2 tensors\)/);
    });
  });

  it('refuses float indices and bad axes, naming the op', () => {
    inGraph(() => {
      const p = tf.placeholder('float32', [3, 2]);
      expect(() => tf.gather(p, tf.placeholder('float32', [2]))).toThrow(/gather: indices must be int32/);
      expect(() => tf.gather(p, [0], { axis: 2 })).toThrow(/gather: axis 2 is out of range for a tensor of rank 2/);
      expect(() => tf.gather(p, [0], { axes: 1 } as object)).toThrow(/gather: unknown option 'axes'/);
    });
  });
});

describe('on a backend without the selection primitives (a plugin that predates them)', () => {
  it('where and gather fail to compile with an error naming the op, the node and the missing primitive', () => {
    inGraph((graph) => {
      const cpu = createCpuBackend();
      const bare = Object.create(cpu, { select: { value: undefined }, gather: { value: undefined }, segmentSum: { value: undefined } }) as Backend;
      const x = tf.placeholder('float32', [3]);
      const sess = tf.Session({ backend: bare, graph });
      try {
        const feeds: [Tensor, tf.NDArray][] = [[x, ndarray(Float32Array.of(1, -2, 3), [3])]];
        expect(() => sess.runSync(tf.where(tf.greater(x, 0), x, 0), { feed_dict: feeds })).toThrow(/Select 'Select': the 'cpu' backend has no select primitive/);
        expect(() => sess.runSync(tf.gather(x, [0]), { feed_dict: feeds })).toThrow(/Gather 'Gather': the 'cpu' backend has no gather primitive/);
        expect(Array.from(sess.runSync(tf.negative(x), { feed_dict: feeds }).data)).toEqual([-1, 2, -3]);
      } finally {
        sess.close();
      }
    });
  });
});

describe('on the wasm backend', () => {
  it('where, gather and their gradients give the cpu values', () => {
    property(seedArb, (seed) => {
      inGraph((graph) => {
        const [x, xv] = input([4, 3], seed);
        const cond = tf.greater(x, 0);
        const idx = tf.constant(Array.from(randomInts(makeRng(seed), 6, 0, 3)), 'int32');
        const y = tf.gather(tf.where(cond, tf.exp(x), tf.negative(x)), idx);
        const [gx] = tf.gradients(tf.reduce_sum(tf.multiply(y, y)), x) as Tensor[];
        const want = runCpu(graph, [y, gx], [[x, xv]]);
        const sess = tf.Session({ backend: createWasmBackend(), graph });
        try {
          const got = sess.runSync([y, gx], { feed_dict: [[x, xv]] });
          // exp differs by an ulp or so between the backends' implementations; the selection itself is exact.
          got.forEach((g, i) => expectClose(g.data, want[i].data, { rtol: 1e-5, atol: 1e-6 }, `wasm vs cpu output ${i}`));
        } finally {
          sess.close();
        }
      });
    });
  });
});

describe('coverage', () => {
  it('every op of the group went through the forward and gradient checks', () => {
    expectGroupCovered('selection', coverage);
  });
});
