import { afterEach, describe, expect, it, vi } from 'vitest';
import {
  availableBackends, backendInfo, bestBackendSync, createBackend, createBestBackend, envBackendName, instantiateBackend,
  registerBackend, registeredBackends, unregisterBackend,
} from './index';
import type { Backend, BackendFactory } from './interface';
import { createCpuBackend } from './cpu';
import { InvalidArgumentError, UnavailableError } from '../src-core/errors';
import { withOnlyCpuBuiltin } from '../test/isolate-builtin-backends';

withOnlyCpuBuiltin();

/** Backends registered by a test, removed after it: the registry is process-wide. */
const added: string[] = [];
function add(name: string, factory: BackendFactory, priority = 0): void {
  registerBackend(name, factory, { priority });
  added.push(name);
}
afterEach(() => {
  for (const name of added.splice(0)) unregisterBackend(name);
  vi.unstubAllEnvs();
});

/** A cpu backend under another name, with a dispose spy. */
function renamed(name: string): Backend & { disposed: () => boolean } {
  const inner = createCpuBackend();
  let disposed = false;
  return Object.assign(Object.create(inner) as Backend, {
    name,
    dispose: () => {
      disposed = true;
      inner.dispose();
    },
    disposed: () => disposed,
  });
}

const failing = (reason: string): BackendFactory => () => {
  throw new Error(reason);
};
const failingAsync = (reason: string): BackendFactory => () => Promise.reject(new Error(reason));

describe('registerBackend', () => {
  it('validates the name, the factory and the priority, and refuses clashes and the reserved name', () => {
    expect(() => registerBackend('9lives', createCpuBackend)).toThrow(InvalidArgumentError);
    expect(() => registerBackend('has space', createCpuBackend)).toThrow(/not a valid backend name/);
    expect(() => registerBackend('best', createCpuBackend)).toThrow(/reserved/);
    expect(() => registerBackend('x', 'nope' as unknown as BackendFactory)).toThrow(/factory must be a function/);
    expect(() => registerBackend('x', createCpuBackend, { priority: NaN })).toThrow(/priority must be a finite number/);
    expect(() => registerBackend('cpu', createCpuBackend)).toThrow(/already registered/);
    expect(registeredBackends()).not.toContain('x');
  });

  it('keeps priority order, ties in registration order', () => {
    add('low', createCpuBackend, -5);
    add('high', createCpuBackend, 50);
    add('tie-a', createCpuBackend, 7);
    add('tie-b', createCpuBackend, 7);
    expect(registeredBackends()).toEqual(['high', 'tie-a', 'tie-b', 'cpu', 'low']);
  });
});

describe('availableBackends', () => {
  it('reports every backend, with capabilities and fused kernels, or the reason it is unavailable', async () => {
    add('no-simd', failing('WebAssembly SIMD is not supported'), 10);
    add('no-gpu', failingAsync('navigator.gpu is undefined'), 20);
    add('later', () => Promise.resolve(renamed('later')), 5);
    add('junk', () => ({ name: 'junk' }) as unknown as Backend, 1);
    const infos = await availableBackends();
    expect(infos.map((i) => i.name)).toEqual(['no-gpu', 'no-simd', 'later', 'junk', 'cpu']);
    expect(infos[0]).toEqual({ name: 'no-gpu', priority: 20, available: false, reason: 'navigator.gpu is undefined', syncInit: false });
    expect(infos[1]).toMatchObject({ available: false, reason: 'WebAssembly SIMD is not supported' });
    expect(infos[2]).toMatchObject({ available: true, syncInit: false, fusedKernels: ['softmax', 'softmaxCrossEntropy', 'elementwise', 'matmulEpilogue'] });
    expect(infos[3].available).toBe(false);
    expect(infos[3].reason).toMatch(/without alloc, free, .*stridedCopy, capabilities/);
    expect(infos[4]).toMatchObject({
      name: 'cpu', priority: 0, available: true, syncInit: true, fusedKernels: ['softmax', 'softmaxCrossEntropy', 'elementwise', 'matmulEpilogue'],
      capabilities: { dtypes: ['float32', 'int32', 'bool'], sync: true },
    });
  });

  it('tries each factory once, caches the result, and disposes what it made for probing', async () => {
    const made: ReturnType<typeof renamed>[] = [];
    const factory = vi.fn(() => {
      made.push(renamed('counted'));
      return made[made.length - 1];
    });
    add('counted', factory);
    const [first, second] = await Promise.all([availableBackends(), availableBackends()]);
    await availableBackends();
    await backendInfo('counted');
    expect(factory).toHaveBeenCalledTimes(1);
    expect(made[0].disposed()).toBe(true);
    expect(first.find((i) => i.name === 'counted')).toEqual(second.find((i) => i.name === 'counted'));
  });

  it('forgets a backend when it is unregistered and registered again', async () => {
    add('flaky', failing('first try'));
    expect((await backendInfo('flaky')).reason).toBe('first try');
    unregisterBackend('flaky');
    registerBackend('flaky', createCpuBackend);
    expect((await backendInfo('flaky')).available).toBe(true);
  });
});

describe('createBackend and instantiateBackend', () => {
  it('creates by name, synchronously where the factory is synchronous', async () => {
    expect((instantiateBackend('cpu') as Backend).name).toBe('cpu');
    add('async-one', () => Promise.resolve(renamed('async-one')));
    expect(instantiateBackend('async-one')).toBeInstanceOf(Promise);
    expect((await createBackend('async-one')).name).toBe('async-one');
  });

  it('names the registered backends for an unknown name', async () => {
    await expect(createBackend('webgpu2')).rejects.toThrow("unknown backend 'webgpu2'; registered backends: cpu");
    expect(() => instantiateBackend('nope')).toThrow(InvalidArgumentError);
  });

  it('turns a failed initialisation into UnavailableError naming the backend and the reason', async () => {
    add('no-simd', failing('WebAssembly SIMD is not supported'));
    add('no-gpu', failingAsync('no adapter'));
    expect(() => instantiateBackend('no-simd')).toThrow(new UnavailableError("backend 'no-simd' is unavailable: WebAssembly SIMD is not supported"));
    await expect(createBackend('no-gpu')).rejects.toThrow(UnavailableError);
    await expect(createBackend('no-gpu')).rejects.toThrow("backend 'no-gpu' is unavailable: no adapter");
  });
});

describe('best backend', () => {
  it('bestBackendSync takes the highest-priority backend that initialises synchronously', () => {
    add('gpu', failingAsync('no adapter'), 30);
    add('wasm', () => Promise.resolve(renamed('wasm')), 20);
    add('broken', failing('no SIMD'), 15);
    add('fast-sync', () => renamed('fast-sync'), 10);
    const backend = bestBackendSync();
    expect(backend.name).toBe('fast-sync');
    backend.dispose();
  });

  it('bestBackendSync never calls an asyncOnly factory (no GPU stack started for a plain session), while best still does', async () => {
    let calls = 0;
    registerBackend('gpu-only', () => {
      calls++;
      return Promise.resolve(renamed('gpu-only'));
    }, { priority: 30, asyncOnly: true });
    added.push('gpu-only');
    add('fast-sync', () => renamed('fast-sync'), 10);
    const backend = bestBackendSync();
    expect(backend.name).toBe('fast-sync');
    expect(calls).toBe(0);
    backend.dispose();
    const best = await createBestBackend();
    expect(best.name).toBe('gpu-only');
    expect(calls).toBe(1);
    best.dispose();
  });

  it('bestBackendSync reports every backend\'s reason when none initialises synchronously', () => {
    const only = registeredBackends();
    for (const name of only) unregisterBackend(name);
    try {
      add('gpu', () => Promise.resolve(renamed('gpu')), 30);
      add('broken', failing('no SIMD'), 15);
      expect(() => bestBackendSync()).toThrow(
        "no backend initialises synchronously: gpu: initialises asynchronously (use {backend: 'best'}); broken: no SIMD",
      );
    } finally {
      for (const name of added.splice(0)) unregisterBackend(name);
      registerBackend('cpu', createCpuBackend, { priority: 0 });
    }
  });

  it('createBestBackend awaits async backends and skips failed ones', async () => {
    add('gpu', failingAsync('no adapter'), 30);
    add('wasm', () => Promise.resolve(renamed('wasm')), 20);
    const backend = await createBestBackend();
    expect(backend.name).toBe('wasm');
    backend.dispose();
  });

  it('createBestBackend reports every reason in one error when nothing initialises', async () => {
    for (const name of registeredBackends()) unregisterBackend(name);
    try {
      add('gpu', failingAsync('no adapter'), 30);
      add('wasm', failing('no SIMD'), 20);
      await expect(createBestBackend()).rejects.toThrow('no backend is available: gpu: no adapter; wasm: no SIMD');
    } finally {
      for (const name of added.splice(0)) unregisterBackend(name);
      registerBackend('cpu', createCpuBackend, { priority: 0 });
    }
  });
});

describe('TINYFLOW_BACKEND', () => {
  it('is read where there is a process environment, trimmed, and ignored when empty', () => {
    vi.stubEnv('TINYFLOW_BACKEND', ' reference ');
    expect(envBackendName()).toBe('reference');
    vi.stubEnv('TINYFLOW_BACKEND', '');
    expect(envBackendName()).toBeUndefined();
  });

  it('is skipped without a `process` global (browsers, workers)', () => {
    vi.stubEnv('TINYFLOW_BACKEND', 'cpu');
    vi.stubGlobal('process', undefined);
    try {
      expect(envBackendName()).toBeUndefined();
    } finally {
      vi.unstubAllGlobals();
    }
  });
});
