/**
 * Export ONNX… from the worker: the running session's weights, with no checkpoint saved first, load in
 * onnxruntime-node (the reference runtime) and give the probabilities our own `predict` channel gives.
 */
import { describe, expect, it } from 'vitest';
import { existsSync, mkdtempSync, readdirSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import * as ort from 'onnxruntime-node';
import { get_mnist } from '../../src-core/datasets';
import type { Progress } from '../../src-app-api/schemas';
import { ComputeEngine } from './engine';

const TEST_DIGITS = 8;

describe('checkpoint:export-onnx in the worker', () => {
  it('refuses with words before any session exists, and writes nothing', async () => {
    const engine = new ComputeEngine(() => undefined);
    const dir = mkdtempSync(join(tmpdir(), 'onnx-export-none-'));
    await expect(engine.handleInternal('checkpoint:export-onnx', { path: join(dir, 'm.onnx') })).rejects.toThrow(
      'checkpoint:export-onnx: no model is loaded; start training or open a checkpoint first',
    );
    expect(readdirSync(dir)).toEqual([]);
  });

  it("exports the running session's weights, which onnxruntime agrees with on test digits", async () => {
    const events: Progress[] = [];
    const engine = new ComputeEngine((channel, payload) => channel === 'train:progress' && events.push(payload as Progress));
    await engine.handle('train:start', { model: 'softmax', backend: 'cpu', dataDir: null, optimizer: 'sgd', learningRate: 0.5, batchSize: 100, epochs: 1, steps: 60 });
    for (const end = Date.now() + 60_000; events.at(-1)?.state !== 'finished'; await new Promise((r) => setTimeout(r, 20))) {
      if (Date.now() > end) throw new Error('training did not finish');
    }
    const path = join(mkdtempSync(join(tmpdir(), 'onnx-export-')), 'softmax.onnx');
    const result = await engine.handleInternal('checkpoint:export-onnx', { path });
    expect(result.model).toBe('softmax');
    expect(result.bytes).toBe(readFileSync(path).byteLength);
    // No temporary file is left beside the export.
    expect(readdirSync(join(path, '..'))).toEqual(['softmax.onnx']);

    const session = await ort.InferenceSession.create(readFileSync(path));
    const test = get_mnist({ flatten: true, onehot: true }).test.images;
    const pixels = Float32Array.from((test.data as Float32Array).subarray(0, TEST_DIGITS * 784));
    const out = await session.run({ x: new ort.Tensor('float32', pixels, [TEST_DIGITS, 784]) });
    const theirs = out.probabilities.data as Float32Array;
    let maxDiff = 0;
    for (let i = 0; i < TEST_DIGITS; i++) {
      const ours = await engine.handle('predict', { pixels: Array.from(pixels.subarray(i * 784, (i + 1) * 784)), saliency: false });
      expect(ours.probabilities).not.toBeNull();
      ours.probabilities?.forEach((p, c) => (maxDiff = Math.max(maxDiff, Math.abs(p - theirs[i * 10 + c]))));
    }
    expect(maxDiff).toBeLessThan(1e-4);
    // A trained model, not the initial zeros (which would agree trivially at 0.1 everywhere).
    expect(Math.max(...Array.from(theirs.subarray(0, 10)))).toBeGreaterThan(0.5);
    await session.release();
    expect(existsSync(path)).toBe(true);
  }, 90_000);
});
