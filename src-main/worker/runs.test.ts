/**
 * The kept runs: curves thinned by halving to RUN_SERIES_MAX, the newest RUNS_CAPACITY kept, files that
 * are not runs skipped with a message, runs a closed app left running marked interrupted, and a real
 * training session recorded by the engine and found again by a new engine (a restarted worker).
 */
import { afterAll, describe, expect, it } from 'vitest';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { RUN_SERIES_MAX, RunFileSchema, type RunRecord } from '../../src-app-api/runs-schemas';
import { parseResponse } from '../../src-app-api/wire';
import type { Progress, TrainConfig } from '../../src-app-api/schemas';
import { ComputeEngine } from './engine';
import { RunRecorder } from './run-recorder';
import { RunSeries } from './run-series';
import { RunStore, runsDirFor } from './runs';

const root = mkdtempSync(join(tmpdir(), 'tinyflow-runs-'));
afterAll(() => rmSync(root, { recursive: true, force: true, maxRetries: 5, retryDelay: 100 }));
let dirs = 0;
const freshDir = (): string => join(root, `case-${dirs++}`);
const config: TrainConfig = { model: 'softmax', backend: 'cpu', dataDir: null, optimizer: 'sgd', learningRate: 0.5, batchSize: 50, epochs: 1, steps: null };
const start = { config, backend: 'cpu', totalSteps: 160, data: 'bundled digits', classes: 10, startStep: 0, restoredFrom: null };

describe('RunSeries', () => {
  it('halves past the maximum, stays evenly spaced, and always ends on the newest point', () => {
    const series = new RunSeries(100);
    let longest = 0;
    for (let step = 1; step <= 10_000; step++) {
      series.add(step, 1 / step, step / 10);
      longest = Math.max(longest, series.length);
    }
    expect(longest).toBe(100);
    const points = series.points();
    expect(points.at(-1)).toEqual([10_000, 1 / 10_000, 1000]);
    expect(points.length).toBeGreaterThan(50);
    // Evenly thinned: every gap but the last (to the newest point) is the same stride.
    const gaps = new Set(points.slice(0, -1).map((p, i) => points[i + 1][0] - p[0]).slice(0, -1));
    expect(gaps.size).toBe(1);
    expect([...gaps][0]).toBeGreaterThan(64);
  });

  it('keeps every point up to RUN_SERIES_MAX, skips non-finite values, and drops the curve past a step it goes back to', () => {
    const series = new RunSeries();
    for (let step = 0; step < RUN_SERIES_MAX; step++) series.add(step, step, 0);
    expect(series.length).toBe(RUN_SERIES_MAX);
    series.add(RUN_SERIES_MAX, Number.NaN, 0);
    expect(series.length).toBe(RUN_SERIES_MAX);
    series.add(500, -1, 0); // the session went back to step 500 (a divergence's last good weights)
    const points = series.points();
    expect(points.at(-1)).toEqual([500, -1, 0]);
    expect(points.filter(([s]) => s >= 500)).toHaveLength(1);
  });
});

describe('RunStore', () => {
  it('keeps the newest runs only, deleting the oldest files past the capacity', () => {
    const dir = freshDir();
    let now = Date.parse('2026-01-01T00:00:00Z');
    const recorder = new RunRecorder(new RunStore(dir, 3, () => undefined), () => now);
    const ids: string[] = [];
    for (let i = 0; i < 5; i++) {
      recorder.begin(start, false);
      ids.push(recorder.currentId as string);
      recorder.step({ step: 1, loss: 2 - i / 10 }, 'cpu');
      now += 60_000;
    }
    recorder.state('finished', null);
    expect(readdirSync(dir).sort()).toEqual(ids.slice(2).map((id) => `${id}.json`).sort());
    const reopened = new RunStore(dir, 3, () => undefined);
    reopened.load();
    expect(reopened.list().runs.map((r) => r.id)).toEqual(ids.slice(2).reverse());
    expect(reopened.list().runs.map((r) => r.state)).toEqual(['finished', 'stopped', 'stopped']);
  });

  it('skips files that are not runs, naming each with why, and marks runs left running as interrupted', () => {
    const dir = freshDir();
    const messages: string[] = [];
    let now = 0;
    const recorder = new RunRecorder(new RunStore(dir, 100, () => undefined), () => now);
    recorder.begin(start, false);
    recorder.step({ step: 4, loss: 1.6 }, 'cpu');
    now += 5000; // the periodic write of a run that trains on (what a crash leaves)
    recorder.step({ step: 5, loss: 1.5, testAccuracy: 0.4 }, 'cpu');
    const id = recorder.currentId as string;
    writeFileSync(join(dir, 'cut.json'), '{"format":"tinyflow-run","id":');
    writeFileSync(join(dir, 'other.json'), JSON.stringify({ hello: 'world' }));
    const good = JSON.parse(readFileSync(join(dir, `${id}.json`), 'utf8')) as RunRecord;
    writeFileSync(join(dir, 'renamed-copy.json'), JSON.stringify(good));
    writeFileSync(join(dir, '..evil.json'), JSON.stringify(good));
    writeFileSync(join(dir, 'notes.txt'), 'not a run, not a .json: ignored');

    const store = new RunStore(dir, 100, (m) => messages.push(m));
    store.load();
    const list = store.list();
    expect(list.runs.map((r) => [r.id, r.state, r.step, r.finalLoss, r.finalAccuracy])).toEqual([[id, 'interrupted', 5, 1.5, 0.4]]);
    expect(list.skipped.map((s) => s.file).sort()).toEqual(['..evil.json', 'cut.json', 'other.json', 'renamed-copy.json']);
    expect(list.skipped.find((s) => s.file === 'cut.json')?.reason).toMatch(/not valid JSON/);
    expect(list.skipped.find((s) => s.file === 'other.json')?.reason).toMatch(/not a tinyflow run/);
    expect(list.skipped.find((s) => s.file === 'renamed-copy.json')?.reason).toBe(`holds run '${id}', not 'renamed-copy'`);
    expect(messages).toHaveLength(4);
    expect(messages[0]).toContain(dir);
    // The interrupted state was written back, in a file that still reads as a run.
    expect(RunFileSchema.parse(JSON.parse(readFileSync(join(dir, `${id}.json`), 'utf8'))).state).toBe('interrupted');
  });

  it('renames and deletes by id, refusing unknown ids without deleting anything; the live run keeps its new name', () => {
    const dir = freshDir();
    const store = new RunStore(dir, 100, () => undefined);
    const recorder = new RunRecorder(store);
    recorder.begin(start, false);
    const first = recorder.currentId as string;
    recorder.begin({ ...start, config: { ...config, learningRate: 0.05 } }, false);
    const second = recorder.currentId as string;
    expect(store.rename(second, '  lr, "small"  ').name).toBe('lr, "small"');
    recorder.step({ step: 1, loss: 2 }, 'wasm');
    expect(store.get([second])[0]).toMatchObject({ name: 'lr, "small"', backends: [{ step: 0, backend: 'cpu' }, { step: 1, backend: 'wasm' }] });
    expect(() => store.delete([first, 'no-such-run'])).toThrow("runs:delete: no run 'no-such-run' is kept; nothing was deleted");
    expect(store.list().runs).toHaveLength(2);
    expect(() => store.get(['nope'])).toThrow("runs:get: no run 'nope' is kept");
    expect(store.delete([second])).toEqual({ deleted: 1, remaining: 1 });
    expect(existsSync(join(dir, `${second}.json`))).toBe(false);
    // A deleted live run records nothing more (and is not written back).
    recorder.step({ step: 2, loss: 1 }, 'wasm');
    expect(existsSync(join(dir, `${second}.json`))).toBe(false);
    expect(recorder.currentId).toBeNull();
  });

  it('keeps runs in memory and says so when its folder cannot be written', () => {
    const blocker = join(root, 'a-file');
    writeFileSync(blocker, 'x');
    const store = new RunStore(join(blocker, 'runs'), 100, () => undefined);
    const recorder = new RunRecorder(store);
    recorder.begin(start, false);
    expect(store.list().runs).toHaveLength(1);
    expect(store.list().storeError).toMatch(/runs: cannot write .*a-file\/runs\/.*\.json: .*the run is kept until the app closes/);
  });
});

describe('the engine keeps every training run', () => {
  it('records a real run with its settings, curves and end state, and a restarted worker lists it', async () => {
    const home = freshDir();
    mkdirSync(home, { recursive: true });
    const autosavePath = join(home, 'session.safetensors');
    const events: Progress[] = [];
    const engine = new ComputeEngine((channel, p) => channel === 'train:progress' && events.push(p as Progress), { autosavePath, autosaveMs: 3_600_000 });
    await engine.handle('train:start', { ...config, steps: 60, learningRate: 0.3 });
    for (const end = Date.now() + 60_000; events.at(-1)?.state !== 'finished'; await new Promise((r) => setTimeout(r, 20))) {
      if (Date.now() > end) throw new Error('timed out waiting for the run to finish');
    }
    const restarted = new ComputeEngine(() => undefined, { autosavePath, autosaveMs: 3_600_000 });
    const list = parseResponse('runs:list', await restarted.handle('runs:list', {}));
    expect(list.runs).toHaveLength(1);
    const [summary] = list.runs;
    expect(summary).toMatchObject({ state: 'finished', step: 60, startStep: 0, name: 'softmax-sgd-lr0.3', backends: [{ step: 0, backend: 'cpu' }] });
    expect(summary.settings).toEqual({ model: 'softmax', optimizer: 'sgd', learningRate: 0.3, batchSize: 50, epochs: 1, steps: 60, totalSteps: 60, data: 'bundled digits', classes: 10 });
    expect(summary.finalAccuracy).toBeGreaterThan(0.5);
    const { runs } = parseResponse('runs:get', await restarted.handle('runs:get', { ids: [summary.id] }));
    expect(runs[0].loss.map(([s]) => s)).toEqual(Array.from({ length: 60 }, (_, i) => i + 1));
    expect(runs[0].loss.at(-1)?.[1]).toBe(summary.finalLoss);
    expect(runs[0].accuracy.at(-1)?.[0]).toBe(60);
    expect(existsSync(join(runsDirFor(autosavePath) as string, `${summary.id}.json`))).toBe(true);
  });

  it('records a divergence with its message and the rate it resumed with; a continued checkpoint is a new run from its step', async () => {
    const home = freshDir();
    mkdirSync(home, { recursive: true });
    const autosavePath = join(home, 'session.safetensors');
    const events: Progress[] = [];
    const engine = new ComputeEngine((channel, p) => channel === 'train:progress' && events.push(p as Progress), { autosavePath, autosaveMs: 3_600_000 });
    const until = async (what: string, ok: () => boolean): Promise<void> => {
      for (const end = Date.now() + 60_000; !ok(); await new Promise((r) => setTimeout(r, 20))) if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    };
    await engine.handle('train:start', { ...config, learningRate: 50, steps: 1_000_000 });
    await until('the divergence', () => events.at(-1)?.state === 'diverged');
    const diverged = parseResponse('runs:list', await engine.handle('runs:list', {})).runs[0];
    expect(diverged.state).toBe('diverged');
    expect(diverged.message).toMatch(/^training diverged at step \d+/);

    await engine.handle('train:resume', { learningRate: 0.05 });
    await until('training on at the new rate', () => events.at(-1)?.state === 'running' && (events.at(-1)?.step ?? 0) > diverged.step + 20);
    await engine.handle('train:pause', {});
    await until('the pause', () => events.at(-1)?.state === 'paused');
    const checkpoint = join(home, 'saved.safetensors');
    const saved = await engine.handleInternal('checkpoint:write', { path: checkpoint });
    const resumed = parseResponse('runs:get', await engine.handle('runs:get', { ids: [diverged.id] })).runs[0];
    expect(resumed.learningRates).toEqual([{ step: diverged.step, learningRate: 0.05 }]);
    expect(resumed.state).toBe('paused');

    // Opening the checkpoint paused records nothing; resuming it starts a new run at its step.
    await engine.handleInternal('checkpoint:load', { path: checkpoint, source: 'checkpoint', label: 'saved.safetensors', resume: false });
    expect(parseResponse('runs:list', await engine.handle('runs:list', {})).runs.map((r) => [r.id, r.state])).toEqual([[diverged.id, 'stopped']]);
    await engine.handle('train:resume', {});
    await until('a step of the continued run', () => (events.at(-1)?.step ?? 0) > saved.step + 2);
    await engine.handle('train:stop', {});
    const [continued] = parseResponse('runs:list', await engine.handle('runs:list', {})).runs;
    expect(continued).toMatchObject({ startStep: saved.step, restoredFrom: `checkpoint saved.safetensors at step ${saved.step}`, name: `softmax-sgd-lr0.05-from${saved.step}`, state: 'stopped' });
    expect(continued.id).not.toBe(diverged.id);
  }, 90_000);
});
