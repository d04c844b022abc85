import { describe, expect, it } from 'vitest';
import * as tf from '../../../src-core';
import { availableBackends, registeredBackends, unregisterBackend } from '../../../backends';
import { runConformance } from '../../../test/conformance';
import { referenceBackendFactory, register } from './index';

runConformance(referenceBackendFactory, { name: 'reference' });

describe('the reference plugin registers from outside backends/', () => {
  it('is selectable by name once registered, below cpu', async () => {
    register();
    try {
      expect(registeredBackends()).toContain('reference');
      expect(registeredBackends().indexOf('reference')).toBeGreaterThan(registeredBackends().indexOf('cpu'));
      const info = (await availableBackends()).find((b) => b.name === 'reference');
      expect(info).toMatchObject({ available: true, priority: -10, fusedKernels: ['softmax'] });
      const graph = new tf.Graph();
      const y = graph.as_default(() => tf.reduce_sum(tf.multiply(tf.constant([1, 2, 3]), 2)));
      const sess = tf.Session({ backend: 'reference', graph });
      expect(sess.backendName).toBe('reference');
      expect(sess.runSync(y).item()).toBe(12);
      sess.close();
    } finally {
      unregisterBackend('reference');
    }
  });
});
