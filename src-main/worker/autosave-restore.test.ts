/**
 * The session survives a killed worker: the real compute worker autosaves while training, the test kills
 * it mid-training, and the supervisor's fresh worker restores the autosave and trains on from its step.
 */
import { afterAll, describe, expect, it } from 'vitest';
import { existsSync, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Worker } from 'node:worker_threads';
import type { Progress, WorkerStatus } from '../../src-app-api/schemas';
import { readMeta } from '../checkpoints/meta';
import { spawnComputeWorker } from './spawn-worker';
import { WorkerSupervisor } from './supervisor';

const waitFor = async (what: string, cond: () => boolean | Promise<boolean>, timeoutMs = 60_000): Promise<void> => {
  const end = Date.now() + timeoutMs;
  while (!(await cond())) {
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 50));
  }
};

describe('a worker killed mid-training', () => {
  const autosavePath = join(mkdtempSync(join(tmpdir(), 'tinyflow-autosave-')), 'session.safetensors');
  const progress: Progress[] = [];
  const statuses: WorkerStatus[] = [];
  let worker: Worker | null = null;
  const supervisor = new WorkerSupervisor({
    spawn: () => (worker = spawnComputeWorker({ autosavePath, autosaveMs: 300 })),
    onEvent: (channel, payload) => (channel === 'worker:status' ? statuses.push(payload as WorkerStatus) : progress.push(payload as Progress)),
    autosavePath,
    heartbeatMs: 200,
    // Only the kill should restart it, not a slow tsx start on a loaded machine.
    stallMs: 30_000,
  });
  afterAll(() => supervisor.close());

  it('is restarted from the last autosave and keeps training from its step', async () => {
    await supervisor.request('train:start', {
      model: 'softmax', backend: 'cpu', dataDir: null, optimizer: 'momentum', learningRate: 0.05, batchSize: 50, epochs: 1, steps: 1_000_000,
    });
    const initialLoss = await (async () => {
      await waitFor('a first loss', () => progress.some((p) => p.loss !== null));
      return progress.find((p) => p.loss !== null)?.loss ?? NaN;
    })();
    await waitFor('an autosave past step 50', async () => existsSync(autosavePath) && ((await readMeta(autosavePath))?.step ?? 0) > 50);
    await worker?.terminate();
    // What the killed worker last saved (writes are atomic, so this is a complete checkpoint). Progress
    // messages are throttled, so the worker may have trained and saved past the last step it reported.
    const savedAtKill = (await readMeta(autosavePath))?.step ?? -1;
    const restoredMessage = (): string | undefined => statuses.find((s) => s.message.startsWith('restored from checkpoint at step'))?.message;
    await waitFor('the restored status', () => restoredMessage() !== undefined);
    expect(statuses[0]).toMatchObject({ state: 'crashed', restarts: 1 });
    const restoredStep = Number(restoredMessage()?.match(/step (\d+)/)?.[1]);
    const meta = await readMeta(autosavePath);
    expect(restoredStep).toBeGreaterThan(50);
    expect(restoredStep).toBe(savedAtKill);

    const restoredAll = (): Progress[] => progress.filter((p) => p.restored !== null);
    // The restore's first message hands back the saved curves; later ones carry only new points.
    const after = (): Progress[] => restoredAll().filter((p) => !p.seriesReset);
    // Loss points arrive throttled (~30 messages/s), so wait for enough of them, not just for a step count.
    const lossCount = () => after().reduce((n, p) => n + p.lossPoints.length, 0);
    await waitFor('training on past the restored step', () => after().some((p) => p.step >= restoredStep + 30) && lossCount() > 5);
    const [first] = restoredAll();
    expect(first).toMatchObject({ state: 'running', step: restoredStep, seriesReset: true, restored: { step: restoredStep, source: 'autosave' } });
    // The form can show the restored session: the config it was started with comes back with it.
    expect(first.config).toMatchObject({ model: 'softmax', optimizer: 'momentum', learningRate: 0.05, batchSize: 50, steps: 1_000_000 });
    // The charts continue: the saved loss curve starts near the first loss and ends at the restored step.
    expect(first.lossPoints.length).toBeGreaterThan(3);
    expect(first.lossPoints[0][1]).toBeGreaterThan(first.lossPoints.at(-1)![1]);
    expect(first.lossPoints.at(-1)![0]).toBeLessThanOrEqual(restoredStep);
    expect(first.lossPoints.every(([s]) => s <= restoredStep)).toBe(true);
    expect(meta?.history?.loss.length).toBeGreaterThan(3);
    const resumed = after();
    // The step counter never goes back below the restored step, and the loss carries on from the trained
    // weights (well below an untrained model's ~2.3) instead of starting over.
    expect(resumed.every((p) => p.step >= restoredStep)).toBe(true);
    const losses = resumed.flatMap((p) => p.lossPoints.map(([, l]) => l));
    expect(losses.length).toBeGreaterThan(5);
    const mean = losses.slice(0, 10).reduce((a, b) => a + b, 0) / Math.min(10, losses.length);
    expect(mean).toBeLessThan(initialLoss * 0.5);
    expect(meta?.loss ?? Infinity).toBeLessThan(initialLoss * 0.5);
    console.log(`killed after saving step ${savedAtKill}, restored at step ${restoredStep}; loss ${initialLoss.toFixed(3)} at the start, ${mean.toFixed(3)} right after the restore`);
  }, 120_000);
});
