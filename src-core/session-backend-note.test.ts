/**
 * Honest backends: `tf.Session({backend: 'webgpu'})` named explicitly runs on whatever adapter there is,
 * a software one included, and says so (sess.backendNote, one console warning per adapter); 'best' and
 * the default session still skip a software adapter. Where no WebGPU adapter exists at all, the named
 * session fails with the reason instead (checked too), so the test asserts either way.
 */
import { afterEach, describe, expect, it, vi } from 'vitest';
import * as tf from './index';
import { webgpuUnavailableReason } from '../backends/webgpu/test-support';
import { backendInfo } from '../backends';

afterEach(() => vi.restoreAllMocks());

describe('a session that names webgpu', () => {
  it('runs on a software adapter with a visible note, while best skips it', async () => {
    const anyAdapter = await webgpuUnavailableReason();
    const hardware = await backendInfo('webgpu');
    const warn = vi.spyOn(console, 'warn').mockImplementation(() => undefined);
    tf.reset_default_graph();
    const y = tf.add(tf.constant([1, 2]), 1);
    const named = tf.Session({ backend: 'webgpu' });
    if (anyAdapter !== null) {
      await expect(named.run(y)).rejects.toThrow(/backend 'webgpu' is unavailable/);
      return;
    }
    expect((await named.run(y)).toArray()).toEqual([2, 3]);
    if (hardware.available) {
      expect(named.backendNote).toBeNull();
    } else {
      // This machine's only adapter is a software one: 'best' skips it, the named session notes it.
      expect(named.backendNote).toMatch(/^backend 'webgpu' runs on a software adapter \(.+\), slower than cpu$/);
      const again = tf.Session({ backend: 'webgpu' });
      await again.run(y);
      expect(warn.mock.calls.filter((c) => String(c[0]).includes('software adapter'))).toHaveLength(1);
      again.close();
      const best = tf.Session({ backend: 'best' });
      await best.run(y);
      expect(best.backendName).toBe('wasm');
      expect(best.backendNote).toBeNull();
      best.close();
      expect(tf.Session().backendNote).toBeNull();
    }
    named.close();
  }, 60_000);
});
