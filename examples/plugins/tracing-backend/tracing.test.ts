import { describe, expect, it } from 'vitest';
import * as tf from '../../../src-core';
import { createBackend, unregisterBackend } from '../../../backends';
import { runConformance } from '../../../test/conformance';
import { createReferenceBackend } from '../reference-backend';
import { TracingBackend, formatStats, register, tracingFactory } from './index';

// Wrapping the reference backend without its fused softmax: the wrapper must change nothing observable,
// and this run covers a backend without optional kernels (the softmax checks skip, and training goes
// through the compiler's primitive lowering of softmax).
runConformance(tracingFactory(() => createReferenceBackend({ fusedSoftmax: false })), { name: 'tracing(reference without fused softmax)' });

describe('the tracing plugin', () => {
  it('counts calls per primitive through a session run', async () => {
    const backend = new TracingBackend(createReferenceBackend());
    const graph = new tf.Graph();
    // A fed input: with constants only, the compiler would fold the whole graph at compile time.
    const { x, y } = graph.as_default(() => {
      const input = tf.placeholder('float32', [1, 2]);
      return { x: input, y: tf.nn.softmax(tf.matmul(input, tf.constant([[3], [4]]))) };
    });
    const sess = tf.Session({ backend, graph });
    expect((await sess.run(y, { feed_dict: [[x, [[1, 2]]]] })).toArray()).toEqual([[1]]);
    const stats = backend.stats();
    expect(stats.get('matmul')?.calls).toBe(1);
    expect(stats.get('softmax')?.calls).toBe(1);
    expect(stats.get('read')?.calls).toBe(1);
    expect(formatStats(stats)).toMatch(/^primitive +calls +ms\n/);
    backend.reset();
    expect(backend.stats().size).toBe(0);
    sess.close();
  });

  it('offers exactly the optional methods its inner backend has', () => {
    const bare = new TracingBackend(createReferenceBackend({ fusedSoftmax: false }));
    expect(bare.softmax).toBeUndefined();
    expect(typeof bare.readSync).toBe('function');
  });

  it('registers as a named wrapper of another registered backend', async () => {
    register({ inner: 'cpu' });
    try {
      const backend = await createBackend('tracing');
      expect(backend).toBeInstanceOf(TracingBackend);
      expect((backend as TracingBackend).inner.name).toBe('cpu');
      backend.dispose();
    } finally {
      unregisterBackend('tracing');
    }
  });
});
