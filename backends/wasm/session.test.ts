/**
 * The wasm backend under tf.Session on the seed model (softmax regression with tf.gradients and
 * tf.assign): a compiled plan allocates nothing in steady state, and 200 training steps agree with
 * the cpu backend.
 */
import { describe, it, expect } from 'vitest';
import * as tf from '../../src-core';
import { get_mnist } from '../../src-core/datasets';
import { createCpuBackend } from '../cpu';
import { createWasmBackend } from './index';

function buildSeedModel() {
  tf.reset_default_graph();
  const x = tf.placeholder(tf.float32, [null, 784]);
  const W = tf.Variable(tf.zeros([784, 10]));
  const y = tf.nn.softmax(tf.matmul(x, W));
  const y_ = tf.placeholder(tf.float32, [null, 10]);
  const crossEntropy = tf.reduce_mean(tf.negative(tf.reduce_sum(tf.multiply(y_, tf.log(y)), { reduction_indices: [1] })));
  const W_grad = tf.gradients(crossEntropy, [W])[0]!;
  const trainStep = tf.assign(W, tf.subtract(W, tf.multiply(0.5, W_grad)));
  return { x, y_, W, trainStep, crossEntropy };
}

describe('wasm backend in tf.Session on the seed model', () => {
  it('runs 100 steady-state training steps without allocating or growing memory', () => {
    const { x, y_, trainStep } = buildSeedModel();
    const backend = createWasmBackend();
    const sess = tf.Session({ backend });
    sess.runSync(tf.initialize_all_variables());
    const mnist = get_mnist({ flatten: true, onehot: true });
    const [xs, ys] = mnist.train.next_batch(100);
    sess.runSync(trainStep, { feed_dict: [[x, xs], [y_, ys]] }); // compiles the plan and allocates its buffers
    const before = backend.memoryStats();
    expect(before.allocations).toBeGreaterThan(0);
    for (let i = 0; i < 100; i++) {
      const [batchXs, batchYs] = mnist.train.next_batch(100);
      sess.runSync(trainStep, { feed_dict: [[x, batchXs], [y_, batchYs]] });
    }
    const after = backend.memoryStats();
    expect(after.allocations).toBe(before.allocations);
    expect(after.frees).toBe(before.frees);
    expect(after.grows).toBe(before.grows);
    expect(after.memoryBytes).toBe(before.memoryBytes);
    sess.close();
    expect(backend.memoryStats().bytesInUse).toBe(0); // the session gave every buffer back
  });

  it('trains 200 steps to the same W as the cpu backend (within 1e-4) and the same loss', async () => {
    const { x, y_, W, trainStep, crossEntropy } = buildSeedModel();
    const onCpu = tf.Session({ backend: createCpuBackend() });
    const onWasm = tf.Session({ backend: createWasmBackend() });
    for (const sess of [onCpu, onWasm]) await sess.run(tf.initialize_all_variables());
    const mnist = get_mnist({ flatten: true, onehot: true });
    for (let step = 0; step < 200; step++) {
      const [xs, ys] = mnist.train.next_batch(100);
      for (const sess of [onCpu, onWasm]) await sess.run(trainStep, { feed_dict: [[x, xs], [y_, ys]] });
    }
    const [wCpu, wWasm] = await Promise.all([onCpu.run(W), onWasm.run(W)]);
    let maxDiff = 0;
    for (let i = 0; i < wCpu.size; i++) maxDiff = Math.max(maxDiff, Math.abs(wCpu.data[i] - wWasm.data[i]));
    expect(maxDiff).toBeLessThan(1e-4);
    expect(Math.max(...Array.from(wWasm.data, Math.abs))).toBeGreaterThan(0.01); // it really trained
    const feed = { feed_dict: [[x, mnist.test.images], [y_, mnist.test.labels]] as [tf.Tensor, tf.NDArray][] };
    const [lossCpu, lossWasm] = [(await onCpu.run(crossEntropy, feed)).item(), (await onWasm.run(crossEntropy, feed)).item()];
    expect(Math.abs(lossCpu - lossWasm)).toBeLessThan(1e-5);
    onCpu.close();
    onWasm.close();
  });
});
