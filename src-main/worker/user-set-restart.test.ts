/**
 * The user's drawings survive a killed worker (issue 12.2): the real compute worker keeps them beside
 * its autosave, the test kills it, and the supervisor's fresh worker lists the same drawings.
 */
import { afterAll, describe, expect, it } from 'vitest';
import { existsSync, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Worker } from 'node:worker_threads';
import type { WorkerStatus } from '../../src-app-api/schemas';
import { spawnComputeWorker } from './spawn-worker';
import { WorkerSupervisor } from './supervisor';
import { UserSet, userSetPathFor } from './user-set';

const stroke = (k: number): number[] => Array.from({ length: 784 }, (_, i) => (i % 28 === 4 + k && i > 100 && i < 700 ? 1 : 0));

describe('drawings and a killed worker', () => {
  const autosavePath = join(mkdtempSync(join(tmpdir(), 'tinyflow-drawings-')), 'session.safetensors');
  const statuses: WorkerStatus[] = [];
  let worker: Worker | null = null;
  const supervisor = new WorkerSupervisor({
    spawn: () => (worker = spawnComputeWorker({ autosavePath, autosaveMs: 10_000 })),
    onEvent: (channel, payload) => channel === 'worker:status' && statuses.push(payload as WorkerStatus),
    autosavePath,
    heartbeatMs: 200,
    stallMs: 30_000,
  });
  afterAll(() => supervisor.close());

  it('are all there in the restarted worker, with their ids and labels', async () => {
    const ids: number[] = [];
    for (let k = 0; k < 4; k++) ids.push((await supervisor.request('userset:add', { pixels: stroke(k), label: (k * 3) % 10 })).id);
    await supervisor.request('userset:delete', { id: ids[2] });
    // The worker answers before its atomic write lands: kill it once the file holds the three.
    const saved = (): number => {
      const set = new UserSet(userSetPathFor(autosavePath));
      if (existsSync(userSetPathFor(autosavePath) as string)) set.load();
      return set.size;
    };
    for (const end = Date.now() + 10_000; saved() !== 3; await new Promise((r) => setTimeout(r, 20))) {
      if (Date.now() > end) throw new Error('the drawings were not saved');
    }
    await worker?.terminate();
    for (const end = Date.now() + 60_000; !statuses.some((s) => s.state === 'ready'); await new Promise((r) => setTimeout(r, 50))) {
      if (Date.now() > end) throw new Error('the worker did not come back');
    }
    expect(statuses[0]).toMatchObject({ state: 'crashed' });
    const { total, drawings } = await supervisor.request('userset:list', { offset: 0, limit: 10 });
    expect(total).toBe(3);
    expect(drawings.map((d) => [d.id, d.label])).toEqual([[ids[0], 0], [ids[1], 3], [ids[3], 9]]);
    expect(drawings[1].pixels).toEqual(stroke(1));
    expect((await supervisor.request('app:info', {})).userSetSize).toBe(3);
  }, 90_000);
});
