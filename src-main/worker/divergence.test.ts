/**
 * Divergence in the app's worker: softmax at learning rate 50, batch 1, on wasm goes 'diverged' with the
 * message on progress (every message valid against the contract, NaN loss included); the session holds
 * the last good weights and the autosave writes them (never NaN); a resume with a new rate trains on from
 * there; a divergence after real training keeps that step's trained weights, which a restarted engine
 * restores. A session whose weights are not finite refuses a manual save and shows why its autosave
 * wrote nothing.
 */
import { describe, expect, it } from 'vitest';
import { existsSync, mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { NDArray } from '../../src-core';
import { decodeSafetensors } from '../../src-core/checkpoint/safetensors';
import type { Progress, TrainConfig } from '../../src-app-api/schemas';
import { parseEvent, parseResponse } from '../../src-app-api/wire';
import { readMeta } from '../checkpoints/meta';
import { Autosaver } from './autosave';
import { ComputeEngine } from './engine';
import { Lock } from './lock';
import { Trainer } from './trainer';
import { UserSet } from './user-set';

const waitFor = async (what: string, cond: () => boolean | Promise<boolean>, timeoutMs = 60_000): Promise<void> => {
  const end = Date.now() + timeoutMs;
  while (!(await cond())) {
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 20));
  }
};

const config: TrainConfig = { model: 'softmax', backend: 'wasm', dataDir: null, optimizer: 'sgd', learningRate: 50, batchSize: 1, epochs: 1, steps: 1_000_000 };
const MESSAGE = /^training diverged at step (\d+) \(loss (NaN|-?Infinity)\); weights kept from step (\d+); try a learning rate below 5$/;

function finiteTensors(path: string): boolean {
  const tensors = decodeSafetensors(readFileSync(path), path).tensors;
  return tensors.size > 0 && [...tensors.values()].every((t) => [...t.data].every(Number.isFinite));
}

describe('divergence in the worker', () => {
  it('diverges, keeps and autosaves the last good weights, resumes with a new rate, and a restarted engine restores them', async () => {
    const autosavePath = join(mkdtempSync(join(tmpdir(), 'tinyflow-diverge-')), 'session.safetensors');
    const events: Progress[] = [];
    const engine = new ComputeEngine((channel, p) => channel === 'train:progress' && events.push(p as Progress), { autosavePath, autosaveMs: 3_600_000 });
    await engine.handle('train:start', config);
    await waitFor('diverged', () => events.some((p) => p.state === 'diverged'));
    const first = events.find((p) => p.state === 'diverged') as Progress;
    expect(first.divergence?.message).toMatch(MESSAGE);
    expect(typeof first.loss === 'number' && !Number.isFinite(first.loss)).toBe(true);
    expect(first.step).toBe(first.divergence?.lastGoodStep);
    // Every message the worker sent is valid: a NaN loss is a legal value now, not a rejected message.
    for (const p of events) expect(() => parseEvent('train:progress', p)).not.toThrow();
    const info = await engine.handle('app:info', {});
    expect(() => parseResponse('app:info', info)).not.toThrow();
    expect(info.progress.state).toBe('diverged');

    const diagnosis = await engine.handle('train:diagnose', {});
    expect(diagnosis.node).not.toBeNull();
    expect(diagnosis.message).toContain('the first non-finite value came from');
    await waitFor('the autosave of the diverged session', async () => existsSync(autosavePath) && (await readMeta(autosavePath))?.step === first.step);
    expect(finiteTensors(autosavePath)).toBe(true);

    // Resume with the advised rate: training goes on from the kept weights and learns.
    await engine.handle('train:resume', { learningRate: 0.05 });
    await waitFor('training past step 150 at the new rate', () => (events.at(-1)?.step ?? 0) >= 150 && events.at(-1)?.state === 'running');
    expect(events.at(-1)?.config?.learningRate).toBe(0.05);
    await engine.handle('train:pause', {});
    await waitFor('paused', () => events.at(-1)?.state === 'paused');
    const pausedAt = events.at(-1)?.step ?? -1;

    // Now diverge again after real training: the weights kept are the trained ones at the pause step.
    await engine.handle('train:resume', { learningRate: 50 });
    await waitFor('diverged again', () => events.at(-1)?.state === 'diverged');
    const second = events.at(-1) as Progress;
    expect(second.divergence?.lastGoodStep).toBe(pausedAt);
    expect(second.step).toBe(pausedAt);
    // The chart keeps no point past the step the weights are from.
    expect(second.seriesReset).toBe(true);
    expect(second.lossPoints.every(([s]) => s <= pausedAt)).toBe(true);
    await waitFor('the autosave at the kept step', async () => (await readMeta(autosavePath))?.step === pausedAt);
    expect(finiteTensors(autosavePath)).toBe(true);
    await engine.handle('train:stop', {});

    // A restarted engine (a new worker) restores the last good weights from the autosave.
    const after: Progress[] = [];
    const restarted = new ComputeEngine((channel, p) => channel === 'train:progress' && after.push(p as Progress), { autosavePath, autosaveMs: 3_600_000 });
    const restored = await restarted.handleInternal('checkpoint:load', { path: autosavePath, source: 'autosave', label: 'autosave', resume: false });
    expect(restored.step).toBe(pausedAt);
    const snapshot = await restarted.handle('inspect:snapshot', { misclassifiedLimit: 0 });
    // Trained weights (an untrained or NaN model would be at ~0.1 or 0).
    expect(snapshot.testAccuracy).toBeGreaterThan(0.6);
    expect(snapshot.templates?.every(Number.isFinite)).toBe(true);
  }, 120_000);

  it('a session with non-finite weights refuses a manual save, and its autosave says why it wrote nothing', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'tinyflow-nonfinite-'));
    const autosavePath = join(dir, 'auto.safetensors');
    const events: Progress[] = [];
    const autosaver = new Autosaver(autosavePath, 3_600_000, (path) => trainer.save(path).then(() => undefined));
    const trainer: Trainer = new Trainer(new Lock(), (p) => events.push(p), new UserSet(), autosaver);
    await trainer.start({ ...config, learningRate: 0.5, steps: 5 });
    await waitFor('finished', () => events.at(-1)?.state === 'finished');
    const runtime = trainer.runtime;
    if (runtime === null) throw new Error('no runtime');
    const values = await runtime.readVariables();
    await runtime.writeVariables(runtime.session, values.map((v) => new NDArray(new Float32Array(v.size).fill(NaN), v.shape)));
    const manual = join(dir, 'manual.safetensors');
    await expect(trainer.save(manual)).rejects.toThrow("checkpoint:save: the model's weights hold NaN or Infinity (step 5); nothing was written");
    expect(existsSync(manual)).toBe(false);
    await autosaver.now();
    expect(events.at(-1)?.autosaveError).toContain('nothing was written');
    expect(existsSync(autosavePath)).toBe(true);
    expect(finiteTensors(autosavePath)).toBe(true);
  });
});
