/** Device loss and allocation failures become clear errors on every later call, never a hang. */
import { describe, expect, it } from 'vitest';
import { newBackend, webgpuUnavailableReason } from './test-support';

const reason = await webgpuUnavailableReason();
if (reason !== null) console.log(`webgpu device tests skipped: ${reason}`);

describe.skipIf(reason !== null)('webgpu device loss and out-of-memory', () => {
  it('after device.destroy() every call throws "webgpu device lost: ..." and a pending read rejects', async () => {
    const b = await newBackend();
    const x = b.alloc('float32', 1024);
    b.fill(x, 1);
    const pending = b.read(x);
    b.ctx.device.destroy();
    await expect(pending).rejects.toThrow(/webgpu device lost/);
    expect(await b.lost).toBeTypeOf('string');
    expect(() => b.alloc('float32', 4)).toThrow(/webgpu device lost: /);
    expect(() => b.fill(x, 2)).toThrow(/webgpu device lost: /);
    await expect(b.read(x)).rejects.toThrow(/webgpu device lost: /);
    b.dispose();
  });

  it('a buffer over the device limit is refused up front, naming its size and the limit', async () => {
    const b = await newBackend();
    const max = b.capabilities.maxBufferElements;
    expect(() => b.alloc('float32', max + 1)).toThrow(new RegExp(`${(max + 1) * 4} bytes\\) exceeds the device limit of ${max} elements`));
    // The backend stays usable: the refusal happened before anything reached the device.
    const y = b.alloc('int32', 3);
    b.fill(y, 7);
    expect(Array.from(await b.read(y))).toEqual([7, 7, 7]);
    b.dispose();
  });

  // Dawn on llvmpipe allocates lazily and never reports out-of-memory, so these deliver the error the device would.
  class GPUOutOfMemoryError extends Error {}

  it('out-of-memory caught by the allocation error scope fails the next read and call, naming the buffers and the limit', async () => {
    const b = await newBackend();
    const x = b.alloc('float32', 1000); // 4000 bytes, pooled as 4096
    b.ctx.device.popErrorScope = () => Promise.resolve(new GPUOutOfMemoryError('Out of memory'));
    const message = /webgpu alloc: out of memory creating a tensor buffer of 4096 bytes \(device limit \d+ bytes per buffer\)/;
    await expect(b.read(x)).rejects.toThrow(message);
    expect(() => b.alloc('float32', 4)).toThrow(message);
    b.dispose();
  });

  it('an uncaptured out-of-memory error fails the next call too', async () => {
    const b = await newBackend();
    b.ctx.onUncapturedError(new GPUOutOfMemoryError('Out of memory'));
    expect(() => b.alloc('float32', 4)).toThrow(/webgpu alloc: out of memory after creating a .* \(device limit \d+ bytes per buffer\)/);
    b.dispose();
  });
});

describe.skipIf(reason !== null)('webgpu adapter selection', () => {
  it('describes its adapter, and hardwareOnly refuses a software one with the reason', async () => {
    const { createWebGpuBackendAsync } = await import('./index');
    const b = await newBackend();
    const { software, description } = b.ctx;
    expect(description.length).toBeGreaterThan(0);
    b.dispose();
    if (software) await expect(createWebGpuBackendAsync({ hardwareOnly: true })).rejects.toThrow(/only a software WebGPU adapter/);
    else (await createWebGpuBackendAsync({ hardwareOnly: true })).dispose();
  });
});
