import { describe, it, expect } from 'vitest';
import type { Backend, BackendBuffer } from '../interface';
import { CpuBuffer, cpuBackendFactory, createCpuBackend } from './index';
import { download, upload } from './testing';

describe('cpu backend buffers', () => {
  it('describes itself', async () => {
    const backend = await cpuBackendFactory();
    expect(backend.name).toBe('cpu');
    expect(backend.capabilities.dtypes).toEqual(['float32', 'int32', 'bool']);
    expect(backend.capabilities.sync).toBe(true);
    expect(backend.capabilities.maxBufferElements).toBeGreaterThanOrEqual(2 ** 31 - 1);
    expect(typeof backend.readSync).toBe('function');
  });

  it('stores each dtype in its typed array and reads back fresh copies', async () => {
    const backend = createCpuBackend();
    const floats = upload(backend, 'float32', [1.5, -2]);
    expect(floats).toBeInstanceOf(CpuBuffer);
    expect(download(backend, floats)).toBeInstanceOf(Float32Array);
    expect(download(backend, upload(backend, 'int32', [1]))).toBeInstanceOf(Int32Array);
    expect(download(backend, upload(backend, 'bool', [1]))).toBeInstanceOf(Uint8Array);

    const first = await backend.read(floats);
    first[0] = 99;
    expect(Array.from(await backend.read(floats))).toEqual([1.5, -2]);
    const sync = download(backend, floats);
    sync[1] = 99;
    expect(Array.from(download(backend, floats))).toEqual([1.5, -2]);
  });

  it('allocates zeroed buffers, including empty ones', () => {
    const backend = createCpuBackend();
    expect(Array.from(download(backend, backend.alloc('float32', 3)))).toEqual([0, 0, 0]);
    expect(download(backend, backend.alloc('int32', 0)).length).toBe(0);
    expect(() => backend.alloc('float32', -1)).toThrow(/cpu alloc/);
    expect(() => backend.alloc('float32', 1.5)).toThrow(/cpu alloc/);
  });

  it('normalizes non-zero values to 1 when writing bool buffers', () => {
    const backend = createCpuBackend();
    const buffer = backend.alloc('bool', 3);
    backend.write(buffer, new Float32Array([0.5, 0, -2]));
    expect(Array.from(download(backend, buffer))).toEqual([1, 0, 1]);
    backend.write(buffer, new Uint8Array([2, 0, 255]));
    expect(Array.from(download(backend, buffer))).toEqual([1, 0, 1]);
  });

  it('throws an error naming cpu, the method and both sizes on a size mismatch', () => {
    const backend = createCpuBackend();
    const buffer = backend.alloc('float32', 4);
    expect(() => backend.write(buffer, new Float32Array(3))).toThrow('cpu write: data has 3 elements, buffer has 4');
    expect(() => backend.unary('neg', buffer, backend.alloc('float32', 5))).toThrow('cpu unary: out has 5 elements, expected 4');
    expect(() => backend.cast(buffer, backend.alloc('int32', 2))).toThrow('cpu cast: out has 2 elements, expected 4');
    expect(() =>
      backend.binary('add', buffer, buffer, backend.alloc('float32', 4), { shape: [2, 3], aStrides: [3, 1], bStrides: [3, 1] }),
    ).toThrow('cpu binary add: out has 4 elements, expected 6');
    expect(() =>
      backend.binary('add', buffer, buffer, backend.alloc('float32', 6), { shape: [2, 3], aStrides: [3, 1], bStrides: [0, 1] }),
    ).toThrow('cpu binary add: a view reads elements 0..5 of a buffer of 4 elements');
    expect(() => backend.reduce('sum', buffer, backend.alloc('float32', 2), { outer: 2, reduce: 3, inner: 1 }))
      .toThrow('cpu reduce sum: x has 4 elements, expected 6');
    expect(() => backend.softmax?.(buffer, backend.alloc('float32', 4), { rows: 3, cols: 2, log: false }))
      .toThrow('cpu softmax: x has 4 elements, expected 6');
    expect(() => backend.argReduce('argmax', buffer, backend.alloc('float32', 2), { outer: 2, reduce: 2, inner: 1 }))
      .toThrow('cpu argReduce argmax: out is float32, expected int32');
  });

  it('fails loudly on use after free, after dispose, and on foreign buffers', () => {
    const backend = createCpuBackend();
    const buffer = upload(backend, 'float32', [1, 2]);
    backend.free(buffer);
    expect(() => download(backend, buffer)).toThrow(/cpu read: buffer \(float32\[2\]\) used after free/);
    expect(() => backend.fill(buffer, 1)).toThrow(/used after free/);

    const kept = upload(backend, 'int32', [3]);
    backend.dispose();
    expect(() => download(backend, kept)).toThrow(/used after free/);
    expect(() => backend.alloc('float32', 1)).toThrow(/cpu alloc: backend has been disposed/);

    const other: Backend = createCpuBackend();
    const foreign: BackendBuffer = { size: 1, dtype: 'float32' };
    expect(() => other.fill(foreign, 0)).toThrow(/cpu fill: buffer was not allocated by the cpu backend/);
  });

  it('rejects a read of a freed buffer through the promise', async () => {
    const backend = createCpuBackend();
    const buffer = backend.alloc('float32', 1);
    backend.free(buffer);
    await expect(backend.read(buffer)).rejects.toThrow(/used after free/);
  });
});
