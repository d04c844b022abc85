/**
 * Each compiler pass changes what it should (read from `explain`), and a plan computes the same
 * values with and without it.
 */
import { describe, expect, it } from 'vitest';
import { createCpuBackend } from '../../backends/cpu';
import * as tf from '../index';
import type { Tensor } from '../graph/tensor';
import type { Explanation } from '../session';
import type { OptimizationChoice } from './test-support';
import { seededFloats } from './test-support';

const cpu = createCpuBackend();

/** Runs `fetches` with the given passes; returns the values and the plan's explanation. */
function runWith(graph: tf.Graph, fetches: Tensor[], feeds: [Tensor, tf.NDArray][], optimizations: OptimizationChoice) {
  const sess = tf.Session({ backend: cpu, graph, optimizations });
  try {
    const values = sess.runSync(fetches, { feed_dict: feeds });
    const plan: Explanation = sess.explain(fetches, { feed_dict: feeds });
    return { values: values.map((v) => Array.from(v.data)), plan };
  } finally {
    sess.close();
  }
}

const typesOf = (plan: Explanation) => plan.nodes.map((n) => n.type);
const changes = (plan: Explanation, pass: string) => plan.passes.find((p) => p.name === pass)?.changes ?? -1;

/** Builds a graph with one [rows, cols] float input and returns what to fetch. */
function withInput(rows: number, cols: number, build: (x: Tensor) => Tensor[]) {
  const graph = new tf.Graph();
  return graph.as_default(() => {
    const x = tf.placeholder('float32', [null, cols], 'x');
    const fetches = build(x);
    const feeds: [Tensor, tf.NDArray][] = [[x, new tf.NDArray(seededFloats(3, rows * cols), [rows, cols], 'float32')]];
    return { graph, fetches, feeds };
  });
}

function expectSameValues(a: number[][], b: number[][], rtol = 0): void {
  expect(a.length).toBe(b.length);
  a.forEach((values, i) => values.forEach((v, j) => expect(Math.abs(v - b[i][j])).toBeLessThanOrEqual(rtol * Math.abs(b[i][j]) + (rtol > 0 ? 1e-7 : 0))));
}

describe('constant folding', () => {
  it('evaluates what depends on no feed at compile time, shape helpers included', () => {
    const { graph, fetches, feeds } = withInput(4, 3, (x) => [tf.mul(x, tf.add(tf.constant(2), tf.exp(tf.constant(1)))), tf.reduce_mean(x)]);
    const on = runWith(graph, fetches, feeds, true);
    const off = runWith(graph, fetches, feeds, { constantFolding: false, fusion: false });
    expect(changes(on.plan, 'constantFolding')).toBeGreaterThanOrEqual(2);
    expect(typesOf(on.plan)).not.toContain('Exp');
    expect(typesOf(off.plan)).toContain('Exp');
    expectSameValues(on.values, off.values, 1e-6);
  });

  it('never folds random ops or variables', () => {
    const graph = new tf.Graph();
    graph.as_default(() => {
      const r = tf.random_normal([3], { seed: 1 });
      const sess = tf.Session({ backend: cpu, graph });
      const shifted = tf.add(r, tf.constant(1));
      const a = sess.runSync(shifted);
      const b = sess.runSync(shifted);
      expect(Array.from(a.data)).not.toEqual(Array.from(b.data));
      expect(typesOf(sess.explain(tf.mul(r, 2)))).toContain('RandomStandardNormal');
      sess.close();
    });
  });
});

describe('common-subexpression elimination', () => {
  it('computes identical expressions once', () => {
    const { graph, fetches, feeds } = withInput(5, 4, (x) => [tf.add(tf.exp(tf.mul(x, 3)), tf.exp(tf.mul(x, 3)))]);
    const on = runWith(graph, fetches, feeds, { fusion: false });
    const off = runWith(graph, fetches, feeds, { fusion: false, cse: false });
    expect(typesOf(on.plan).filter((t) => t === 'Exp')).toHaveLength(1);
    expect(typesOf(off.plan).filter((t) => t === 'Exp')).toHaveLength(2);
    expectSameValues(on.values, off.values);
  });
});

describe('algebraic simplification', () => {
  it('drops x*1, x+0, x/1, double negation, transpose of transpose and size-1 reductions, exactly', () => {
    const { graph, fetches, feeds } = withInput(3, 4, (x) => {
      const y = tf.div(tf.add(tf.mul(x, 1), 0), 1);
      const t = tf.transpose(tf.transpose(tf.neg(tf.neg(y)), [1, 0]), [1, 0]);
      const r = tf.reduce_sum(tf.expand_dims(t, 1), [1]);
      return [tf.exp(r)];
    });
    const on = runWith(graph, fetches, feeds, { fusion: false });
    const off = runWith(graph, fetches, feeds, false);
    // What is left computes nothing (constants, and views like expand_dims that share their input's buffer).
    expect(on.plan.nodes.filter((n) => n.kernels > 0).map((n) => n.type)).toEqual(['Exp']);
    expect(typesOf(off.plan)).toEqual(expect.arrayContaining(['Mul', 'Add', 'Div', 'Neg', 'Transpose', 'Sum']));
    expectSameValues(on.values, off.values);
  });

  it('keeps a snapshot of a variable the step assigns', () => {
    const graph = new tf.Graph();
    graph.as_default(() => {
      const v = tf.Variable(tf.constant([1, 2, 3]), { name: 'v' });
      const snapshot = tf.mul(v, 1);
      const update = tf.assign(v, tf.add(v, 10));
      const sess = tf.Session({ backend: cpu, graph });
      sess.runSync(tf.global_variables_initializer());
      // Fetching the snapshot alongside the update must give the value from before the update.
      const [before] = sess.runSync([snapshot, update]);
      expect(Array.from(before.data)).toEqual([1, 2, 3]);
      sess.close();
    });
  });
});

describe('fusion', () => {
  it('fuses an elementwise chain into one kernel', () => {
    const { graph, fetches, feeds } = withInput(6, 5, (x) => [tf.nn.relu(tf.add(tf.mul(tf.sigmoid(x), 2), 0.5))]);
    const on = runWith(graph, fetches, feeds, true);
    const off = runWith(graph, fetches, feeds, { fusion: false });
    const fused = on.plan.nodes.filter((n) => n.type === 'FusedElementwise');
    expect(fused).toHaveLength(1);
    expect(fused[0].fusedFrom).toHaveLength(4);
    expect(on.plan.steps).toBe(1);
    expectSameValues(on.values, off.values, 1e-6);
  });

  it('fuses matmul + bias + relu where the backend has the epilogue kernel', () => {
    const graph = new tf.Graph();
    const { fetches, feeds } = graph.as_default(() => {
      const x = tf.placeholder('float32', [null, 6]);
      const w = tf.constant(Array.from(seededFloats(5, 24)), { shape: [6, 4] });
      const b = tf.constant([0.1, -0.2, 0.3, -0.4]);
      const y = tf.nn.relu(tf.nn.bias_add(tf.matmul(x, tf.identity(w)), b));
      return { fetches: [y], feeds: [[x, new tf.NDArray(seededFloats(6, 18), [3, 6], 'float32')]] as [Tensor, tf.NDArray][] };
    });
    const on = runWith(graph, fetches, feeds, true);
    const off = runWith(graph, fetches, feeds, { fusion: false });
    expect(typesOf(on.plan)).toContain('FusedMatMul');
    expectSameValues(on.values, off.values, 1e-6);
  });

  it('computes softmax cross-entropy and its gradient from one softmax', () => {
    const graph = new tf.Graph();
    const { fetches, feeds } = graph.as_default(() => {
      const logits = tf.placeholder('float32', [null, 10]);
      const labels = tf.placeholder('int32', [null]);
      const loss = tf.reduce_mean(tf.nn.sparse_softmax_cross_entropy_with_logits({ labels, logits }));
      const [g] = tf.gradients(loss, [logits]) as Tensor[];
      return {
        fetches: [loss, g],
        feeds: [
          [logits, new tf.NDArray(seededFloats(8, 40, -5, 5), [4, 10], 'float32')],
          [labels, new tf.NDArray(Int32Array.of(3, 0, 9, 3), [4], 'int32')],
        ] as [Tensor, tf.NDArray][],
      };
    });
    const on = runWith(graph, fetches, feeds, true);
    const off = runWith(graph, fetches, feeds, { fusion: false });
    expect(typesOf(on.plan)).toContain('FusedSoftmaxCrossEntropy');
    expect(typesOf(on.plan)).not.toContain('Softmax');
    expectSameValues(on.values, off.values, 1e-5);
  });
});

describe('in-place updates and the memory plan', () => {
  function sgdGraph() {
    const graph = new tf.Graph();
    const parts = graph.as_default(() => {
      const x = tf.placeholder('float32', [null, 8]);
      const w = tf.Variable(tf.constant(Array.from(seededFloats(9, 24)), { shape: [8, 3] }), { name: 'w' });
      const h = tf.matmul(tf.tanh(tf.matmul(x, w)), tf.ones([3, 3]));
      const loss = tf.reduce_mean(tf.square(h));
      const train = new tf.train.GradientDescentOptimizer(0.1).minimize(loss);
      return { x, w, loss, train, init: tf.global_variables_initializer() };
    });
    return { graph, ...parts };
  }

  it('updates W in place and gives the same weights as a separate assign', () => {
    const results = [true, { inPlace: false }, false].map((choice) => {
      const { graph, x, w, loss, train, init } = sgdGraph();
      const sess = tf.Session({ backend: cpu, graph, optimizations: choice });
      sess.runSync(init);
      const feed: [Tensor, tf.NDArray][] = [[x, new tf.NDArray(seededFloats(10, 40), [5, 8], 'float32')]];
      for (let i = 0; i < 3; i++) sess.runSync(train, { feed_dict: feed });
      const plan = sess.explain([loss, train], { feed_dict: feed });
      const weights = Array.from(sess.runSync(w).data);
      sess.close();
      return { plan, weights };
    });
    const [on, noInPlace, none] = results;
    expect(on.plan.nodes.some((n) => n.writesVariable === 'w')).toBe(true);
    expect(noInPlace.plan.nodes.some((n) => n.writesVariable !== undefined)).toBe(false);
    expectSameValues([on.weights], [noInPlace.weights], 1e-6);
    expectSameValues([on.weights], [none.weights], 1e-6);
  });

  it('reuses buffers whose values are dead, so a step holds less than one buffer per value', () => {
    const { graph, x, loss, train, init } = sgdGraph();
    const feed: [Tensor, tf.NDArray][] = [[x, new tf.NDArray(seededFloats(11, 32 * 8), [32, 8], 'float32')]];
    const planned = tf.Session({ backend: cpu, graph, optimizations: { fusion: false } });
    const unplanned = tf.Session({ backend: cpu, graph, optimizations: { fusion: false, memoryPlan: false } });
    for (const s of [planned, unplanned]) s.runSync(init);
    const a = planned.explain([loss, train], { feed_dict: feed }).memory;
    const b = unplanned.explain([loss, train], { feed_dict: feed }).memory;
    expect(a.bytes).toBeLessThan(a.requestedBytes);
    expect(a.buffers).toBeLessThan(b.buffers);
    expect(b.bytes).toBe(b.requestedBytes);
    const la = planned.runSync([loss, train], { feed_dict: feed })[0].item();
    const lb = unplanned.runSync([loss, train], { feed_dict: feed })[0].item();
    expect(la).toBe(lb);
    planned.close();
    unplanned.close();
  });

  it('rejects unknown pass names, naming the known ones', () => {
    expect(() => tf.Session({ backend: cpu, optimizations: { fuse: false } as never })).toThrow(/unknown optimization\(s\) fuse; known: constantFolding, cse/);
  });
});

describe('explain', () => {
  it('prints passes, nodes with their buffers, and the memory totals', () => {
    const { graph, fetches, feeds } = withInput(2, 3, (x) => [tf.nn.relu(tf.mul(x, 2))]);
    const text = String(runWith(graph, fetches, feeds, true).plan);
    expect(text).toMatch(/^plan on cpu: \d+ nodes, 1 kernels per step/);
    expect(text).toContain('FusedElementwise');
    expect(text).toMatch(/memory: \d+ buffers/);
  });
});
