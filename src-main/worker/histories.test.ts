/**
 * The histogram recorder: thinning keeps at most 200 samples per variable with ascending steps, a reset
 * drops everything, a rewind (divergence) drops the samples past it; the recording train step fetches the
 * very gradient the update applies on that batch; and the trainer keeps its samples across pause and a
 * backend move and drops them for a new run.
 */
import { afterAll, describe, expect, it } from 'vitest';
import { NDArray } from '../../src-core';
import { HistoriesResponseSchema, MAX_HISTORY_SAMPLES } from '../../src-app-api/inspect-schemas';
import type { Progress, TrainConfig } from '../../src-app-api/schemas';
import { ComputeEngine } from './engine';
import { HistoryRecorder, histogramOf, recordedVariables, recordingTrainStep } from './histories';
import { loadData } from './datasets';
import { ModelRuntime } from './model-runtime';

const VARS = [{ name: 'a/W', shape: [2, 3] }, { name: 'a/b', shape: [3] }];
const values = (k: number) => [Float32Array.from([k, k + 1, k + 2, 0, 0, 1]), Float32Array.from([k, -k, 0])];

describe('HistoryRecorder', () => {
  it('keeps at most 200 samples per variable over 10,000 steps, steps ascending and evenly spread', () => {
    const recorder = new HistoryRecorder();
    recorder.reset(VARS);
    let recorded = 0;
    for (let step = 1; step <= 10_000; step++) {
      if (!recorder.due(step)) continue;
      recorder.add(step, values(step), [values(-step)[0], null]);
      recorded++;
    }
    const answer = HistoriesResponseSchema.parse(recorder.answer('a/W'));
    const steps = answer.selected?.samples.map((s) => s.step) ?? [];
    expect(steps.length).toBeLessThanOrEqual(MAX_HISTORY_SAMPLES);
    expect(steps.length).toBeGreaterThan(MAX_HISTORY_SAMPLES / 2);
    expect(steps).toEqual([...steps].sort((x, y) => x - y));
    expect(new Set(steps.slice(1).map((s, i) => s - steps[i]))).toEqual(new Set([answer.every]));
    // Sampling became rarer as the run went on: far fewer recordings than steps.
    expect(recorded).toBeLessThan(1_000);
    expect(answer.variables).toEqual([{ name: 'a/W', shape: [2, 3], samples: steps.length }, { name: 'a/b', shape: [3], samples: steps.length }]);
    expect(answer.selected?.samples[0].gradient).not.toBeNull();
    expect(recorder.answer('a/b').selected?.samples[0].gradient).toBeNull();
  });

  it('a reset starts a new run with nothing recorded; a step taken again replaces the samples from it on', () => {
    const recorder = new HistoryRecorder(8);
    recorder.reset(VARS);
    for (let step = 1; step <= 20; step++) if (recorder.due(step)) recorder.add(step, values(step), [null, null]);
    const run = recorder.run;
    expect(recorder.every).toBeGreaterThan(1);
    // Training went back to step 8 (a divergence): the samples past it go.
    recorder.add(8, values(0), [null, null]);
    expect(recorder.answer(null).selected?.samples.map((s) => s.step).at(-1)).toBe(8);
    expect(recorder.answer(null).selected?.samples.every((s, i, all) => i === 0 || s.step > all[i - 1].step)).toBe(true);
    recorder.reset(VARS);
    expect(recorder.run).toBe(run + 1);
    expect(recorder.every).toBe(1);
    expect(recorder.answer('a/W').selected?.samples).toEqual([]);
    expect(() => recorder.answer('nope')).toThrow("inspect:histories: no variable 'nope' in this run; recorded: a/W, a/b");
  });

  it('histogramOf: 30 bins over [min, max], the maximum in the last bin, non-finite values counted apart', () => {
    const h = histogramOf([0, 1, 2, 3, NaN, Infinity, 3]);
    expect(h).toMatchObject({ min: 0, max: 3, nonFinite: 2 });
    expect(h.counts).toHaveLength(30);
    expect(h.counts[0]).toBe(1);
    expect(h.counts[29]).toBe(2);
    expect(h.counts.reduce((a, b) => a + b, 0)).toBe(5);
    expect(histogramOf(new Float32Array(7)).counts[0]).toBe(7);
  });
});

describe('recordingTrainStep', () => {
  const runtime = new ModelRuntime('mlp', 0.005, 'cpu');
  afterAll(() => runtime.close());

  it("records the gradient the update applies on the step's batch, and the weights after it", async () => {
    await runtime.initialize();
    const data = loadData(null, true);
    const [xs, ys] = data.train.next_batch(32);
    const pairs = runtime.model.gradients ?? [];
    expect(pairs.map((p) => p.variable.op.name)).toEqual(recordedVariables(runtime).map((v) => v.name));
    // The gradient on this batch, computed alone from the same weights: what the recorded step must see.
    const expected = await runtime.session.run(pairs.map((p) => p.gradient), [[runtime.model.x, xs], [runtime.model.labels, ys]]);
    const recorder = new HistoryRecorder();
    recorder.reset(recordedVariables(runtime));
    const loss = await recordingTrainStep(recorder, runtime, xs, ys, 1);
    expect(Number.isFinite(loss)).toBe(true);
    const after = await runtime.session.run(pairs.map((p) => p.variable));
    recordedVariables(runtime).forEach((v, i) => {
      const sample = recorder.answer(v.name).selected?.samples[0];
      expect(sample?.step).toBe(1);
      const g = histogramOf(expected[i].data as Float32Array);
      expect(sample?.gradient?.counts).toEqual(g.counts);
      expect(sample?.gradient?.min).toBeCloseTo(g.min, 6);
      expect(sample?.weights).toEqual(histogramOf(after[i].data as Float32Array));
    });
    // Not a sampling step twice: the same step number trains without recording again.
    const before = recorder.answer(null).selected?.samples.length;
    await recordingTrainStep(recorder, runtime, new NDArray(xs.data as Float32Array, xs.shape), ys, 1);
    expect(recorder.answer(null).selected?.samples.length).toBe(before);
  });
});

describe('the trainer records histories', () => {
  const events: Progress[] = [];
  const engine = new ComputeEngine((channel, payload) => channel === 'train:progress' && events.push(payload as Progress));
  const config: TrainConfig = { model: 'softmax', backend: 'cpu', dataDir: null, optimizer: 'sgd', learningRate: 0.5, batchSize: 20, epochs: 1, steps: 10_000_000 };
  const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
  const samples = async () => (await engine.handle('inspect:histories', { variable: null })).selected?.samples.length ?? 0;
  async function until(what: string, ok: () => Promise<boolean>, ms = 60_000): Promise<void> {
    for (const end = Date.now() + ms; !(await ok()); await sleep(20)) if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
  }
  afterAll(async () => {
    await engine.handle('train:stop', {});
  });

  it('samples W while training, keeps them across pause, resume and a backend move, and starts over for a new run', async () => {
    expect((await engine.handle('inspect:histories', { variable: null })).selected).toBeNull();
    await engine.handle('train:start', config);
    await until('3 samples', async () => (await samples()) >= 3);
    const first = await engine.handle('inspect:histories', { variable: 'W' });
    expect(first.variables.map((v) => v.name)).toEqual(['W']);
    expect(first.selected?.samples.every((s) => s.gradient !== null)).toBe(true);
    await engine.handle('train:pause', {});
    await until('the pause', async () => events.at(-1)?.state === 'paused');
    const paused = await samples();
    await engine.handle('train:set-backend', { backend: 'wasm' });
    await engine.handle('train:resume', {});
    await until('more samples after the move', async () => (await samples()) > paused);
    const kept = await engine.handle('inspect:histories', { variable: 'W' });
    expect(kept.run).toBe(first.run);
    expect(kept.selected?.samples[0].step).toBe(first.selected?.samples[0].step);
    await engine.handle('train:start', config);
    const fresh = await engine.handle('inspect:histories', { variable: 'W' });
    expect(fresh.run).toBe(first.run + 1);
    expect(fresh.every).toBe(1);
    expect(fresh.selected?.samples.length).toBeLessThan(kept.selected?.samples.length ?? 0);
    await until('a sample of the new run', async () => (await samples()) >= 1);
    expect((await engine.handle('inspect:histories', { variable: 'W' })).selected?.samples[0].step).toBe(1);
  });
});
