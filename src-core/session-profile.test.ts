/** `profile: true` times each compiled node per run; the report averages them per plan. */
import { describe, expect, it } from 'vitest';
import { createCpuBackend } from '../backends/cpu';
import * as tf from './index';
import { seededFloats, seededOneHot } from './compile/test-support';

describe('Session profile', () => {
  it('reports every node of the training plan with its mean time over the runs', () => {
    const graph = new tf.Graph();
    const { x, y, loss, train, init } = graph.as_default(() => {
      const xs = tf.placeholder('float32', [null, 784]);
      const ys = tf.placeholder('float32', [null, 10]);
      const W = tf.Variable(tf.zeros([784, 10]));
      const l = tf.reduce_mean(tf.nn.softmax_cross_entropy_with_logits({ labels: ys, logits: tf.matmul(xs, W) }));
      return { x: xs, y: ys, loss: l, train: new tf.train.GradientDescentOptimizer(0.5).minimize(l), init: tf.global_variables_initializer() };
    });
    const backend = createCpuBackend();
    const sess = tf.Session({ backend, graph, profile: true });
    sess.runSync(init);
    const feed: [tf.Tensor, tf.NDArray][] = [
      [x, new tf.NDArray(seededFloats(1, 50 * 784, 0, 1), [50, 784], 'float32')],
      [y, new tf.NDArray(seededOneHot(2, 50), [50, 10], 'float32')],
    ];
    for (let i = 0; i < 4; i++) sess.runSync([loss, train], { feed_dict: feed });
    const report = sess.profileReport().find((p) => p.fetches.includes(loss.name));
    expect(report).toBeDefined();
    expect(report?.runs).toBe(4);
    expect(report?.kernelTimes).toBe(true);
    const matmuls = report?.nodes.filter((n) => n.type === 'MatMul') ?? [];
    expect(matmuls.length).toBeGreaterThanOrEqual(1);
    expect(matmuls.every((n) => n.meanMs > 0)).toBe(true);
    expect(report?.nodes.every((n) => Number.isFinite(n.meanMs) && n.meanMs >= 0)).toBe(true);
    sess.close();
    backend.dispose();
  });

  it('is off by default: no report', () => {
    const graph = new tf.Graph();
    const t = graph.as_default(() => tf.add(tf.constant([1, 2]), 1));
    const sess = tf.Session({ backend: createCpuBackend(), graph });
    sess.runSync(t);
    expect(sess.profileReport()).toEqual([]);
    sess.close();
  });
});
