import { afterEach, describe, expect, it } from 'vitest';
import { Worker } from 'node:worker_threads';
import type { WorkerStatus } from '../../src-app-api/schemas';
import { WorkerSupervisor } from './supervisor';

const fixture = new URL('./fixtures/fragile-worker.mjs', import.meta.url);

describe('WorkerSupervisor', () => {
  let supervisor: WorkerSupervisor | null = null;
  afterEach(() => supervisor?.close());

  function start(statuses: WorkerStatus[]): WorkerSupervisor {
    supervisor = new WorkerSupervisor({
      spawn: () => new Worker(fixture),
      onEvent: (channel, payload) => channel === 'worker:status' && statuses.push(payload as WorkerStatus),
      heartbeatMs: 100,
      // Generous enough that a loaded CI machine does not see a false stall in the crash test.
      stallMs: 1500,
    });
    return supervisor;
  }

  const waitFor = async (cond: () => boolean) => {
    for (let i = 0; i < 200 && !cond(); i++) await new Promise((r) => setTimeout(r, 25));
    expect(cond()).toBe(true);
  };

  it('detects a crashed worker, reports it, fails the pending request and restarts', async () => {
    const statuses: WorkerStatus[] = [];
    const s = start(statuses);
    await expect(s.request('train:resume', {})).resolves.toEqual({ ok: true });
    await expect(s.request('train:stop', {})).rejects.toThrow(/IPC 'train:stop': the compute worker exited with code 3/);
    await waitFor(() => statuses.some((x) => x.state === 'ready'));
    expect(statuses[0]).toMatchObject({ state: 'crashed', restarts: 1 });
    await expect(s.request('train:resume', {})).resolves.toEqual({ ok: true });
  });

  it('detects a stalled worker by its missing heartbeat and restarts it', async () => {
    const statuses: WorkerStatus[] = [];
    const s = start(statuses);
    await expect(s.request('train:pause', {})).rejects.toThrow(/did not answer/);
    expect(statuses[0]).toMatchObject({ state: 'stalled', restarts: 1 });
    await waitFor(() => statuses.some((x) => x.state === 'ready'));
    await expect(s.request('train:resume', {})).resolves.toEqual({ ok: true });
  });
});
