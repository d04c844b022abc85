/** How tf.Session picks its backend: by name, 'best', an instance, TINYFLOW_BACKEND, or the best synchronous one. */
import { afterEach, describe, expect, it, vi } from 'vitest';
import * as tf from './index';
import { registerBackend, unregisterBackend } from '../backends';
import type { Backend, BackendFactory } from '../backends/interface';
import { createCpuBackend } from '../backends/cpu';
import { withOnlyCpuBuiltin } from '../test/isolate-builtin-backends';

withOnlyCpuBuiltin();

const added: string[] = [];
function add(name: string, factory: BackendFactory, priority: number): void {
  registerBackend(name, factory, { priority });
  added.push(name);
}
afterEach(() => {
  for (const name of added.splice(0)) unregisterBackend(name);
  vi.unstubAllEnvs();
});

/** A cpu backend under another name that records whether it was disposed. */
function renamed(name: string): Backend & { wasDisposed: boolean } {
  const inner = createCpuBackend();
  const backend = Object.assign(Object.create(inner) as Backend, { name, wasDisposed: false });
  backend.dispose = () => {
    backend.wasDisposed = true;
    inner.dispose();
  };
  return backend;
}

function graphWithSum(): { graph: tf.Graph; y: tf.Tensor } {
  const graph = new tf.Graph();
  return { graph, y: graph.as_default(() => tf.reduce_sum(tf.constant([1, 2, 3]))) };
}

describe('tf.Session backend selection', () => {
  it('defaults to the highest-priority backend that initialises synchronously, so runSync works', () => {
    add('gpu-like', () => Promise.resolve(renamed('gpu-like')), 30);
    add('broken', () => {
      throw new Error('no SIMD');
    }, 20);
    add('fast', () => renamed('fast'), 10);
    const { graph, y } = graphWithSum();
    const sess = tf.Session({ graph });
    expect(sess.backendName).toBe('fast');
    expect(sess.runSync(y).item()).toBe(6);
    sess.close();
  });

  it('is cpu by default when nothing better is registered', () => {
    const { graph, y } = graphWithSum();
    const sess = tf.Session({ graph });
    expect(sess.backendName).toBe('cpu');
    expect(sess.runSync(y).item()).toBe(6);
    sess.close();
  });

  it("{backend: 'best'} awaits the best backend, async ones included", async () => {
    add('gpu-like', () => Promise.resolve(renamed('gpu-like')), 30);
    const { graph, y } = graphWithSum();
    const sess = tf.Session({ backend: 'best', graph });
    expect(sess.backendName).toBeNull();
    expect(() => sess.runSync(y)).toThrow(/still initialising/);
    expect((await sess.run(y)).item()).toBe(6);
    expect(sess.backendName).toBe('gpu-like');
    sess.close();
  });

  it('honours TINYFLOW_BACKEND as the default, and an explicit option over it', () => {
    add('chosen', () => renamed('chosen'), -5);
    vi.stubEnv('TINYFLOW_BACKEND', 'chosen');
    const { graph } = graphWithSum();
    for (const [options, expected] of [[{ graph }, 'chosen'], [{ graph, backend: 'cpu' }, 'cpu']] as const) {
      const sess = tf.Session(options);
      expect(sess.backendName).toBe(expected);
      sess.close();
    }
    vi.stubEnv('TINYFLOW_BACKEND', 'nonesuch');
    expect(() => tf.Session({ graph })).toThrow("unknown backend 'nonesuch'; registered backends: cpu, chosen");
  });

  it('disposes backends it created, never an instance it was given', async () => {
    const given = renamed('given');
    const { graph, y } = graphWithSum();
    const borrowed = tf.Session({ backend: given, graph });
    expect((await borrowed.run(y)).item()).toBe(6);
    borrowed.close();
    expect(given.wasDisposed).toBe(false);

    const made: ReturnType<typeof renamed>[] = [];
    add('owned', () => {
      made.push(renamed('owned'));
      return made[0];
    }, -1);
    const owner = tf.Session({ backend: 'owned', graph });
    owner.close();
    expect(made[0].wasDisposed).toBe(true);
  });

  it('reports an unavailable backend with its reason: thrown when sync, on run when async', async () => {
    add('no-simd', () => {
      throw new Error('WebAssembly SIMD is not supported');
    }, 1);
    add('no-gpu', () => Promise.reject(new Error('no adapter')), 2);
    const { graph, y } = graphWithSum();
    expect(() => tf.Session({ backend: 'no-simd', graph })).toThrow(tf.errors.UnavailableError);
    const sess = tf.Session({ backend: 'no-gpu', graph });
    await expect(sess.run(y)).rejects.toThrow("backend 'no-gpu' is unavailable: no adapter");
    sess.close();
  });
});
