/**
 * A session on webgpu whose device is lost mid-training moves its variables (weights and Adam's
 * slots) to the next backend by priority from its last host copy, says so, and trains on.
 */
import { describe, expect, it } from 'vitest';
import { createWebGpuBackendAsync, type WebGpuBackend } from '../backends/webgpu';
import * as tf from './index';
import type { FailoverEvent } from './session';
import { seededFloats, seededOneHot } from './compile/test-support';

async function gpuOrReason(): Promise<WebGpuBackend | string> {
  try {
    return await createWebGpuBackendAsync();
  } catch (e) {
    return e instanceof Error ? e.message : String(e);
  }
}

const probe = await gpuOrReason();
const reason = typeof probe === 'string' ? probe : null;
if (typeof probe !== 'string') probe.dispose();
if (reason !== null) console.log(`failover tests skipped: ${reason}`);

function model() {
  const x = tf.placeholder('float32', [null, 784]);
  const y = tf.placeholder('float32', [null, 10]);
  const W = tf.Variable(tf.zeros([784, 10]), { name: 'W' });
  const b = tf.Variable(tf.zeros([10]), { name: 'b' });
  const logits = tf.add(tf.matmul(x, W), b);
  const loss = tf.reduce_mean(tf.nn.softmax_cross_entropy_with_logits({ labels: y, logits }));
  const train = new tf.train.AdamOptimizer(0.01).minimize(loss);
  return { x, y, loss, train, init: tf.global_variables_initializer() };
}

const feeds = (m: ReturnType<typeof model>, step: number): [tf.Tensor, tf.NDArray][] => [
  [m.x, new tf.NDArray(seededFloats(step % 4, 32 * 784, 0, 1), [32, 784], 'float32')],
  [m.y, new tf.NDArray(seededOneHot(50 + (step % 4), 32), [32, 10], 'float32')],
];

describe.skipIf(reason !== null)('session failover after a lost device', () => {
  it('moves weights and optimizer slots to the next backend and keeps training', { timeout: 120_000 }, async () => {
    const gpu = await createWebGpuBackendAsync();
    const graph = new tf.Graph();
    const m = graph.as_default(model);
    const events: FailoverEvent[] = [];
    const sess = tf.Session({ backend: gpu, graph, failover: { snapshotEvery: 4, onFailover: (e) => events.push(e) } });
    await sess.run(m.init);
    const losses: number[] = [];
    for (let step = 0; step < 10; step++) losses.push((await sess.run([m.loss, m.train], { feed_dict: feeds(m, step) }))[0].item());
    // Let the last host copy land, then lose the device.
    await new Promise((resolve) => setTimeout(resolve, 500));
    gpu.ctx.device.destroy();
    for (let step = 10; step < 20; step++) losses.push((await sess.run([m.loss, m.train], { feed_dict: feeds(m, step) }))[0].item());

    expect(events).toHaveLength(1);
    const [event] = events;
    expect(event.from).toBe('webgpu');
    expect(event.to).not.toBe('webgpu');
    expect(event.reason.length).toBeGreaterThan(0);
    // W, b, Adam's m and v for each, and the two beta powers.
    expect(event.restored).toBe(8);
    expect(event.missing).toEqual([]);
    // A copy every 4 assigning runs; one still in flight when the device went can add 4 more.
    expect(event.runsLost).toBeLessThanOrEqual(8);
    expect(sess.backendName).toBe(event.to);
    expect(sess.failovers).toEqual(events);
    // Training went on from the copy: the loss keeps falling and nothing is NaN.
    expect(losses.every(Number.isFinite)).toBe(true);
    expect(losses[19]).toBeLessThan(losses[0]);
    expect(losses[19]).toBeLessThan(losses[9] + 0.05);
    sess.close();
    gpu.dispose();
  });

  it('with failover off, the run fails with the device-lost error', { timeout: 60_000 }, async () => {
    const gpu = await createWebGpuBackendAsync();
    const graph = new tf.Graph();
    const m = graph.as_default(model);
    const sess = tf.Session({ backend: gpu, graph, failover: false });
    await sess.run(m.init);
    gpu.ctx.device.destroy();
    await expect(sess.run(m.loss, { feed_dict: feeds(m, 0) })).rejects.toThrow(/webgpu device lost/);
    sess.close();
    gpu.dispose();
  });
});

if (reason !== null) it.skip(`session failover (no WebGPU adapter: ${reason})`, () => undefined);
