import { describe, it, expect, vi } from 'vitest';
import type { Backend, BackendBuffer } from '../interface';
import { createCpuBackend } from '../cpu';
import { WasmBuffer, createWasmBackend, createWasmBackendAsync, wasmBackendFactory, wasmSimdSupported } from './index';
import { download, upload } from './test-support';

describe('wasm backend buffers', () => {
  it('describes itself', async () => {
    const backend = await wasmBackendFactory();
    expect(backend.name).toBe('wasm');
    expect(backend.capabilities.dtypes).toEqual(['float32', 'int32', 'bool']);
    expect(backend.capabilities.sync).toBe(true);
    expect(typeof backend.readSync).toBe('function');
    expect(typeof backend.softmax).toBe('function');
    expect(wasmSimdSupported()).toBe(true);
  });

  it('stores each dtype in its typed array and reads back fresh copies', async () => {
    const backend = createWasmBackend();
    const floats = upload(backend, 'float32', [1.5, -2]);
    expect(floats).toBeInstanceOf(WasmBuffer);
    expect(download(backend, floats)).toBeInstanceOf(Float32Array);
    expect(download(backend, upload(backend, 'int32', [1]))).toBeInstanceOf(Int32Array);
    expect(download(backend, upload(backend, 'bool', [1]))).toBeInstanceOf(Uint8Array);
    const first = await backend.read(floats);
    first[0] = 99;
    expect(Array.from(await backend.read(floats))).toEqual([1.5, -2]);
  });

  it('allocates zeroed buffers, including empty ones, and rejects bad sizes', () => {
    const backend = createWasmBackend();
    expect(Array.from(download(backend, backend.alloc('float32', 3)))).toEqual([0, 0, 0]);
    expect(download(backend, backend.alloc('int32', 0)).length).toBe(0);
    expect(() => backend.alloc('float32', -1)).toThrow(/wasm alloc/);
    expect(() => backend.alloc('float32', 1.5)).toThrow(/wasm alloc/);
  });

  it('converts on write like a typed-array store, and normalizes bool to 0/1', () => {
    const backend = createWasmBackend();
    const flags = backend.alloc('bool', 3);
    backend.write(flags, new Float32Array([0.5, 0, -2]));
    expect(Array.from(download(backend, flags))).toEqual([1, 0, 1]);
    const ints = backend.alloc('int32', 3);
    backend.write(ints, new Float32Array([2.7, -2.7, 3e9]));
    expect(Array.from(download(backend, ints))).toEqual([2, -2, -1294967296]);
  });

  it('throws errors naming wasm, the method and the sizes', () => {
    const backend = createWasmBackend();
    const buffer = backend.alloc('float32', 4);
    expect(() => backend.write(buffer, new Float32Array(3))).toThrow('wasm write: data has 3 elements, buffer has 4');
    expect(() => backend.unary('neg', buffer, backend.alloc('float32', 5))).toThrow('wasm unary: out has 5 elements, expected 4');
    expect(() => backend.cast(buffer, backend.alloc('int32', 2))).toThrow('wasm cast: out has 2 elements, expected 4');
    expect(() => backend.binary('add', buffer, buffer, backend.alloc('float32', 6), { shape: [2, 3], aStrides: [0, 1], bStrides: [3, 1] }))
      .toThrow('wasm binary add: b view reads elements 0..5 of a buffer of 4 elements');
    expect(() => backend.reduce('sum', buffer, backend.alloc('float32', 2), { outer: 2, reduce: 3, inner: 1 }))
      .toThrow('wasm reduce sum: x has 4 elements, expected 6');
    expect(() => backend.softmax(buffer, backend.alloc('float32', 4), { rows: 3, cols: 2, log: false }))
      .toThrow('wasm softmax: x has 4 elements, expected 6');
  });

  it('fails loudly on use after free, after dispose, and on foreign buffers', async () => {
    const backend = createWasmBackend();
    const buffer = upload(backend, 'float32', [1, 2]);
    backend.free(buffer);
    expect(() => download(backend, buffer)).toThrow('wasm read: buffer (float32[2]) used after free');
    expect(() => backend.fill(buffer, 1)).toThrow(/used after free/);
    await expect(backend.read(buffer)).rejects.toThrow(/used after free/);
    backend.free(buffer); // a second free is harmless

    const kept = upload(backend, 'int32', [3]);
    backend.dispose();
    expect(() => download(backend, kept)).toThrow(/used after free/);
    expect(() => backend.alloc('float32', 1)).toThrow('wasm alloc: backend has been disposed');

    const other: Backend = createWasmBackend();
    const foreign: BackendBuffer = createCpuBackend().alloc('float32', 1);
    expect(() => other.fill(foreign, 0)).toThrow('wasm fill: buffer was not allocated by this wasm backend');
    const fromAnotherWasm = createWasmBackend().alloc('float32', 1);
    expect(() => other.fill(fromAnotherWasm, 0)).toThrow(/not allocated by this wasm backend/);
  });

  it('gives each backend its own memory', () => {
    const a = createWasmBackend();
    const b = createWasmBackend();
    expect(a.memory).not.toBe(b.memory);
    const x = upload(a, 'float32', [1, 2, 3]);
    const y = upload(b, 'float32', [4, 5, 6]);
    expect(Array.from(download(a, x))).toEqual([1, 2, 3]);
    expect(Array.from(download(b, y))).toEqual([4, 5, 6]);
  });

  it('is created asynchronously too', async () => {
    const backend = await createWasmBackendAsync();
    const x = upload(backend, 'float32', [1, 4, 9]);
    const out = backend.alloc('float32', 3);
    backend.unary('sqrt', x, out);
    expect(Array.from(download(backend, out))).toEqual([1, 2, 3]);
  });
});

describe('wasm backend loading', () => {
  it('fails with an Error naming wasm and SIMD where WebAssembly SIMD is unavailable', async () => {
    vi.resetModules();
    const validate = vi.spyOn(WebAssembly, 'validate').mockReturnValue(false);
    try {
      const fresh = await import('./index');
      expect(fresh.wasmSimdSupported()).toBe(false);
      expect(() => fresh.createWasmBackend()).toThrow("wasm backend unavailable: this host's WebAssembly does not support 128-bit SIMD");
      await expect(fresh.createWasmBackendAsync()).rejects.toThrow(/wasm backend unavailable: .*128-bit SIMD/);
    } finally {
      validate.mockRestore();
    }
  });

  it('refuses synchronous loading where the host cannot read files synchronously, until loaded asynchronously', async () => {
    vi.resetModules();
    const processWithBuiltins = process as { getBuiltinModule?: unknown };
    const saved = processWithBuiltins.getBuiltinModule;
    processWithBuiltins.getBuiltinModule = undefined; // as in a browser: no synchronous file access
    try {
      const fresh = await import('./index');
      expect(() => fresh.createWasmBackend()).toThrow(/wasm backend unavailable: the kernels cannot be loaded synchronously in this host/);
      await fresh.loadWasmKernels();
      expect(fresh.createWasmBackend().name).toBe('wasm'); // compiled once, instantiated synchronously from then on
    } finally {
      processWithBuiltins.getBuiltinModule = saved;
    }
  });
});
