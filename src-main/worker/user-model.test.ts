/**
 * A user's own model in the compute worker (issue 15.1): a layer model trains through train:start; the
 * code the Train view shows for it, loaded as a model file, builds the same variables and shapes; a
 * checkpoint carries the model's source and opening it rebuilds that model; a model file that throws,
 * loops forever or is no model is refused with words while the running session trains on; predictions
 * of a model with dropout are those of inference (training fed false).
 */
import { afterAll, describe, expect, it } from 'vitest';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import * as ort from 'onnxruntime-node';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Progress, TrainConfig } from '../../src-app-api/schemas';
import { readSafetensorsMetadata } from '../../src-core/checkpoint/checkpoint-file';
import { prepareUserModel } from '../../src-core/models/model-file';
import { layerModelCode, modelSourceFromMetadata, type LayerModel } from '../../src-core/models/user-model';
import { ComputeEngine } from './engine';
import { checkModel } from './model-check';
import { ModelRuntime } from './model-runtime';

const dir = mkdtempSync(join(tmpdir(), 'tinyflow-user-model-'));
afterAll(() => rmSync(dir, { recursive: true, force: true, maxRetries: 5, retryDelay: 100 }));

const convNet: LayerModel = {
  format: 'tinyflow-layers',
  version: 1,
  name: 'small-conv',
  input: [28, 28, 1],
  layers: [
    { type: 'conv2d', filters: 4, kernel: 5, stride: 1, padding: 'same', activation: 'relu' },
    { type: 'max_pool', size: 2, stride: 2, padding: 'valid' },
    { type: 'batch_norm' },
    { type: 'flatten' },
    { type: 'dropout', rate: 0.5 },
    { type: 'dense', units: 10, activation: 'none' },
  ],
};
const base: TrainConfig = { model: 'small-conv', backend: 'cpu', dataDir: null, optimizer: 'adam', learningRate: 0.003, batchSize: 50, epochs: 1, steps: 10_000_000 };
const layersConfig: TrainConfig = { ...base, userModel: { kind: 'layers', model: convNet } };

const events: Progress[] = [];
const engine = new ComputeEngine((channel, payload) => channel === 'train:progress' && events.push(payload as Progress));
const last = (): Progress => events.at(-1) as Progress;
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
async function until(what: string, ok: () => boolean, ms = 60_000): Promise<void> {
  for (const end = Date.now() + ms; !ok(); await sleep(20)) if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
}
const probe = Array.from({ length: 784 }, (_, i) => (i % 28 > 10 && i % 28 < 16 && i > 150 && i < 650 ? 1 : 0));
const variablesOf = (r: ModelRuntime): [string, (number | null)[]][] => r.variables.map((v) => [v.op.name, [...(v.shape ?? [])]]);

describe('user models in the worker', () => {
  it('trains a layer model, and the code shown for it builds the same variables and shapes as a model file', async () => {
    await engine.handle('train:start', layersConfig);
    await until('a few steps of the layer model', () => last().state === 'running' && last().step > 5);
    expect(last().model).toBe('small-conv');
    expect(last().config?.userModel).toEqual({ kind: 'layers', model: convNet });
    const running = (engine as unknown as { trainer: { runtime: ModelRuntime } }).trainer.runtime;
    expect(running.prepared?.kind).toBe('layers');

    // What the code panel shows for the running model (TrainView: layerModelCode of its config, the data's classes).
    const code = layerModelCode(convNet, running.numClasses);
    const asFile = new ModelRuntime('shown.js', 0.003, 'cpu', 'adam', running.numClasses, await prepareUserModel({ kind: 'file', fileName: 'shown.js', source: code }));
    try {
      expect(variablesOf(asFile)).toEqual(variablesOf(running));
      expect(variablesOf(asFile).length).toBeGreaterThan(8); // weights, batch norm's moving statistics, Adam's slots
    } finally {
      asFile.close();
    }

    // Predictions are inference: dropout off, so the same drawing gives the same answer twice.
    await engine.handle('train:pause', {});
    await until('the pause', () => last().state === 'paused');
    const a = await engine.handle('predict', { pixels: probe, saliency: true });
    const b = await engine.handle('predict', { pixels: probe, saliency: true });
    expect(a.probabilities).not.toBeNull();
    expect(a.probabilities).toEqual(b.probabilities);
    expect(a.saliency).toEqual(b.saliency);
  }, 120_000);

  it('a checkpoint carries the model source, and opening it rebuilds the layer model', async () => {
    const path = join(dir, 'conv.safetensors');
    await engine.handleInternal('checkpoint:write', { path });
    const metadata = await readSafetensorsMetadata(path);
    expect(modelSourceFromMetadata(metadata.model_source, path)).toEqual({ kind: 'layers', model: convNet });
    expect(metadata.num_classes).toBe('10');
    const before = await engine.handle('predict', { pixels: probe, saliency: false });

    // Another session replaces it; opening the checkpoint brings the layer model and its weights back.
    await engine.handle('train:start', { ...base, model: 'softmax', optimizer: 'sgd', learningRate: 0.5 });
    await until('the softmax session', () => last().model === 'softmax' && last().step > 2);
    const meta = await engine.handleInternal('checkpoint:load', { path, source: 'checkpoint', label: 'conv', resume: false });
    expect(meta.model).toBe('small-conv');
    await until('the restored session', () => last().state === 'paused' && last().model === 'small-conv');
    expect(last().config?.userModel).toEqual({ kind: 'layers', model: convNet });
    const after = await engine.handle('predict', { pixels: probe, saliency: false });
    expect(after.probabilities).toEqual(before.probabilities);

    // Export ONNX… of the layer model (dropout and batch norm as in inference) predicts what predict does.
    const onnx = join(dir, 'conv.onnx');
    await engine.handleInternal('checkpoint:export-onnx', { path: onnx });
    const session = await ort.InferenceSession.create(readFileSync(onnx));
    try {
      const out = await session.run({ x: new ort.Tensor('float32', Float32Array.from(probe), [1, 784]) });
      const theirs = Array.from(out.probabilities.data as Float32Array);
      const ours = after.probabilities ?? [];
      expect(Math.max(...theirs.map((p, i) => Math.abs(p - ours[i])))).toBeLessThan(1e-4);
    } finally {
      await session.release();
    }
  }, 120_000);

  it('a model file that throws, never returns or is no model is refused in words, and the session trains on', async () => {
    await engine.handle('train:resume', {});
    await until('training to resume', () => last().state === 'running');
    const bad: [string, string, RegExp][] = [
      ['throws.ts', 'export default function model(): never { throw new Error("no layers here"); }\n', /model file throws\.ts.*no layers here/],
      ['no-model.js', 'export const input = [784];\n', /model file no-model\.js: its default export must be a function/],
      ['classes.js', 'export default (tf, x) => tf.matmul(x, tf.Variable(tf.zeros([784, 3])));\n', /makes 3 classes, the data has 10/],
    ];
    for (const [fileName, source, error] of bad) {
      const step = last().step;
      await expect(engine.handle('train:start', { ...base, model: fileName, userModel: { kind: 'file', fileName, source } })).rejects.toThrow(error);
      await until(`training to go on after ${fileName}`, () => last().step > step + 3);
      expect(last()).toMatchObject({ state: 'running', model: 'small-conv' });
    }
    const big: TrainConfig = { ...base, model: 'big', userModel: { kind: 'layers', model: { ...convNet, name: 'big', input: [32, 32, 1] } } };
    await expect(engine.handle('train:start', big)).rejects.toThrow("train:start: model 'big': it takes 32×32 images, and the studio trains on 28×28 images for now");
    expect(last()).toMatchObject({ state: 'running', model: 'small-conv' });
  }, 120_000);

  it('model:check stops a model file that loops forever, and summarizes one that builds', async () => {
    const loops = await checkModel({ userModel: { kind: 'file', fileName: 'loop.js', source: 'while (true) {}\nexport default () => null;\n' }, dataDir: null }, 2_000);
    expect(loops.ok).toBe(false);
    expect(loops.error).toBe('model file loop.js did not finish building its graph within 2 s (an endless loop?); it was stopped and nothing was loaded');
    // The worker is still here and answers.
    expect((await engine.handle('predict', { pixels: probe, saliency: false })).probabilities).not.toBeNull();

    const source = 'export const input = [28, 28, 1];\nexport default function model(tf, x) {\n  const W = tf.Variable(tf.zeros([784, 10]), { name: "W" });\n  return tf.matmul(tf.reshape(x, [-1, 784]), W);\n}\n';
    const ok = await checkModel({ userModel: { kind: 'file', fileName: 'flat.ts', source }, dataDir: null });
    expect(ok).toMatchObject({ ok: true, name: 'flat.ts', numClasses: 10, totalParams: 7840, code: source, error: null });
    expect(ok.summary).toEqual([{ name: 'W', outputShape: [784, 10], params: 7840, error: null }]);

    const layers = await checkModel({ userModel: { kind: 'layers', model: convNet }, dataDir: null });
    expect(layers.ok).toBe(true);
    expect(layers.summary.map((r) => r.outputShape)).toEqual([[28, 28, 4], [14, 14, 4], [14, 14, 4], [784], [784], [10]]);
    expect(layers.code).toBe(layerModelCode(convNet, 10));
    await engine.handle('train:stop', {});
  }, 120_000);
});
