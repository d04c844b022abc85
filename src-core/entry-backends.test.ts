import { describe, expect, it } from 'vitest';
import { registeredBackends } from '../backends/registry';
import { Session } from './session';

// One-way layering at run time: the session module knows only the registry, and the entry point is
// what registers the built-in backends, so `import * as tf from './src-core'` gets all three.
describe('built-in backends register at the entry point', () => {
  it('loading the session alone registers none; loading src-core registers cpu, wasm and webgpu', async () => {
    expect(registeredBackends()).toEqual([]);
    expect(() => new Session()).toThrow(/none registered/);
    const tf = await import('./index');
    expect(registeredBackends()).toEqual(['webgpu', 'wasm', 'cpu']);
    const sess = new tf.Session({ backend: 'cpu' });
    expect((await sess.run(tf.add(tf.constant([1, 2]), 1))).data).toEqual(new Float32Array([2, 3]));
  });
});
