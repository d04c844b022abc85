import { describe, it, expect, beforeEach } from 'vitest';
import * as tf from './index';
import { NDArray } from './ndarray';

beforeEach(() => tf.reset_default_graph());

describe('Session.run fetch structures', () => {
  it('returns one result for one fetch, arrays for arrays, objects for objects, null for operations', async () => {
    const a = tf.constant([[1, 2], [3, 4]]);
    const b = tf.add(a, 1);
    const op = tf.group(b);
    const sess = tf.Session();
    const one = await sess.run(b);
    expect(one.toArray()).toEqual([[2, 3], [4, 5]]);
    const [ra, rb, rop] = await sess.run([a, b, op]);
    expect(ra.shape).toEqual([2, 2]);
    expect(rb.get(1, 1)).toBe(5);
    expect(rop).toBeNull();
    const obj = await sess.run({ sum: tf.reduce_sum(a), nested: [b, { op }] });
    expect(obj.sum.item()).toBe(10);
    expect(obj.nested[0].toArray()).toEqual([[2, 3], [4, 5]]);
    expect(obj.nested[1].op).toBeNull();
    sess.close();
  });

  it('fetches by tensor name and runs an operation given by name', async () => {
    const x = tf.placeholder(tf.float32, [2], 'x');
    const y = tf.multiply(x, 3, 'triple');
    const sess = tf.Session();
    const r = sess.runSync('triple:0', { feed_dict: { x: [1, 2] } });
    expect(r?.toArray()).toEqual([3, 6]);
    expect(y.name).toBe('triple:0');
    sess.close();
  });

  it('accepts every feed form: a Map, pairs, an object keyed by name, a Map as the second argument', () => {
    const x = tf.placeholder(tf.float32, [null, 2], 'x');
    const y = tf.reduce_sum(x, 1);
    const sess = tf.Session();
    const data = [[1, 2], [3, 4]];
    const expected = [3, 7];
    expect(sess.runSync(y, { feed_dict: new Map([[x, data]]) }).toArray()).toEqual(expected);
    expect(sess.runSync(y, { feed_dict: [[x, data]] }).toArray()).toEqual(expected);
    expect(sess.runSync(y, { feed_dict: { x: data } }).toArray()).toEqual(expected);
    expect(sess.runSync(y, { feed_dict: { 'x:0': NDArray.from(data) } }).toArray()).toEqual(expected);
    expect(sess.runSync(y, new Map([[x, data]])).toArray()).toEqual(expected);
    expect(sess.runSync(y, [[x, data]]).toArray()).toEqual(expected);
    sess.close();
  });

  it('reuses one compiled plan per feed shape and recompiles for a new batch size', () => {
    const x = tf.placeholder(tf.float32, [null, 3]);
    const y = tf.reduce_mean(tf.square(x), { axis: 1, keep_dims: true });
    const sess = tf.Session();
    for (const n of [1, 5, 1, 7]) {
      const data = new NDArray(Float32Array.from({ length: n * 3 }, (_, i) => i), [n, 3]);
      const r = sess.runSync(y, [[x, data]]);
      expect(r.shape).toEqual([n, 1]);
      expect(r.get(0, 0)).toBeCloseTo((0 + 1 + 4) / 3, 5);
    }
    sess.close();
  });

  it('feeds an intermediate tensor in place of its computation', () => {
    const x = tf.placeholder(tf.float32, [2]);
    const h = tf.multiply(x, 2);
    const y = tf.add(h, 1);
    const sess = tf.Session();
    expect(sess.runSync(y, [[h, [10, 20]]]).toArray()).toEqual([11, 21]);
    sess.close();
  });
});

describe('variables and assign', () => {
  it('assign returns the new value and updates the variable in place', () => {
    const v = tf.Variable(tf.zeros([2]));
    const inc = tf.assign(v, tf.add(v, 1));
    const sess = tf.Session();
    sess.runSync(tf.initialize_all_variables());
    expect(sess.runSync(inc).toArray()).toEqual([1, 1]);
    expect(sess.runSync(inc).toArray()).toEqual([2, 2]);
    expect(sess.runSync(v).toArray()).toEqual([2, 2]);
    sess.close();
  });

  it('variables are per session and reading one uninitialised is a FailedPreconditionError that leaves the session usable', () => {
    const v = tf.Variable([1, 2, 3], { name: 'weights' });
    const s1 = tf.Session();
    const s2 = tf.Session();
    s1.runSync(tf.global_variables_initializer());
    expect(() => s2.runSync(v)).toThrow(tf.errors.FailedPreconditionError);
    expect(() => s2.runSync(v)).toThrow(/weights/);
    s2.runSync(v.initializer);
    expect(s2.runSync(v).toArray()).toEqual([1, 2, 3]);
    s1.runSync(tf.assign(v, [4, 5, 6]));
    expect(s1.runSync(v).toArray()).toEqual([4, 5, 6]);
    expect(s2.runSync(v).toArray()).toEqual([1, 2, 3]);
    s1.close();
    s2.close();
  });

  it('Variable works with and without new, and collects trainable variables', () => {
    const a = tf.Variable(tf.ones([2, 2]));
    const b = new tf.Variable(tf.zeros([3]), { trainable: false });
    expect(a.name).toBe('Variable:0');
    expect(b.name).toBe('Variable_1:0');
    expect(tf.global_variables()).toEqual([a, b]);
    expect(tf.trainable_variables()).toEqual([a]);
  });

  it('group runs all its inputs', () => {
    const a = tf.Variable(0);
    const b = tf.Variable(0);
    const both = tf.group(tf.assign(a, 1), tf.assign(b, 2));
    const sess = tf.Session();
    sess.runSync(tf.initialize_all_variables());
    expect(sess.runSync(both)).toBeNull();
    expect(sess.runSync([a, b]).map((r) => r.item())).toEqual([1, 2]);
    sess.close();
  });
});

describe('graph naming and shapes', () => {
  it('gives unique names and honours name scopes', () => {
    const a = tf.constant(1);
    const m1 = tf.matmul([[1]], [[2]]);
    const m2 = tf.matmul([[1]], [[2]]);
    expect(a.op.name).toBe('Const');
    expect(m1.op.name).toBe('MatMul');
    expect(m2.op.name).toBe('MatMul_1');
    const scoped = tf.name_scope('layer1', () => tf.add(a, a));
    expect(scoped.op.name).toBe('layer1/Add');
    const scoped2 = tf.name_scope('layer1', () => tf.add(a, a));
    expect(scoped2.op.name).toBe('layer1_1/Add');
  });

  it('infers static shapes with unknown dims at build time', () => {
    const x = tf.placeholder(tf.float32, [null, 784]);
    const W = tf.Variable(tf.zeros([784, 10]));
    const y = tf.nn.softmax(tf.matmul(x, W));
    expect(y.shape).toEqual([null, 10]);
    expect(tf.reduce_sum(y, { reduction_indices: [1] }).shape).toEqual([null]);
    expect(tf.reduce_sum(y, 1, { keep_dims: true }).shape).toEqual([null, 1]);
    expect(tf.reduce_mean(y).shape).toEqual([]);
    expect(tf.placeholder(tf.float32).shape).toBeNull();
    expect(tf.add(tf.placeholder(tf.float32), 1).shape).toBeNull();
    expect(tf.reshape(x, [-1, 28, 28]).shape).toEqual([null, 28, 28]);
  });

  it('explicit graphs keep their ops apart from the default graph', () => {
    const g = new tf.Graph();
    const c = g.as_default(() => tf.constant(3));
    expect(c.graph).toBe(g);
    expect(tf.get_default_graph().operations.length).toBe(0);
    const sess = tf.Session({ graph: g });
    expect(sess.runSync(c).item()).toBe(3);
    sess.close();
  });

  it('reduce_mean of bool is float32 and keep_dims keeps the reduced axes', () => {
    const b = tf.constant([true, false, true, true]);
    const sess = tf.Session();
    const mean = tf.reduce_mean(b);
    expect(mean.dtype).toBe('float32');
    expect(sess.runSync(mean).item()).toBeCloseTo(0.75, 6);
    const x = tf.constant([[1, 1, 1], [1, 1, 1]]);
    expect(sess.runSync(tf.reduce_sum(x)).item()).toBe(6);
    expect(sess.runSync(tf.reduce_sum(x, 0)).toArray()).toEqual([2, 2, 2]);
    expect(sess.runSync(tf.reduce_sum(x, 1)).toArray()).toEqual([3, 3]);
    expect(sess.runSync(tf.reduce_sum(x, 1, { keep_dims: true })).toArray()).toEqual([[3], [3]]);
    expect(sess.runSync(tf.reduce_sum(x, [0, 1])).item()).toBe(6);
    sess.close();
  });
});

describe('tensor methods and literals', () => {
  it('chains arithmetic and converts literals to constants of the right dtype', () => {
    const W = tf.constant([1, 2, 3]);
    const g = tf.constant([0.5, 0.5, 0.5]);
    const updated = W.sub(g.mul(0.5));
    const i = tf.constant([1, 2], tf.int32).mul(3);
    expect(i.dtype).toBe('int32');
    const sess = tf.Session();
    expect(sess.runSync(updated).toArray()).toEqual([0.75, 1.75, 2.75]);
    expect(sess.runSync(i).toArray()).toEqual([3, 6]);
    sess.close();
  });
});
