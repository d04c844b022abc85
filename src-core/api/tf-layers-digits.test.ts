/**
 * A TF-1 program written with tf.layers (conv2d, max_pooling2d, flatten, dense, batch_normalization,
 * dropout), a `training` placeholder, RMSProp on an exponentially decayed rate with a global step, and
 * the UPDATE_OPS idiom, trained on the bundled digits on the wasm backend.
 */
import { describe, expect, it } from 'vitest';
import * as tf from '../index';
import { get_mnist } from '../datasets';
import { DATA_DIR_ENV } from '../datasets/mnist-files';
import { NDArray } from '../ndarray';

describe('tf.layers + batch_normalization + dropout + RMSProp + exponential_decay on the bundled digits (wasm)', () => {
  delete process.env[DATA_DIR_ENV]; // the digits that ship

  it('trains: test accuracy rises from chance to >= 0.85 in 150 steps, moving statistics follow the data', async () => {
    const graph = tf.Graph();
    const { train, test } = get_mnist({ flatten: true, onehot: false });
    const { trainOp, accuracy, x, y, training, step, lr, movingMean } = graph.as_default(() => {
      tf.set_random_seed(1);
      const x = tf.placeholder(tf.float32, { shape: [null, 784], name: 'x' });
      const y = tf.placeholder(tf.int32, { shape: [null], name: 'y' });
      const training = tf.placeholder(tf.bool, { shape: [], name: 'training' });
      const images = tf.reshape(x, [-1, 28, 28, 1]);
      let h = tf.layers.conv2d(images, 8, 5, { strides: 2, padding: 'same', activation: tf.nn.relu });
      h = tf.layers.max_pooling2d(h, 2, 2);
      h = tf.layers.flatten(h);
      h = tf.layers.dense(h, 64);
      h = tf.layers.batch_normalization(h, { training, momentum: 0.9 });
      h = tf.nn.relu(h);
      h = tf.layers.dropout(h, { rate: 0.2, training });
      const logits = tf.layers.dense(h, 10);
      const loss = tf.reduce_mean(tf.nn.sparse_softmax_cross_entropy_with_logits({ labels: y, logits }));
      const step = tf.train.get_or_create_global_step();
      const lr = tf.train.exponential_decay(0.003, step, 50, 0.7, { staircase: true });
      const updates = tf.get_collection(tf.GraphKeys.UPDATE_OPS);
      const trainOp = tf.control_dependencies(updates, () => tf.train.RMSPropOptimizer(lr).minimize(loss, { global_step: step }));
      const correct = tf.equal(tf.cast(tf.argmax(logits, 1), tf.int32), y);
      const accuracy = tf.reduce_mean(tf.cast(correct, tf.float32));
      const movingMean = tf.global_variables().find((v) => v.op.name === 'batch_normalization/moving_mean') as tf.Variable;
      return { trainOp, accuracy, x, y, training, step, lr, movingMean };
    });
    const sess = tf.Session({ backend: 'wasm', graph });
    await sess.run(graph.as_default(() => tf.global_variables_initializer()));
    const evaluate = async (): Promise<number> => {
      const [images, labels] = firstOf(test.images, test.labels, 1000);
      return (await sess.run(accuracy, { feed_dict: [[x, images], [y, labels], [training, false]] })).data[0];
    };
    const before = await evaluate();
    const started = performance.now();
    for (let i = 0; i < 150; i++) {
      const [images, labels] = train.next_batch(64);
      await sess.run(trainOp, { feed_dict: [[x, images], [y, labels], [training, true]] });
    }
    const seconds = (performance.now() - started) / 1000;
    const after = await evaluate();
    const [stepValue, lrValue, mean] = (await sess.run([step, lr, movingMean])) as NDArray[];
    console.log(`tf.layers CNN on wasm: test accuracy ${before.toFixed(3)} -> ${after.toFixed(3)} after 150 steps of 64 (${seconds.toFixed(1)} s); lr ${lrValue.data[0].toPrecision(4)}`);
    expect(before).toBeLessThan(0.3);
    expect(after).toBeGreaterThanOrEqual(0.85);
    expect(stepValue.data[0]).toBe(150);
    expect(lrValue.data[0]).toBeCloseTo(0.003 * 0.7 ** 3, 6);
    // The update ops ran with each step: the moving mean left its zero start.
    expect(Array.from(mean.data).some((v) => Math.abs(v) > 1e-3)).toBe(true);
    sess.close();
  }, 120_000);
});

/** The first `n` examples of a flattened data set, as views. */
function firstOf(images: NDArray, labels: NDArray, n: number): [NDArray, NDArray] {
  const width = images.shape[1];
  return [new NDArray(images.data.subarray(0, n * width), [n, width], images.dtype), new NDArray(labels.data.subarray(0, n), [n], labels.dtype)];
}
