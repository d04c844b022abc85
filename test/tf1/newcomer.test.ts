/**
 * What a newcomer porting TF-1 and tinyflow programs hit (issue 14, point 1): each case failed before
 * its fix.
 */
import { describe, it, expect, beforeEach } from 'vitest';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import * as tf from '../../src-core';

beforeEach(() => tf.reset_default_graph());

const iota = (shape: number[]) => new tf.NDArray(Float32Array.from({ length: shape.reduce((a, b) => a * b, 1) }, (_, i) => i), shape);

describe("pools and conv2d: TF-1's forms first, tinyflow's layer form only by its own keys", () => {
  it("max_pool / avg_pool with TF-1's keywords (Deep MNIST) pool NHWC: [1,4,4,2] gives [1,2,2,2] with TF-1's values", () => {
    const x = tf.constant(iota([1, 4, 4, 2]));
    const maxK = tf.nn.max_pool(x, { ksize: [1, 2, 2, 1], strides: [1, 2, 2, 1], padding: 'SAME' });
    const avgK = tf.nn.avg_pool(x, { ksize: [1, 2, 2, 1], strides: [1, 2, 2, 1], padding: 'SAME' });
    expect(maxK.shape).toEqual([1, 2, 2, 2]);
    expect(avgK.shape).toEqual([1, 2, 2, 2]);
    const sess = tf.Session({ backend: 'cpu' });
    const [mx, av, mxPos] = sess.runSync([maxK, avgK, tf.nn.max_pool(x, [1, 2, 2, 1], [1, 2, 2, 1], 'SAME')]);
    // Window (0,0): pixels (0,0),(0,1),(1,0),(1,1); channel 0 holds 2·(4h + w).
    expect(Array.from(mx.data)).toEqual(Array.from(mxPos.data));
    expect(Array.from(mx.data.slice(0, 2))).toEqual([10, 11]);
    expect(Array.from(av.data.slice(0, 2))).toEqual([5, 6]);
    sess.close();
  });

  it('conv2d takes {strides, padding} after the filter, {filter, strides, padding} alone, and the positional form', () => {
    const x = tf.placeholder(tf.float32, [null, 28, 28, 1]);
    const W = tf.Variable(tf.truncated_normal([5, 5, 1, 32], { stddev: 0.1 }));
    expect(tf.nn.conv2d(x, W, { strides: [1, 1, 1, 1], padding: 'SAME' }).shape).toEqual([null, 28, 28, 32]);
    expect(tf.nn.conv2d(x, { filter: W, strides: [1, 2, 2, 1], padding: 'VALID' }).shape).toEqual([null, 12, 12, 32]);
    expect(tf.nn.conv2d(x, W, [1, 1, 1, 1], 'SAME').shape).toEqual([null, 28, 28, 32]);
    expect(() => tf.nn.conv2d(x, W, { strides: [1, 1, 1, 1] })).toThrow(/conv2d: TF-1's form needs padding/);
  });

  it("tinyflow's layer keys still build its NCHW layers; a mixed call is refused naming each key's form", () => {
    const x = tf.placeholder(tf.float32, [null, 1, 28, 28]);
    const conv = tf.nn.conv2d(x, { num_filter: 4, ksize: 5, name: 'conv1' });
    expect(conv.shape).toEqual([null, 4, 28, 28]);
    expect(tf.nn.max_pool(conv, { ksize: [1, 2, 2, 1], strides: [1, 2, 2, 1] }).shape).toEqual([null, 4, 14, 14]);
    expect(tf.nn.avg_pool(conv, { ksize: 2, stride: 2, pad: 0 }).shape).toEqual([null, 4, 14, 14]);
    expect(() => tf.nn.max_pool(conv, { ksize: 2, stride: 2, padding: 'SAME' } as never))
      .toThrow(/max_pool: ambiguous call mixing two forms: padding belong to TF-1's NHWC form, stride to tinyflow's NCHW layer form \(ksize to both\)/);
    expect(() => tf.nn.conv2d(x, { num_filter: 4, ksize: 5, padding: 'SAME' } as never))
      .toThrow(/conv2d: ambiguous call mixing two forms: padding belong to TF-1's NHWC form, num_filter, ksize to tinyflow's/);
    expect(() => tf.nn.conv2d(x, tf.zeros([5, 5, 1, 4]), { num_filter: 4, padding: 'SAME' } as never)).toThrow(/conv2d: ambiguous call/);
    expect(() => tf.nn.conv2d(x, { strides: 1 } as never)).toThrow(/conv2d: cannot tell the form from keys \{strides\}/);
    expect(() => tf.nn.max_pool(conv, { ksize: 2, strides: 2, paddin: 'SAME' } as never)).toThrow(/max_pool: unknown option 'paddin'/);
  });
});

describe('TF-1 keyword forms of concat, transpose, placeholder and Saver', () => {
  it('concat(values, {axis}), concat(values, axis) and the pre-1.0 concat(axis, values)', () => {
    const a = tf.constant([[1, 2]]);
    const b = tf.constant([[3, 4]]);
    const sess = tf.Session({ backend: 'cpu' });
    const [k, p, legacy] = sess.runSync([tf.concat([a, b], { axis: 1 }), tf.concat([a, b], 0), tf.concat(1, [a, b])]);
    expect(k.toArray()).toEqual([[1, 2, 3, 4]]);
    expect(p.toArray()).toEqual([[1, 2], [3, 4]]);
    expect(legacy.toArray()).toEqual([[1, 2, 3, 4]]);
    expect(() => tf.concat(1, { axis: 0 } as never)).toThrow(/concat: got the axis 1 first but no list of values/);
    expect(() => tf.concat([a, b], { axes: 0 } as never)).toThrow(/concat: unknown option 'axes' \(accepted: axis, name\)/);
    sess.close();
  });

  it('transpose(x, {perm}) and transpose(x, perm); a bad perm is an InvalidArgumentError, not a TypeError', () => {
    const x = tf.constant([[1, 2, 3]]);
    const sess = tf.Session({ backend: 'cpu' });
    const [k, p] = sess.runSync([tf.transpose(x, { perm: [1, 0] }), tf.transpose(x, [1, 0])]);
    expect(k.toArray()).toEqual([[1], [2], [3]]);
    expect(p.toArray()).toEqual([[1], [2], [3]]);
    expect(() => tf.transpose(x, { perm: 'xy' } as never)).toThrow(tf.errors.InvalidArgumentError);
    expect(() => tf.transpose(x, { perm: 'xy' } as never)).toThrow(/transpose: perm must be a list of integers/);
    sess.close();
  });

  it('placeholder(dtype, {shape, name})', () => {
    const x = tf.placeholder(tf.float32, { shape: [null, 784], name: 'x' });
    expect(x.shape).toEqual([null, 784]);
    expect(x.name).toBe('x:0');
    expect(tf.placeholder(tf.int32, { name: 'k' }).shape).toBeNull();
    expect(() => tf.placeholder(tf.float32, { shpe: [1] } as never)).toThrow(/placeholder: unknown option 'shpe' \(accepted: shape, name\)/);
  });

  it('Saver([v]), Saver({var_list}) and Saver({name: v}) save what they were given', async () => {
    const v = tf.Variable(tf.constant([1, 2]), { name: 'v' });
    const w = tf.Variable(tf.constant([3]), { name: 'w' });
    const dir = mkdtempSync(join(tmpdir(), 'tf1-saver-'));
    try {
      const sess = tf.Session({ backend: 'cpu' });
      await sess.run(tf.global_variables_initializer());
      const restoreInto = async (saver: tf.train.Saver, file: string) => {
        await saver.save(sess, join(dir, file));
        await sess.run(tf.assign(v, [0, 0]));
        await saver.restore(sess, join(dir, file));
        return (await sess.run(v)).toArray();
      };
      expect(await restoreInto(tf.train.Saver([v]), 'list')).toEqual([1, 2]);
      expect(await restoreInto(new tf.train.Saver({ var_list: [v, w] }), 'opts')).toEqual([1, 2]);
      expect(await restoreInto(tf.train.Saver({ my_v: v }), 'named')).toEqual([1, 2]);
      // Saver([v]) saves v only: a Saver of w alone finds no 'v' to read there.
      await expect(tf.train.Saver({ var_list: [w] }).restore(sess, join(dir, 'list'))).rejects.toThrow(/variable 'w' not found/);
      sess.close();
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

describe('dtypes of creators and comparisons', () => {
  it('fill(shape, 1.0) is float32; {dtype} changes it; zeros/ones/constant take {dtype} too', () => {
    expect(tf.fill([2, 2], 1.0).dtype).toBe('float32');
    expect(tf.fill([2], 3, { dtype: tf.int32 }).dtype).toBe('int32');
    expect(tf.fill([2], true).dtype).toBe('bool');
    expect(() => tf.fill([2], 0.5, { dtype: tf.int32 })).toThrow(/fill: 0.5 is not an int32 value/);
    expect(tf.zeros([2], { dtype: tf.int32 }).dtype).toBe('int32');
    expect(tf.ones([2]).dtype).toBe('float32');
    expect(tf.constant(1).dtype).toBe('float32');
    expect(tf.constant(1, { dtype: tf.int32 }).dtype).toBe('int32');
  });

  it("tf.normal(shape) has tinyflow's default stdev 1.0", async () => {
    const sess = tf.Session({ backend: 'cpu' });
    const draw = await sess.run(tf.normal([4000]));
    const values = Array.from(draw.data);
    const mean = values.reduce((a, b) => a + b, 0) / values.length;
    const sd = Math.sqrt(values.reduce((a, b) => a + (b - mean) ** 2, 0) / values.length);
    expect(sd).toBeGreaterThan(0.95);
    expect(sd).toBeLessThan(1.05);
    sess.close();
  });

  it("tinyflow's tf.equal(tf.argmax(fc2, 1), label) with a float32 label compares as float32; casts still work", () => {
    const fc2 = tf.constant([[0.1, 0.9], [0.8, 0.2], [0.3, 0.7]]);
    const label = tf.placeholder(tf.float32, [null]);
    const correct = tf.equal(tf.argmax(fc2, 1), label);
    const cast = tf.equal(tf.cast(tf.argmax(fc2, 1), tf.float32), label);
    const less = tf.less(label, tf.argmax(fc2, 1));
    const sess = tf.Session({ backend: 'cpu' });
    const [c, k, l, acc] = sess.runSync([correct, cast, less, tf.reduce_mean(correct)], [[label, [1, 1, 1]]]);
    expect(Array.from(c.data)).toEqual([1, 0, 1]);
    expect(Array.from(k.data)).toEqual([1, 0, 1]);
    expect(Array.from(l.data)).toEqual([0, 0, 0]);
    expect(acc.item()).toBeCloseTo(2 / 3, 6);
    sess.close();
  });
});

describe('np.argmax keepdims and unknown options', () => {
  it('honours keepdims, with the axis as an option or positional, and refuses unknown keys naming the function', () => {
    const M = tf.np.array([[1, 5, 2], [7, 0, 3]]);
    expect(tf.np.argmax(M, { axis: 1, keepdims: true }).shape).toEqual([2, 1]);
    expect(tf.np.argmax(M, { axis: 1, keepdims: true }).toArray()).toEqual([[1], [0]]);
    expect(tf.np.argmax(M, 0, { keepdims: true }).toArray()).toEqual([[1, 0, 1]]);
    expect(tf.np.argmax(M, { axis: -1 }).toArray()).toEqual([1, 0]);
    expect(tf.np.argmax(M, { keepdims: true }).toArray()).toEqual([[3]]);
    expect(() => tf.np.argmax(M, { axis: 1, keepdim: true } as never)).toThrow(/np.argmax: unknown option 'keepdim' \(accepted: axis, keepdims\)/);
    expect(() => tf.np.sum(M, { axis: 1, keepdim: true } as never)).toThrow(/np.sum: unknown option 'keepdim'/);
  });
});

describe('reduce_prod gradient', () => {
  it('is the product of the others, also where elements are 0 (one zero, two zeros), never NaN', () => {
    const x = tf.placeholder(tf.float32, [3, 3]);
    const [g] = tf.gradients(tf.reduce_prod(x, 1), [x]) as tf.Tensor[];
    const [gAll] = tf.gradients(tf.reduce_prod(x), [x]) as tf.Tensor[];
    const sess = tf.Session({ backend: 'cpu' });
    const value = [[2, 3, 4], [2, 0, 4], [0, 3, 0]];
    const [rows, all] = sess.runSync([g, gAll], [[x, value]]);
    expect(rows.toArray()).toEqual([[12, 8, 6], [0, 8, 0], [0, 0, 0]]);
    expect(all.toArray()).toEqual([[0, 0, 0], [0, 0, 0], [0, 0, 0]]);
    const [one] = sess.runSync([gAll], [[x, [[1, 2, 3], [1, 0, 1], [1, 1, 2]]]]);
    expect(one.toArray()).toEqual([[0, 0, 0], [0, 12, 0], [0, 0, 0]]);
    sess.close();
  });
});

describe('feed_dict with a JS computed key', () => {
  it("{[x]: batch} feeds x: a Tensor's string form is its name", () => {
    const x = tf.placeholder(tf.float32, [null, 2], 'input');
    const y = tf.reduce_sum(x);
    expect(String(x)).toBe('input:0');
    const sess = tf.Session({ backend: 'cpu' });
    expect(sess.runSync(y, { feed_dict: { [x.name]: [[1, 2]] } }).item()).toBe(3);
    expect(sess.runSync(y, { feed_dict: { [`${x}`]: [[1, 2], [3, 4]] } }).item()).toBe(10);
    // What a JS program writes (TypeScript only allows string keys, hence the directive).
    // @ts-expect-error a Tensor as a computed key
    expect(sess.runSync(y, { feed_dict: { [x]: [[5, 5]] } }).item()).toBe(10);
    sess.close();
  });
});

describe('unknown option keys', () => {
  it('are refused by every options-taking function, naming it and the accepted keys', () => {
    const x = tf.constant([[1, 2]]);
    expect(() => tf.group(x, { nmae: 'g' } as never)).toThrow(/group: unknown option 'nmae' \(accepted: name\)/);
    expect(() => tf.reduce_sum(x, { axes: 1 } as never)).toThrow(/reduce_sum: unknown option 'axes'/);
    expect(() => tf.zeros([2], { dtyp: 'int32' } as never)).toThrow(/zeros: unknown option 'dtyp' \(accepted: dtype, name\)/);
    expect(() => tf.Session({ backnd: 'cpu' } as never)).toThrow(/Session: unknown option 'backnd'/);
    expect(() => tf.nn.dropout(x, 0.5, { sed: 1 } as never)).toThrow(/dropout: unknown option 'sed'/);
  });
});
