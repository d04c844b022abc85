/**
 * A failed action never costs the running session (issue 12.2): train:start with an unknown model, an
 * unavailable backend or a missing data folder, and opening a corrupt checkpoint, each answer with a
 * clear error while the session trains on (its step advances) on its own model; while paused, its
 * weights (seen through predict), its state and its autosave file stay byte for byte as they were.
 */
import { afterAll, describe, expect, it } from 'vitest';
import { mkdtempSync, readFileSync, statSync, truncateSync, existsSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Progress, TrainConfig } from '../../src-app-api/schemas';
import { ComputeEngine } from './engine';

const dir = mkdtempSync(join(tmpdir(), 'tinyflow-transactions-'));
afterAll(() => rmSync(dir, { recursive: true, force: true, maxRetries: 5, retryDelay: 100 }));
const autosavePath = join(dir, 'autosave.safetensors');
const running: TrainConfig = { model: 'softmax', backend: 'cpu', dataDir: null, optimizer: 'sgd', learningRate: 0.5, batchSize: 50, epochs: 1, steps: 10_000_000 };

const events: Progress[] = [];
const engine = new ComputeEngine((channel, payload) => channel === 'train:progress' && events.push(payload as Progress), { autosavePath, autosaveMs: 150 });
const last = (): Progress => events.at(-1) as Progress;
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
async function until(what: string, ok: () => boolean, ms = 30_000): Promise<void> {
  for (const end = Date.now() + ms; !ok(); await sleep(20)) if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
}
/** A digit-like stroke: predict's answer on it is a fingerprint of the weights. */
const probe = Array.from({ length: 784 }, (_, i) => (i % 28 > 10 && i % 28 < 16 && i > 150 && i < 650 ? 1 : 0));
const weightsFingerprint = async (): Promise<number[] | null> => (await engine.handle('predict', { pixels: probe, saliency: false })).probabilities;

/** Every failing action, with the error it must give. */
const failures: [string, () => Promise<unknown>, RegExp][] = [
  ...['constructor', '__proto__', 'toString', 'no-such-model'].map((model): [string, () => Promise<unknown>, RegExp] => [
    `train:start model '${model}'`,
    () => engine.handle('train:start', { ...running, model }),
    new RegExp(`unknown model '${model}'; known: softmax, mlp`),
  ]),
  ["train:start backend 'tpu'", () => engine.handle('train:start', { ...running, backend: 'tpu' }), /tpu/],
  ['train:start with a missing data folder', () => engine.handle('train:start', { ...running, dataDir: join(dir, 'no-such-folder') }), /no-such-folder/],
  ['checkpoint:load of a corrupt checkpoint', () => engine.handleInternal('checkpoint:load', { path: join(dir, 'corrupt.safetensors'), source: 'checkpoint', label: 'corrupt', resume: true }), /corrupt/],
];

describe('a failed action leaves the running session as it was', () => {
  it('each failure answers an error while the session trains on, and a paused session keeps its weights, state and autosave', async () => {
    await engine.handle('train:start', running);
    await until('an autosave of the running session', () => existsSync(autosavePath) && last().step > 20);
    // A checkpoint of this session, then cut in half: its weights can no longer be read.
    await engine.handleInternal('checkpoint:write', { path: join(dir, 'corrupt.safetensors') });
    const corrupt = join(dir, 'corrupt.safetensors');
    truncateSync(corrupt, Math.floor(statSync(corrupt).size / 2));

    for (const [what, act, error] of failures) {
      const before = last().step;
      await expect(act(), what).rejects.toThrow(error);
      await until(`training to go on after ${what}`, () => last().step > before + 5);
      expect(last(), what).toMatchObject({ state: 'running', model: 'softmax', backend: 'cpu', config: running });
    }

    await engine.handle('train:pause', {});
    await until('the pause', () => last().state === 'paused');
    await sleep(400); // the autosave that pausing triggers
    const step = last().step;
    const weights = await weightsFingerprint();
    const autosave = { bytes: readFileSync(autosavePath), mtime: statSync(autosavePath).mtimeMs };
    for (const [what, act, error] of failures) {
      await expect(act(), what).rejects.toThrow(error);
      await sleep(200); // two autosave intervals: a wrongly started session would have saved by now
      expect(last(), what).toMatchObject({ state: 'paused', step, model: 'softmax' });
      expect(await weightsFingerprint(), what).toEqual(weights);
      expect(statSync(autosavePath).mtimeMs, what).toBe(autosave.mtime);
      expect(readFileSync(autosavePath).equals(autosave.bytes), what).toBe(true);
    }
    // And the session still resumes from where it was.
    await engine.handle('train:resume', {});
    await until('training to resume', () => last().state === 'running' && last().step > step + 5);
    await engine.handle('train:stop', {});
    await until('the stop', () => last().state === 'stopped');
    await sleep(300); // the autosave that stopping triggers, before the folder goes
  }, 120_000);
});
