/**
 * The session survives a restart of the app: a host that closes (as the app does) autosaves into
 * the user-data directory, and the next host started on it comes back paused at the saved step.
 */
import { describe, expect, it } from 'vitest';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { CheckpointLibrary } from '../checkpoints/library';
import { readMeta } from '../checkpoints/meta';
import { startWebHost } from './web-host';

const waitFor = async (what: string, cond: () => Promise<boolean>): Promise<void> => {
  for (const end = Date.now() + 60_000; !(await cond()); await new Promise((r) => setTimeout(r, 100))) {
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
  }
};

describe('the web host across an app restart', () => {
  it('restores the last session from its autosave, paused at its step', async () => {
    const rendererDir = mkdtempSync(join(tmpdir(), 'renderer-'));
    writeFileSync(join(rendererDir, 'index.html'), '<!doctype html><title>t</title>');
    const home = mkdtempSync(join(tmpdir(), 'studio-home-'));

    const first = await startWebHost({ rendererDir, home });
    await first.supervisor.request('train:start', {
      model: 'mlp', backend: 'cpu', dataDir: null, optimizer: 'adam', learningRate: 0.005, batchSize: 50, epochs: 1, steps: 100_000,
    });
    await waitFor('some training', async () => (await first.supervisor.request('app:info', {})).progress.step > 20);
    // Closing the host pauses the session and autosaves it one last time, as closing the app does.
    await first.close();
    const stoppedAt = (await readMeta(new CheckpointLibrary(home).autosavePath))?.step ?? -1;
    expect(stoppedAt).toBeGreaterThan(20);

    const second = await startWebHost({ rendererDir, home });
    try {
      await waitFor('the restored session', async () => (await second.supervisor.request('app:info', {})).progress.restored !== null);
      const { progress } = await second.supervisor.request('app:info', {});
      expect(progress).toMatchObject({ state: 'paused', model: 'mlp', step: stoppedAt, restored: { step: stoppedAt, source: 'autosave' } });
      // A page that connects now gets what its Train form and charts need: the config and the whole curve.
      expect(progress.config).toEqual({ model: 'mlp', backend: 'cpu', dataDir: null, optimizer: 'adam', learningRate: 0.005, batchSize: 50, epochs: 1, steps: 100_000 });
      expect(progress.seriesReset).toBe(true);
      expect(progress.lossPoints.length).toBeGreaterThan(0);
      expect(progress.lossPoints.at(-1)![0]).toBeLessThanOrEqual(stoppedAt);
      await second.supervisor.request('train:resume', {});
      await waitFor('training on', async () => (await second.supervisor.request('app:info', {})).progress.step > stoppedAt + 5);
    } finally {
      await second.close();
    }
  }, 120_000);
});
