/**
 * Matmul over worker threads: the same bits as one thread for every split (batch, transposes,
 * ragged rows, a batch-broadcast B), small products kept on the caller, the thread count reported
 * and forced by option or $TINYFLOW_WASM_THREADS, and workers that neither outlive dispose() nor
 * keep a process alive.
 */
import { afterAll, describe, expect, it, vi } from 'vitest';
import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { MatMulArgs } from '../interface';
import { createWasmBackend, type WasmBackend } from './index';
import { sharedMemorySupported } from './loader';
import { PARALLEL_MIN_MULTIPLY_ADDS } from './threads';

interface Case extends MatMulArgs {
  readonly label: string;
}

function matmulCase(label: string, batch: number, m: number, n: number, k: number, transposeA: boolean, transposeB: boolean, broadcastB = false): Case {
  return { label, batch, m, n, k, transposeA, transposeB, aBatchStride: m * k, bBatchStride: broadcastB ? 0 : k * n };
}

/** Each is big enough to be split (checked below), with shapes that put split points mid-tile and mid-batch. */
const CASES: readonly Case[] = [
  matmulCase('square-ish, odd sizes', 1, 203, 129, 211, false, false),
  matmulCase('batch of 4, transposed A', 4, 61, 97, 257, true, false),
  matmulCase('batch of 3, transposed B, B broadcast over the batch', 3, 150, 33, 301, false, true, true),
  matmulCase('batch of 2, both transposed', 2, 257, 250, 70, true, true),
  matmulCase('narrow (unpacked B rows, 4 + 4 + 2 lanes)', 1, 1003, 10, 784, false, false),
  matmulCase('narrow, both transposed, ragged rows, two depth blocks, a batch', 2, 1001, 13, 300, true, true),
  matmulCase('many short batch entries (split by entry)', 7, 5, 300, 600, false, false),
  matmulCase('deep (several depth blocks, columns past one block)', 1, 66, 1100, 600, false, true),
];

/** Deterministic, sign-mixed data with plenty of rounding in every product. */
function data(length: number, seed: number): Float32Array {
  return Float32Array.from({ length }, (_, i) => Math.sin(i * 0.7 + seed) * (1 + (i % 7)));
}

function run(backend: WasmBackend, c: Case): Uint32Array {
  const aSize = (c.batch - 1) * c.aBatchStride + c.m * c.k;
  const bSize = (c.batch - 1) * c.bBatchStride + c.k * c.n;
  const a = backend.alloc('float32', aSize);
  const b = backend.alloc('float32', bSize);
  const out = backend.alloc('float32', c.batch * c.m * c.n);
  backend.write(a, data(aSize, 1));
  backend.write(b, data(bSize, 2));
  backend.matmul(a, b, out, c);
  const result = backend.readSync(out) as Float32Array;
  for (const buffer of [a, b, out]) backend.free(buffer);
  return new Uint32Array(result.buffer);
}

const threaded = sharedMemorySupported();

describe.skipIf(!threaded)('wasm matmul on worker threads', () => {
  const single = createWasmBackend({ threads: 1 });
  const backends = [createWasmBackend({ threads: 2 }), createWasmBackend({ threads: 3 })];
  afterAll(() => {
    single.dispose();
    for (const backend of backends) backend.dispose();
  });

  it('reports its thread count, and one thread where asked', () => {
    expect(single.capabilities.threads).toBe(1);
    expect(single.capabilities.singleThreadReason).toBe('one thread requested');
    expect(single.matmulThreads).toBeNull();
    expect(backends.map((b) => b.capabilities.threads)).toEqual([2, 3]);
  });

  it('gives bitwise the same results as one thread, for every split', async () => {
    for (const backend of backends) {
      expect(await backend.threadsReady()).toBe(backend.capabilities.threads);
      backend.matmulThreads!.takeBack = false; // every worker computes its own range, however loaded the machine
    }
    for (const c of CASES) {
      expect(c.batch * c.m * c.n * c.k, c.label).toBeGreaterThanOrEqual(PARALLEL_MIN_MULTIPLY_ADDS);
      const expected = run(single, c);
      for (const backend of backends) {
        const splits = backend.matmulThreads!.splitCalls;
        const actual = run(backend, c);
        expect(backend.matmulThreads!.splitCalls, `${c.label} was split over ${backend.capabilities.threads} threads`).toBe(splits + 1);
        let mismatches = 0;
        for (let i = 0; i < expected.length; i++) if (actual[i] !== expected[i]) mismatches++;
        expect(mismatches, `${c.label} on ${backend.capabilities.threads} threads`).toBe(0);
      }
    }
    for (const backend of backends) expect(backend.matmulThreads!.rangesTakenBack).toBe(0);
  });

  it('gives the same results whether a worker or the caller (taking a range back) computes it', async () => {
    // Which of the two claims a posted range depends on timing; many back-to-back products exercise
    // both outcomes and the hand-over between consecutive jobs.
    const backend = createWasmBackend({ threads: 2 });
    expect(await backend.threadsReady()).toBe(2);
    const c = CASES[1]!;
    const expected = run(single, c);
    for (let i = 0; i < 40; i++) {
      const actual = run(backend, c);
      expect(actual.every((bits, at) => bits === expected[at]), `repeat ${i}`).toBe(true);
    }
    expect(backend.matmulThreads!.splitCalls).toBe(40);
    backend.dispose();
  });

  it('keeps small products on the calling thread', () => {
    const backend = backends[0]!;
    const splits = backend.matmulThreads!.splitCalls;
    run(backend, matmulCase('the seed: [100,784]x[784,10]', 1, 100, 10, 784, false, false));
    run(backend, matmulCase('its weight gradient', 1, 784, 10, 100, true, false));
    run(backend, matmulCase('128³', 1, 128, 128, 128, false, false));
    expect(backend.matmulThreads!.splitCalls).toBe(splits);
  });

  it('takes the workers\' stacks and packing space outside the buffer accounting', async () => {
    const backend = createWasmBackend({ threads: 2 });
    const before = backend.memoryStats();
    await backend.threadsReady();
    const after = backend.memoryStats();
    expect(after.allocations).toBe(before.allocations);
    expect(after.bytesInUse).toBe(before.bytesInUse);
    backend.dispose();
  });

  it('workers see memory the caller grew after they started', async () => {
    const backend = createWasmBackend({ threads: 2 });
    expect(await backend.threadsReady()).toBe(2);
    const before = backend.memoryStats();
    const c = CASES[0]!;
    const filler = backend.alloc('float32', 24 << 20); // 96 MiB: operands land far past the memory workers first saw
    const expected = run(single, c);
    const actual = run(backend, c);
    expect(backend.memoryStats().grows).toBeGreaterThan(before.grows);
    expect(backend.matmulThreads!.splitCalls).toBe(1);
    expect(Array.from(actual).every((bits, i) => bits === expected[i])).toBe(true);
    backend.free(filler);
    backend.dispose();
  });

  it('terminates its workers on dispose()', async () => {
    const backend = createWasmBackend({ threads: 2 });
    expect(await backend.threadsReady()).toBe(2);
    backend.dispose();
    await expect(backend.matmulThreads!.stopped).resolves.toBeUndefined();
  });

  it('takes the thread count from TINYFLOW_WASM_THREADS, and refuses a bad one', () => {
    const saved = process.env.TINYFLOW_WASM_THREADS;
    try {
      process.env.TINYFLOW_WASM_THREADS = '1';
      const one = createWasmBackend();
      expect(one.capabilities.threads).toBe(1);
      expect(one.capabilities.singleThreadReason).toBe('TINYFLOW_WASM_THREADS=1');
      one.dispose();
      process.env.TINYFLOW_WASM_THREADS = '3';
      const three = createWasmBackend();
      expect(three.capabilities.threads).toBe(3);
      three.dispose();
      expect(createWasmBackend({ threads: 2 }).capabilities.threads).toBe(2); // the option wins
      process.env.TINYFLOW_WASM_THREADS = 'many';
      expect(() => createWasmBackend()).toThrow(/TINYFLOW_WASM_THREADS must be an integer from 1 to 16, got NaN/);
    } finally {
      if (saved === undefined) delete process.env.TINYFLOW_WASM_THREADS;
      else process.env.TINYFLOW_WASM_THREADS = saved;
    }
    expect(() => createWasmBackend({ threads: 0 })).toThrow(/the threads option must be an integer from 1 to 16/);
  });

  it('does not keep the process alive: a script that never disposes exits on its own', () => {
    const dir = mkdtempSync(join(tmpdir(), 'tinyflow-wasm-threads-'));
    try {
      const script = join(dir, 'leave-running.mts');
      const index = fileURLToPath(new URL('./index.ts', import.meta.url));
      writeFileSync(
        script,
        `import { createWasmBackend } from ${JSON.stringify(index)};\n` +
          'const backend = createWasmBackend({ threads: 2 });\n' +
          'const ready = await backend.threadsReady();\n' +
          'const n = 256, a = backend.alloc("float32", n * n), out = backend.alloc("float32", n * n);\n' +
          'backend.matmul(a, a, out, { batch: 1, m: n, n, k: n, transposeA: false, transposeB: false, aBatchStride: 0, bBatchStride: 0 });\n' +
          'console.log(JSON.stringify({ ready, splits: backend.matmulThreads.splitCalls }));\n',
      );
      const output = execFileSync(process.execPath, ['--import', 'tsx', script], { encoding: 'utf8', timeout: 30_000, cwd: process.cwd() });
      expect(JSON.parse(output.trim())).toEqual({ ready: 2, splits: 1 });
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  }, 40_000);
});

describe('wasm backend where no shared memory can be made (a browser page without cross-origin isolation)', () => {
  it('compiles the same kernels over an ordinary memory and runs on one thread', async () => {
    vi.resetModules();
    const host = globalThis as { crossOriginIsolated?: boolean };
    host.crossOriginIsolated = false; // what such a page reports; SharedArrayBuffer is then refused
    try {
      const fresh = await import('./index');
      expect(fresh.sharedMemorySupported()).toBe(false);
      const backend = fresh.createWasmBackend();
      expect(backend.capabilities.threads).toBe(1);
      expect(backend.capabilities.singleThreadReason).toBe('this host cannot create a shared WebAssembly.Memory');
      expect(backend.memory.buffer).toBeInstanceOf(ArrayBuffer);
      const c = CASES[0]!;
      const filler = backend.alloc('float32', 4 << 20); // the ordinary memory grows too
      const expected = run(createWasmBackend({ threads: 1 }), c);
      expect(Array.from(run(backend, c)).every((bits, i) => bits === expected[i])).toBe(true);
      backend.free(filler);
      backend.dispose();
    } finally {
      delete host.crossOriginIsolated;
    }
  });
});
