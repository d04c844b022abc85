/**
 * The Runs store against the real worker engine in-process: a finished run is listed, checking it
 * fetches its curves, the CSV has a row per step with its settings, rename and delete reach the worker,
 * the overlay stops at 10 runs with a message, and unknown runs come back as errors in words.
 */
import { beforeEach, describe, expect, it } from 'vitest';
import { createPinia, setActivePinia } from 'pinia';
import type { ApiClient } from '../../src-app-api/client';
import type { Progress } from '../../src-app-api/schemas';
import { parsePayload } from '../../src-app-api/wire';
import { inProcessClient } from '../../src-main/worker/in-process-client';
import { setApiClient } from '../api';
import { useRunsStore } from './runs';

async function trainedClient(runs: number): Promise<ReturnType<typeof inProcessClient>> {
  const client = inProcessClient();
  let last: Progress | null = null;
  client.on('train:progress', (p) => (last = p));
  for (let i = 0; i < runs; i++) {
    // Parsed as the wire does, so fields the contract defaults need not be spelled out here.
    await client.call('train:start', parsePayload('train:start', { model: 'softmax', backend: 'cpu', dataDir: null, optimizer: 'sgd', learningRate: 0.1 * (i + 1), batchSize: 20, epochs: 1, steps: 8 }));
    for (const end = Date.now() + 30_000; (last as Progress | null)?.state !== 'finished'; await new Promise((r) => setTimeout(r, 10))) {
      if (Date.now() > end) throw new Error('timed out waiting for a run to finish');
    }
    last = null;
  }
  return client;
}

describe('runs store', () => {
  beforeEach(() => setActivePinia(createPinia()));

  it('lists a finished run, overlays it, exports its CSV, renames and deletes it', async () => {
    setApiClient(await trainedClient(2));
    const store = useRunsStore();
    await store.refresh();
    expect(store.runs.map((r) => r.name)).toEqual(['softmax-sgd-lr0.2', 'softmax-sgd-lr0.1']);
    const [newest, oldest] = store.runs;
    expect(newest).toMatchObject({ state: 'finished', step: 8 });
    await store.toggle(oldest.id);
    await store.toggle(newest.id);
    expect(store.records.map((r) => r.id)).toEqual([oldest.id, newest.id]);
    expect(store.records[0].loss).toHaveLength(8);

    const csv = store.csv().trim().split('\n');
    expect(csv[0]).toBe('run,id,model,data,optimizer,lr,batch,backend,step,loss,accuracy,wall_s');
    expect(csv).toHaveLength(1 + 16);
    expect(csv[1]).toMatch(new RegExp(`^softmax-sgd-lr0\\.1,${oldest.id},softmax,bundled digits,sgd,0\\.1,20,cpu,1,`));

    expect(await store.rename(newest.id, 'big, "fast"')).toBe(true);
    expect(store.runs[0].name).toBe('big, "fast"');
    expect(store.csv()).toContain('"big, ""fast"""');
    expect(await store.rename(newest.id, '   ')).toBe(false);
    expect(store.error).toContain('Run name must not be blank');

    await store.remove([newest.id]);
    expect(store.runs.map((r) => r.id)).toEqual([oldest.id]);
    expect(store.checked).toEqual([oldest.id]);
    expect(store.records.map((r) => r.id)).toEqual([oldest.id]);
  });

  it('overlays at most 10 runs, and says why an 11th is not checked', async () => {
    setApiClient(await trainedClient(11));
    const store = useRunsStore();
    await store.refresh();
    expect(store.runs).toHaveLength(11);
    for (const r of store.runs.slice(0, 10)) await store.toggle(r.id);
    expect(store.records).toHaveLength(10);
    await store.toggle(store.runs[10].id);
    expect(store.checked).toHaveLength(10);
    expect(store.error).toBe('At most 10 runs can be overlaid; uncheck one first');
  });

  it('shows the curves of the last click when clicks come faster than the answers', async () => {
    const real = await trainedClient(2);
    // The first curves asked for arrive last, as a busy worker may answer.
    let gets = 0;
    const slowFirst: ApiClient = {
      ...real,
      async call(channel, payload) {
        const answer = await real.call(channel, payload);
        if (channel === 'runs:get' && gets++ === 0) await new Promise((r) => setTimeout(r, 300));
        return answer;
      },
    };
    setApiClient(slowFirst);
    const store = useRunsStore();
    await store.refresh();
    const [a, b] = store.runs.map((r) => r.id);
    await Promise.all([store.toggle(a), store.toggle(b), store.toggle(a)]);
    expect(store.checked).toEqual([b]);
    expect(store.records.map((r) => r.id)).toEqual([b]);
  });

  it('clamps the smoothing slider to 0–0.99', () => {
    setApiClient(inProcessClient());
    const store = useRunsStore();
    store.setSmoothing(5);
    expect(store.smoothing).toBe(0.99);
    store.setSmoothing(Number.NaN);
    expect(store.smoothing).toBe(0);
  });
});
