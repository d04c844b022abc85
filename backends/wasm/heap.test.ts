import { describe, it, expect } from 'vitest';
import fc from 'fast-check';
import { sizeClass } from './heap';
import { WasmBuffer, createWasmBackend } from './index';
import { download, upload } from './test-support';

describe('wasm heap size classes', () => {
  it('round requests up by at most 25% (or one 64-byte granule), to multiples of 64', () => {
    fc.assert(
      fc.property(fc.integer({ min: 1, max: 2 ** 31 }), (bytes) => {
        const capacity = sizeClass(bytes);
        expect(capacity).toBeGreaterThanOrEqual(bytes);
        expect(capacity % 64).toBe(0);
        expect(capacity).toBeLessThanOrEqual(Math.max(bytes * 1.25, bytes + 63));
        expect(sizeClass(capacity)).toBe(capacity);
      }),
      { numRuns: 2000 },
    );
  });

  it('are monotone, so a larger request never gets a smaller block', () => {
    let previous = 0;
    for (let bytes = 1; bytes < 70000; bytes += 7) {
      const capacity = sizeClass(bytes);
      expect(capacity).toBeGreaterThanOrEqual(previous);
      previous = capacity;
    }
  });
});

describe('wasm allocator', () => {
  it('reuses a freed block for the next allocation of its size class, zeroed', () => {
    const backend = createWasmBackend();
    const first = upload(backend, 'float32', [1, 2, 3, 4, 5]);
    const offset = (first as WasmBuffer).offset;
    backend.free(first);
    const again = backend.alloc('int32', 5); // same bytes, another dtype: same class
    expect((again as WasmBuffer).offset).toBe(offset);
    expect(Array.from(download(backend, again))).toEqual([0, 0, 0, 0, 0]);
    const stats = backend.memoryStats();
    expect(stats.allocations).toBe(2);
    expect(stats.frees).toBe(1);
    expect(stats.bytesFree).toBe(0);
  });

  it('keeps distinct live buffers disjoint and 64-byte aligned', () => {
    const backend = createWasmBackend();
    const buffers = [1, 17, 300, 5, 4096, 1000, 3].map((n) => backend.alloc('float32', n) as WasmBuffer);
    const ranges = buffers.map((b) => [b.offset, b.offset + b.capacity]).sort((p, q) => p[0] - q[0]);
    for (let i = 1; i < ranges.length; i++) expect(ranges[i][0]).toBeGreaterThanOrEqual(ranges[i - 1][1]);
    for (const b of buffers) expect(b.offset % 64).toBe(0);
  });

  it('grows the memory when needed, keeping existing data and kernels working', () => {
    const backend = createWasmBackend();
    const values = Float32Array.from({ length: 1000 }, (_, i) => i * 0.5 - 7);
    const early = upload(backend, 'float32', values);
    const before = backend.memoryStats();
    const big = backend.alloc('float32', 8 << 20); // 32 MiB: certainly past the initial memory
    expect(backend.memoryStats().grows).toBeGreaterThan(before.grows);
    expect(backend.memoryStats().memoryBytes).toBeGreaterThanOrEqual(before.memoryBytes + (32 << 20));
    expect(Array.from(download(backend, early))).toEqual(Array.from(values));
    // Kernels and writes after the grow see the new memory through refreshed views.
    const negated = backend.alloc('float32', 1000);
    backend.unary('neg', early, negated);
    expect(download(backend, negated)[3]).toBe(-values[3]);
    backend.fill(big, 2.5);
    expect(download(backend, big)[(8 << 20) - 1]).toBe(2.5);
    expect(Array.from(download(backend, early))).toEqual(Array.from(values));
  });

  it('reserve() pre-sizes the memory so later allocations do not grow it', () => {
    const backend = createWasmBackend();
    backend.reserve(16 << 20);
    const reserved = backend.memoryStats();
    for (let i = 0; i < 64; i++) backend.alloc('float32', 60000); // ~15 MiB in all
    expect(backend.memoryStats().grows).toBe(reserved.grows);
    expect(backend.memoryStats().memoryBytes).toBe(reserved.memoryBytes);
    expect(() => backend.reserve(-1)).toThrow(/wasm reserve/);
  });

  it('fails with a clear error when a buffer cannot fit in wasm32 memory', () => {
    const backend = createWasmBackend();
    expect(() => backend.alloc('float32', 2 ** 29 + 1)).toThrow(/wasm alloc: size 536870913 exceeds the limit/);
  });
});
