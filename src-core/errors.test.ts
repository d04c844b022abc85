import { describe, it, expect, beforeEach } from 'vitest';
import * as tf from './index';

beforeEach(() => tf.reset_default_graph());

/** Builds the seed model and returns a session that has trained one step, to prove errors lose nothing. */
function seedSession() {
  const x = tf.placeholder(tf.float32, [null, 784], 'x');
  const W = tf.Variable(tf.zeros([784, 10]), { name: 'W' });
  const y = tf.nn.softmax(tf.matmul(x, W));
  const y_ = tf.placeholder(tf.float32, [null, 10], 'y_');
  const loss = tf.reduce_mean(tf.negative(tf.reduce_sum(tf.multiply(y_, tf.log(y)), { reduction_indices: [1] })));
  const [gW] = tf.gradients(loss, [W]);
  const train = tf.assign(W, W.sub(gW!.mul(0.5)));
  const sess = tf.Session();
  sess.runSync(tf.initialize_all_variables());
  const xs = new tf.NDArray(new Float32Array(4 * 784).fill(0.1), [4, 784]);
  const ys = new tf.NDArray(new Float32Array(40).map((_, i) => (i % 10 === 1 ? 1 : 0)), [4, 10]);
  sess.runSync(train, [[x, xs], [y_, ys]]);
  const before = sess.runSync(W);
  return { x, y_, W, train, loss, sess, xs, ys, before };
}

function expectSurvives(s: ReturnType<typeof seedSession>) {
  // The same session still runs a valid fetch, and the trained weights are untouched.
  expect(s.sess.runSync(s.W).data).toEqual(s.before.data);
  const l = s.sess.runSync(s.loss, [[s.x, s.xs], [s.y_, s.ys]]).item();
  expect(Number.isFinite(l)).toBe(true);
}

describe('bad input gives a clear tf.errors error and loses nothing', () => {
  it('a wrong feed shape names the placeholder and both shapes', () => {
    const s = seedSession();
    const bad = new tf.NDArray(new Float32Array(4 * 785), [4, 785]);
    expect(() => s.sess.runSync(s.train, [[s.x, bad], [s.y_, s.ys]])).toThrow(tf.errors.InvalidArgumentError);
    expect(() => s.sess.runSync(s.train, [[s.x, bad], [s.y_, s.ys]])).toThrow(/Placeholder 'x'.*\[4,785\].*\[\?,784\]/);
    expectSurvives(s);
    s.sess.close();
  });

  it('a missing feed names the placeholder, its dtype and shape', () => {
    const s = seedSession();
    expect(() => s.sess.runSync(s.train, [[s.x, s.xs]])).toThrow(tf.errors.InvalidArgumentError);
    expect(() => s.sess.runSync(s.train, [[s.x, s.xs]])).toThrow(/placeholder tensor 'y_:0' with dtype float32 and shape \[\?,10\]/);
    expectSurvives(s);
    s.sess.close();
  });

  it('incompatible matmul shapes fail at graph-build time naming the node and shapes', () => {
    const a = tf.placeholder(tf.float32, [null, 784]);
    tf.matmul(a, tf.zeros([784, 10]));
    expect(() => tf.matmul(a, tf.zeros([748, 10]))).toThrow(tf.errors.InvalidArgumentError);
    expect(() => tf.matmul(a, tf.zeros([748, 10]))).toThrow(/MatMul 'MatMul_\d+': inner dims differ, a \[\?,784\] vs b \[748,10\]/);
  });

  it('matmul shapes that only clash once fed fail at run time naming the node, and the session survives', () => {
    const s = seedSession();
    const a = tf.placeholder(tf.float32, null, 'a');
    const b = tf.placeholder(tf.float32, null, 'b');
    const c = tf.matmul(a, b, { name: 'late' });
    expect(() => s.sess.runSync(c, [[a, [[1, 2, 3]]], [b, [[1, 2]]]])).toThrow(/MatMul 'late': inner dims differ, a \[1,3\] vs b \[1,2\]/);
    expect(s.sess.runSync(c, [[a, [[1, 2]]], [b, [[3], [4]]]]).item()).toBe(11);
    expectSurvives(s);
    s.sess.close();
  });

  it('broadcasting mismatches name the op and shapes', () => {
    expect(() => tf.add(tf.zeros([2, 3]), tf.zeros([4]))).toThrow(/Add 'Add': incompatible shapes for broadcasting: \[2,3\] vs \[4\]/);
  });

  it('a feed that is not numeric data is rejected naming the placeholder', () => {
    const s = seedSession();
    expect(() => s.sess.runSync(s.loss, [[s.x, [[1, 2], [3]]], [s.y_, s.ys]])).toThrow(/Placeholder 'x': cannot feed this value/);
    expectSurvives(s);
    s.sess.close();
  });

  it('misspelt options are rejected, not ignored', () => {
    const x = tf.constant([[1, 2]]);
    expect(() => tf.reduce_sum(x, { reduction_indice: [1] } as never)).toThrow(/unknown option 'reduction_indice'/);
    const sess = tf.Session();
    expect(() => sess.runSync(x, { feeds: {} } as never)).toThrow(/unknown option\(s\) feeds/);
    sess.close();
  });

  it('a closed session refuses to run', () => {
    const sess = tf.Session();
    sess.close();
    expect(() => sess.runSync(tf.constant(1))).toThrow(tf.errors.FailedPreconditionError);
  });

  it('an unknown backend lists the registered ones', () => {
    expect(() => tf.Session({ backend: 'nope' })).toThrow(/unknown backend 'nope'; registered backends: .*cpu/);
  });

  it('axis out of range names the op and the rank', () => {
    expect(() => tf.reduce_sum(tf.zeros([2, 3]), 2)).toThrow(/Sum 'Sum': axis 2 is out of range for a tensor of rank 2/);
  });
});
