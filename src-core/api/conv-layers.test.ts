import { describe, it, expect, beforeEach } from 'vitest';
import * as tf from '../index';

beforeEach(() => tf.reset_default_graph());

const image = (n: number, c: number, h: number, w: number) =>
  new tf.NDArray(Float32Array.from({ length: n * c * h * w }, (_, i) => Math.sin(i * 0.61)), [n, c, h, w]);

describe("tf.nn.conv2d and pools, tinyflow's layer form (NCHW)", () => {
  it('creates an HWIO weight (and a bias only when asked) and keeps the spatial size with SAME', () => {
    const x = tf.placeholder(tf.float32, [null, 1, 28, 28]);
    const conv1 = tf.nn.conv2d(x, { num_filter: 20, ksize: [1, 5, 5, 1], name: 'conv1', no_bias: false });
    const conv2 = tf.nn.conv2d(conv1, { num_filter: 8, ksize: 3, stride: 2, pad: 0, name: 'conv2' });
    expect(conv1.shape).toEqual([null, 20, 28, 28]);
    expect(conv2.shape).toEqual([null, 8, 13, 13]);
    expect(tf.global_variables().map((v) => [v.op.name, v.shape])).toEqual([
      ['conv1/weight', [5, 5, 1, 20]], ['conv1/bias', [20]], ['conv2/weight', [3, 3, 20, 8]],
    ]);
    const pooled = tf.nn.max_pool(conv1, { ksize: [1, 2, 2, 1], strides: [1, 2, 2, 1] });
    expect(pooled.shape).toEqual([null, 20, 14, 14]);
    expect(tf.nn.avg_pool(conv1, { ksize: 4, strides: 4, pad: 0 }).shape).toEqual([null, 20, 7, 7]);
    expect(() => tf.nn.conv2d(x, { num_filter: 0, ksize: 3 })).toThrow(/num_filter must be a positive integer/);
    expect(() => tf.nn.conv2d(x, { num_filter: 2, ksize: [2, 3, 4] })).toThrow(/ksize must be k, \[kh, kw\] or \[1, kh, kw, 1\]/);
  });

  it('with a shapeless input, infer_variable_shapes finds the channel count', () => {
    const x = tf.placeholder(tf.float32);
    const conv = tf.nn.conv2d(x, { num_filter: 4, ksize: 3, name: 'conv' });
    const flat = tf.nn.flatten_layer(tf.placeholder(tf.float32, [null, 4, 5, 5]));
    expect(tf.get_default_graph().get_tensor_by_name('conv/weight').shape).toEqual([3, 3, null, 4]);
    expect(tf.infer_variable_shapes(conv, { feed_dict: [[x, [2, 3, 5, 5]]] }).map(([, n, s]) => [n, s])).toEqual([['conv/weight', [3, 3, 3, 4]]]);
    expect(flat.shape).toEqual([null, 100]);
  });

  it("infers every weight of tinyflow's LeNet from a shapeless placeholder, through flatten_layer", () => {
    const x = tf.placeholder(tf.float32);
    const conv1 = tf.nn.conv2d(x, { num_filter: 20, ksize: [1, 5, 5, 1], name: 'conv1', no_bias: false });
    const pool1 = tf.nn.max_pool(tf.tanh(conv1), { ksize: [1, 2, 2, 1], strides: [1, 2, 2, 1] });
    const flat = tf.nn.flatten_layer(pool1);
    const fc1 = tf.nn.linear(flat, { num_hidden: 500, name: 'fc1' });
    const fc2 = tf.nn.linear(tf.tanh(fc1), { num_hidden: 10, name: 'fc2' });
    const label = tf.placeholder(tf.float32);
    const loss = tf.nn.mean_sparse_softmax_cross_entropy_with_logits(fc2, label);
    // The conv layer knows the rank (4) and the filter count, not the spatial dims: the width waits for the feed.
    expect(flat.shape).toEqual([null, null]);
    expect(tf.get_default_graph().get_tensor_by_name('fc1/weight').shape).toEqual([null, 500]);
    const known_shape = new Map([[x, [100, 1, 28, 28]], [label, [100]]]);
    expect(tf.infer_variable_shapes(loss, { feed_dict: known_shape }).map(([, n, s]) => [n, s])).toEqual([
      ['conv1/weight', [5, 5, 1, 20]], ['conv1/bias', [20]],
      ['fc1/weight', [20 * 14 * 14, 500]], ['fc1/bias', [500]], ['fc2/weight', [500, 10]], ['fc2/bias', [10]],
    ]);
  });

  it('computes what TF-1 conv2d + bias_add compute with the same weights', async () => {
    const x = tf.placeholder(tf.float32, [null, 2, 6, 6]);
    const layer = tf.nn.conv2d(x, { num_filter: 3, ksize: 3, name: 'conv', no_bias: false });
    const [weight, bias] = tf.global_variables();
    const manual = tf.nn.bias_add(tf.nn.conv2d(x, weight, [1, 1, 1, 1], 'SAME', { data_format: 'NCHW' }), bias, 'NCHW');
    const sess = tf.Session();
    await sess.run(tf.global_variables_initializer());
    await sess.run(tf.assign(bias, tf.constant([0.5, -1, 2])));
    const [a, b] = await sess.run([layer, manual], [[x, image(2, 2, 6, 6)]]);
    expect(a.shape).toEqual([2, 3, 6, 6]);
    expect(Array.from(a.data)).toEqual(Array.from(b.data));
  });

  it("leaves TF-1's forms (NHWC by default) as they were", async () => {
    const x = tf.placeholder(tf.float32, [1, 4, 4, 1]);
    const filter = tf.ones([2, 2, 1, 1]);
    const y = tf.nn.conv2d(x, filter, [1, 1, 1, 1], 'VALID');
    const p = tf.nn.max_pool(x, [1, 2, 2, 1], [1, 2, 2, 1], 'VALID');
    expect(y.shape).toEqual([1, 3, 3, 1]);
    const xs = new tf.NDArray(Float32Array.from({ length: 16 }, (_, i) => i), [1, 4, 4, 1]);
    const [yv, pv] = await tf.Session().run([y, p], [[x, xs]]);
    expect(yv.get(0, 0, 0, 0)).toBe(0 + 1 + 4 + 5);
    expect(Array.from(pv.data)).toEqual([5, 7, 13, 15]);
  });
});
