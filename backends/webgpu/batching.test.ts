/** Command batching and buffer pooling: what keeps a training step from waiting on the GPU. */
import { describe, expect, it } from 'vitest';
import * as tf from '../../src-core';
import { batch, softmaxRegression } from '../../test/conformance/training-models';
import { newBackend, webgpuUnavailableReason } from './test-support';

const reason = await webgpuUnavailableReason();
if (reason !== null) console.log(`webgpu batching tests skipped: ${reason}`);

describe.skipIf(reason !== null)('webgpu batching and pooling', () => {
  it('records kernels into one encoder: nothing is submitted until flush or read', async () => {
    const b = await newBackend();
    const x = b.alloc('float32', 8);
    const y = b.alloc('float32', 8);
    const { stats } = b.ctx;
    b.fill(x, 2);
    b.unary('exp', x, y);
    b.binary('mul', x, y, b.alloc('float32', 8), { shape: [8], aStrides: [1], bStrides: [1] });
    expect([stats.dispatches, stats.submits, stats.mapAsyncCalls]).toEqual([3, 0, 0]);
    b.flush();
    expect([stats.submits, stats.mapAsyncCalls]).toEqual([1, 0]);
    b.unary('neg', x, y);
    const out = await b.read(y);
    expect(out[0]).toBe(-2);
    // The read's copy rode in the same submission as the kernel before it.
    expect([stats.submits, stats.mapAsyncCalls]).toEqual([2, 1]);
    b.dispose();
  });

  it('a training step that fetches nothing never maps a buffer (never waits on the GPU)', async () => {
    const b = await newBackend();
    const model = softmaxRegression();
    // Failover's periodic host copy of the variables is a read of its own (every 20 assigning runs): off here.
    const sess = tf.Session({ backend: b, graph: model.graph, failover: false });
    await sess.run(model.init);
    // The assign as an Operation target: it runs but nothing is fetched back to the host.
    const train = model.trainStep instanceof tf.Operation ? model.trainStep : model.trainStep.op;
    const before = b.ctx.stats.mapAsyncCalls;
    for (let step = 0; step < 3; step++) {
      const { xs, ys } = batch(8, 784, step);
      await sess.run(train, [[model.x, xs], [model.labels, ys]]);
    }
    expect(b.ctx.stats.mapAsyncCalls, 'mapAsync calls during fetch-free steps').toBe(before);
    const { xs, ys } = batch(8, 784, 3);
    const loss = (await sess.run(model.loss, [[model.x, xs], [model.labels, ys]])).item();
    expect(Number.isFinite(loss)).toBe(true);
    expect(b.ctx.stats.mapAsyncCalls).toBe(before + 1);
    sess.close();
    b.dispose();
  });

  it('freed buffers return to a pool by size class and are handed out again', async () => {
    const b = await newBackend();
    const pool = b.ctx.storage;
    const first = b.alloc('float32', 1000);
    b.free(first);
    const created = pool.created;
    const reused = pool.reused;
    // 1000 and 1020 float32s share the 4096-byte class; bool is 4 bytes per element too.
    for (const [dtype, size] of [['float32', 1000], ['float32', 1020], ['bool', 1024]] as const) {
      const buffer = b.alloc(dtype, size);
      b.fill(buffer, 1);
      expect(Array.from((await b.read(buffer)).slice(0, 2))).toEqual([1, 1]);
      b.free(buffer);
    }
    expect(pool.created, 'no new device buffers').toBe(created);
    expect(pool.reused - reused).toBe(3);
    await expect(b.read(first)).rejects.toThrow(/used after free/);
    b.dispose();
  });

  it('caches pipelines by key: a second shape of the same rank class compiles nothing', async () => {
    const b = await newBackend();
    const run = async (n: number) => {
      const a = b.alloc('float32', n);
      const out = b.alloc('float32', n);
      b.fill(a, 3);
      b.binary('add', a, a, out, { shape: [n], aStrides: [1], bStrides: [1] });
      return (await b.read(out))[n - 1];
    };
    expect(await run(10)).toBe(6);
    const compiled = b.ctx.stats.pipelinesCompiled;
    expect(await run(1000)).toBe(6);
    expect(b.ctx.stats.pipelinesCompiled).toBe(compiled);
    b.dispose();
  });
});
