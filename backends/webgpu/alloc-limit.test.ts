/**
 * Buffers over the device's per-buffer limit: refused up front with a message naming the size and the
 * limit, at the backend and through tf.Session, and both keep working afterwards. Also that pooling's
 * power-of-two rounding never turns a buffer that fits into one that does not.
 */
import { describe, expect, it } from 'vitest';
import * as tf from '../../src-core';
import { WebGpuBackend } from './backend';
import { GpuContext } from './context';
import { acquireDevice } from './device';
import type { GpuBuffer, GpuDevice, GpuLimits } from './gpu-types';
import { BufferPool, sizeClass } from './pool';
import { newBackend, webgpuUnavailableReason } from './test-support';

describe('pool size classes under a device limit', () => {
  it('rounds to a power of two only while that stays within the limit', () => {
    expect(sizeClass(3000)).toBe(4096);
    expect(sizeClass(3000, 4096)).toBe(4096);
    expect(sizeClass(3000, 3000)).toBe(3000);
    expect(sizeClass(2998, 3000)).toBe(3000);
    expect(sizeClass(100, 3000)).toBe(128);
    expect(sizeClass(0, 3000)).toBe(16);
  });

  it('creates, frees and reuses buffers of the exact size past the last power of two', () => {
    const made: number[] = [];
    const fake = (size: number): GpuBuffer => {
      made.push(size);
      return { size, destroy: () => undefined } as unknown as GpuBuffer;
    };
    const pool = new BufferPool(fake, 3000);
    const a = pool.take(2800, 1);
    pool.give(a, 1);
    expect(pool.take(2800, 1)).toBe(a);
    expect(made).toEqual([2800]);
    expect(pool.reused).toBe(1);
  });
});

const reason = await webgpuUnavailableReason();
if (reason !== null) console.log(`webgpu alloc-limit tests skipped: ${reason}`);

/** The real device, reporting lower limits: a limit that is not a power of two, which no adapter here has. */
function withLimits(device: GpuDevice, overrides: Partial<GpuLimits>): GpuDevice {
  const limits = new Proxy(device.limits, {
    get: (target, key) => (typeof key === 'string' && key in overrides ? overrides[key as keyof GpuLimits] : Reflect.get(target, key)),
  });
  return new Proxy(device, {
    get(target, key) {
      if (key === 'limits') return limits;
      const value: unknown = Reflect.get(target, key);
      // Dawn's methods check their receiver: call them on the real device, not the proxy.
      return typeof value === 'function' ? value.bind(target) : value;
    },
  });
}

describe.skipIf(reason !== null)('webgpu alloc over the device limit', () => {
  it('tf.Session: a tensor over the limit fails that run naming its size and the limit; the session trains on', async () => {
    const backend = await newBackend();
    const maxElements = backend.capabilities.maxBufferElements;
    const maxBytes = backend.ctx.maxBufferBytes;
    // The smallest 2-D shape over the limit: (rows · 4097) > maxElements.
    const rows = Math.floor(maxElements / 4097) + 1;
    const size = rows * 4097;
    const graph = new tf.Graph();
    const model = graph.as_default(() => {
      const x = tf.placeholder(tf.float32, [null, 4]);
      const w = tf.Variable(tf.zeros([4, 1]));
      const loss = tf.reduce_mean(tf.square(tf.subtract(tf.matmul(x, w), 1)));
      const trainStep = tf.train.GradientDescentOptimizer(0.1).minimize(loss);
      const huge = tf.reduce_sum(tf.ones([rows, 4097]));
      return { x, w, loss, trainStep, huge, init: tf.global_variables_initializer() };
    });
    const sess = tf.Session({ backend, graph });
    try {
      await sess.run(model.init);
      const feed: [tf.Tensor, tf.NDArray][] = [[model.x, new tf.NDArray(new Float32Array([1, 0, 0, 0, 0, 1, 0, 0]), [2, 4])]];
      const first = (await sess.run({ step: model.trainStep, loss: model.loss }, feed)).loss.item();

      const message = new RegExp(`a buffer of ${size} elements \\(${size * 4} bytes\\) exceeds the device limit of ${maxElements} elements \\(${maxBytes} bytes\\)`);
      await expect(sess.run(model.huge)).rejects.toThrow(message);

      // Nothing reached the device, so the same session and its variables carry on.
      let loss = first;
      for (let i = 0; i < 3; i++) loss = (await sess.run({ step: model.trainStep, loss: model.loss }, feed)).loss.item();
      expect(loss).toBeLessThan(first);
      expect(Array.from((await sess.run(model.w)).data).every(Number.isFinite)).toBe(true);
    } finally {
      sess.close();
      backend.dispose();
    }
  });

  it('a buffer that fits a limit that is not a power of two is created (pooling does not round it past the limit)', async () => {
    const { device, description, software } = await acquireDevice();
    const limit = 3000;
    const backend = new WebGpuBackend(new GpuContext(withLimits(device, { maxBufferSize: 4000, maxStorageBufferBindingSize: limit }), description, software));
    try {
      expect(backend.capabilities.maxBufferElements).toBe(750);
      const x = backend.alloc('float32', 750);
      backend.fill(x, 2.5);
      const values = await backend.read(x);
      expect(values.length).toBe(750);
      expect(values.every((v) => v === 2.5)).toBe(true);
      expect(() => backend.alloc('float32', 751)).toThrow(/a buffer of 751 elements \(3004 bytes\) exceeds the device limit of 750 elements \(3000 bytes\)/);
      // Still usable after the refusal.
      const y = backend.alloc('int32', 3);
      backend.fill(y, 7);
      expect(Array.from(await backend.read(y))).toEqual([7, 7, 7]);
    } finally {
      backend.dispose();
    }
  });
});

// Shows the reason in the test report too, not only on the console.
if (reason !== null) it.skip(`webgpu alloc-limit (no adapter: ${reason})`, () => undefined);
