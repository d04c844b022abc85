/**
 * Session.run's plan cache, found per run without rebuilding key strings: one plan per (fetches, fed
 * tensors, feed shapes), reused across runs, a new one for a new shape or a new fetch set. Counted
 * through the profile, which keeps one entry per compiled plan.
 */
import { beforeEach, describe, expect, it } from 'vitest';
import * as tf from './index';
import { NDArray } from './ndarray';
import { InvalidArgumentError } from './errors';

beforeEach(() => tf.reset_default_graph());

const rows = (n: number) => new NDArray(Float32Array.from({ length: n * 3 }, (_, i) => i), [n, 3]);

describe('Session plan cache', () => {
  it('compiles once per feed shape: batch 2, 3, 2, 3 is two plans run twice each', () => {
    const x = tf.placeholder(tf.float32, [null, 3]);
    const y = tf.reduce_sum(x, 1);
    const sess = tf.Session({ backend: 'cpu', profile: true });
    for (const n of [2, 3, 2, 3]) expect(sess.runSync(y, [[x, rows(n)]]).shape).toEqual([n]);
    expect(sess.profileReport().map((p) => p.runs)).toEqual([2, 2]);
    sess.close();
  });

  it('one fetch, the same fetch in an array and in an object share a plan and each get their own structure back', () => {
    const x = tf.placeholder(tf.float32, [null, 3]);
    const y = tf.reduce_sum(x, 1);
    const sess = tf.Session({ backend: 'cpu', profile: true });
    const feed = [[x, rows(2)]] as const;
    expect(sess.runSync(y, feed).toArray()).toEqual([3, 12]);
    expect(sess.runSync([y], feed)[0].toArray()).toEqual([3, 12]);
    expect(sess.runSync({ total: y }, feed).total.toArray()).toEqual([3, 12]);
    expect(sess.runSync(y, feed).toArray()).toEqual([3, 12]);
    expect(sess.profileReport().map((p) => p.runs)).toEqual([4]);
    sess.close();
  });

  it('a different fetch set, or a different fed tensor at the same shape, is a different plan', () => {
    const x = tf.placeholder(tf.float32, [null, 3]);
    const z = tf.placeholder(tf.float32, [null, 3]);
    const y = tf.reduce_sum(tf.add(x, z), 1);
    const doubled = tf.multiply(y, 2);
    const sess = tf.Session({ backend: 'cpu', profile: true });
    const both = [[x, rows(2)], [z, rows(2)]] as const;
    expect(sess.runSync(y, both).toArray()).toEqual([6, 24]);
    expect(sess.runSync(doubled, both).toArray()).toEqual([12, 48]);
    // Feeding y itself (an intermediate) at the same shape as before: its own plan, not the first one.
    expect(sess.runSync(doubled, [[y, new NDArray(Float32Array.of(1, 2), [2])]]).toArray()).toEqual([2, 4]);
    expect(sess.runSync(y, both).toArray()).toEqual([6, 24]);
    expect(sess.profileReport().map((p) => p.runs)).toEqual([2, 1, 1]);
    sess.close();
  });

  it('the training op as a target, run many times, updates the variable every time', () => {
    const W = tf.Variable(tf.zeros([2]));
    const step = tf.assign_add(W, tf.constant([1, 2]));
    const sess = tf.Session({ backend: 'cpu' });
    sess.runSync(tf.global_variables_initializer());
    for (let i = 0; i < 5; i++) expect(sess.runSync(step.op)).toBeNull();
    expect(sess.runSync(W).toArray()).toEqual([5, 10]);
    sess.close();
  });

  it('a feed_dict entry that is not a [tensor, value] pair is an InvalidArgumentError naming its index', () => {
    const x = tf.placeholder(tf.float32, [null, 3]);
    const y = tf.reduce_sum(x, 1);
    const sess = tf.Session({ backend: 'cpu' });
    const bad = [[x, rows(1)], 'x'] as unknown as tf.FeedDict;
    expect(() => sess.runSync(y, bad)).toThrow(InvalidArgumentError);
    expect(() => sess.runSync(y, bad)).toThrow(/feed_dict\[1\] is .*x.*, not a \[tensor, value\] pair/);
    // The session still runs.
    expect(sess.runSync(y, [[x, rows(1)]]).toArray()).toEqual([3]);
    sess.close();
  });
});
