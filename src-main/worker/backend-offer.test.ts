/**
 * Honest backends in the app: app:info names the default backend (the fastest available, the one
 * {backend: 'best'} picks, which is the plain tf.Session()'s wasm here, not cpu) and every backend it leaves out of the Train list with
 * the registry's reason, the same text `tinyflow info` prints.
 */
import { afterEach, describe, expect, it, vi } from 'vitest';
import * as tf from '../../src-core';
import { availableBackends } from '../../backends';
import { parseResponse } from '../../src-app-api/wire';
import { infoCommand } from '../../src-cli/commands/info';
import { ComputeEngine } from './engine';

afterEach(() => vi.restoreAllMocks());

describe('app:info backends', () => {
  it('defaults to the fastest available backend and says why the others are missing, as tinyflow info does', async () => {
    const info = parseResponse('app:info', await new ComputeEngine(() => undefined).handle('app:info', {}));
    const all = await availableBackends();
    // What {backend: 'best'} runs on; here that is also the plain tf.Session()'s wasm (no GPU: webgpu is out).
    const best = tf.Session({ backend: 'best' });
    await best.backend();
    expect(info.defaultBackend).toBe(best.backendName);
    expect(info.defaultBackend).toBe(info.backends[0]);
    best.close();
    if (!all.some((b) => b.name === 'webgpu' && b.available)) {
      const plain = tf.Session();
      expect(info.defaultBackend).toBe(plain.backendName);
      plain.close();
    }
    expect(info.unavailableBackends).toEqual(all.filter((b) => !b.available).map((b) => ({ backend: b.name, reason: b.reason })));
    expect([...info.backends, ...info.unavailableBackends.map((u) => u.backend)].sort()).toEqual(all.map((b) => b.name).sort());
    const lines: string[] = [];
    vi.spyOn(console, 'log').mockImplementation((...args: unknown[]) => void lines.push(args.join(' ')));
    await infoCommand([]);
    for (const { backend, reason } of info.unavailableBackends) expect(lines.join('\n')).toMatch(new RegExp(`${backend}.*${reason.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}`));
  }, 60_000);
});
