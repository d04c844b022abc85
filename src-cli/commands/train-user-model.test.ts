/**
 * `tinyflow train --model PATH` (issue 15.1): a model file and a layer editor model train from the CLI;
 * --save stores the model's source in the checkpoint ('model_source'), so eval, predict and export
 * rebuild it with no other input: eval gives the accuracy train reported, predict the model's
 * probabilities, and the ONNX file the same probabilities in onnxruntime. A model of another image
 * size reads image folders resized to it and refuses IDX files of another size, naming both sizes.
 */
import { copyFileSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import * as ort from 'onnxruntime-node';
import { beforeAll, describe, expect, it } from 'vitest';
import { readSafetensorsMetadata } from '../../src-core/checkpoint/checkpoint-file';
import { writePng } from '../../src-core/datasets/image-fixtures';
import { modelSourceFromMetadata } from '../../src-core/models/user-model';
import { cli, digits } from './export-test-support';
import { loadCheckpointModel } from './export-checkpoint';
import { predictProbabilities } from './eval-session';

const examples = fileURLToPath(new URL('../../examples/models/', import.meta.url));
const dir = mkdtempSync(join(tmpdir(), 'tinyflow-user-model-'));

interface TrainJson {
  model: string;
  modelKind: string;
  steps: number;
  testAccuracy: number;
  savedPath: string;
}

async function trainJson(args: string[]): Promise<TrainJson> {
  const { code, out, err } = await cli(['train', '--steps', '30', '--batch', '50', '--backend', 'wasm', '--json', ...args]);
  expect(err).toBe('');
  expect(code).toBe(0);
  return JSON.parse(out) as TrainJson;
}

describe('tinyflow train --model PATH', () => {
  const cases = [
    ['a TypeScript model file', 'my-cnn.ts', 'file'],
    ['a layer editor model', 'small-cnn.tfmodel.json', 'layers'],
  ] as const;
  const saved = new Map<string, TrainJson>();
  beforeAll(async () => {
    for (const [, file] of cases) {
      const source = join(dir, file);
      copyFileSync(join(examples, file), source);
      saved.set(file, await trainJson(['--model', source, '--save', join(dir, `${file}.safetensors`)]));
    }
  }, 240_000);

  for (const [what, file, kind] of cases) {
    it(`${what} trains 30 steps, and its checkpoint carries the model's source`, async () => {
      const result = saved.get(file) as TrainJson;
      expect(result.modelKind).toBe(kind);
      expect(result.steps).toBe(30);
      // 30 steps of 50 digits: well above chance (0.1), far from trained.
      expect(result.testAccuracy).toBeGreaterThan(0.3);
      const metadata = await readSafetensorsMetadata(result.savedPath);
      const source = modelSourceFromMetadata(metadata.model_source, result.savedPath);
      expect(source.kind).toBe(kind);
      if (source.kind === 'file') expect(source.source).toBe(readFileSync(join(examples, file), 'utf8'));
      expect(metadata.num_classes).toBe('10');
    });

    it(`${what}: eval, predict and export rebuild it from the checkpoint alone`, async () => {
      const { savedPath, testAccuracy, model } = saved.get(file) as TrainJson;
      const evaluated = await cli(['eval', '--checkpoint', savedPath, '--backend', 'wasm', '--json']);
      expect(evaluated.code).toBe(0);
      const evalJson = JSON.parse(evaluated.out) as { model: string; accuracy: number };
      expect(evalJson.model).toBe(model);
      // Both evaluate with training fed false (dropout off, batch norm's moving statistics).
      expect(evalJson.accuracy).toBeCloseTo(testAccuracy, 6);

      const n = 200;
      const images = (digits.test.images.data as Float32Array).slice(0, n * 784);
      const loaded = await loadCheckpointModel(savedPath);
      const ours = await predictProbabilities(loaded, 'wasm', images, n);
      const onnx = join(dir, `${file}.onnx`);
      expect((await cli(['export', '--checkpoint', savedPath, '--onnx', onnx])).code).toBe(0);
      const session = await ort.InferenceSession.create(readFileSync(onnx));
      const theirs = (await session.run({ x: new ort.Tensor('float32', images, [n, 784]) })).probabilities.data as Float32Array;
      await session.release();
      const diff = Math.max(...ours.map((p, i) => Math.abs(p - theirs[i])));
      console.log(`onnx agreement ${file} (train --save → export): max |ours - onnxruntime| = ${diff.toExponential(2)} on ${n} test digits`);
      expect(diff).toBeLessThan(1e-4);

      // A PNG holds 8-bit pixels: the expected probabilities are the model's for those.
      const png = join(dir, `${file}-digit.png`);
      const pixels = Float32Array.from(images.subarray(0, 784), (v) => Math.round(v * 255) / 255);
      writePng(png, 28, 28, (x, y) => {
        const v = Math.round(pixels[y * 28 + x] * 255);
        return [v, v, v, 255];
      }, 0);
      const expected = await predictProbabilities(loaded, 'wasm', pixels, 1);
      const predicted = await cli(['predict', '--checkpoint', savedPath, '--backend', 'wasm', '--json', png]);
      expect(predicted.code).toBe(0);
      const probabilities = (JSON.parse(predicted.out) as { predictions: { probabilities: number[] }[] }).predictions[0].probabilities;
      expect(probabilities).toHaveLength(10);
      probabilities.forEach((q, c) => expect(Math.abs(q - expected[c])).toBeLessThan(1e-5));
    }, 120_000);
  }

  it('refuses --model NAME for a checkpoint of a model file', async () => {
    const { savedPath } = saved.get('my-cnn.ts') as TrainJson;
    const wrong = await cli(['eval', '--checkpoint', savedPath, '--model', 'mlp']);
    expect(wrong.code).toBe(1);
    expect(wrong.err).toContain("holds model 'my-cnn.ts', not 'mlp' (leave --model out");
  });

  it('a 16×16 model trains on an image folder resized to 16×16, and names both sizes for 28×28 IDX files', async () => {
    const model = join(dir, 'tiny.tfmodel.json');
    writeFileSync(model, JSON.stringify({
      format: 'tinyflow-layers', version: 1, name: 'tiny', input: [16, 16, 1],
      layers: [{ type: 'conv2d', filters: 4, kernel: 3, stride: 2, padding: 'same', activation: 'relu' }, { type: 'flatten' }, { type: 'dense', units: 10, activation: 'none' }],
    }));
    const folder = join(dir, 'shapes');
    for (let i = 0; i < 12; i++) {
      // Two classes told apart by where the square is: left or right; 40×40 images, resized to 16×16.
      writePng(join(folder, 'left', `${i}.png`), 40, 40, (x, y) => (x >= 4 + (i % 3) && x < 16 && y >= 10 && y < 30 ? [255, 255, 255, 255] : [0, 0, 0, 255]), 0);
      writePng(join(folder, 'right', `${i}.png`), 40, 40, (x, y) => (x >= 24 - (i % 3) && x < 36 && y >= 10 && y < 30 ? [255, 255, 255, 255] : [0, 0, 0, 255]), 0);
    }
    const result = await trainJson(['--model', model, '--data-dir', folder, '--lr', '0.01', '--batch', '8']);
    expect(result.testAccuracy).toBeGreaterThan(0.5);
    const bundled = fileURLToPath(new URL('../../resources/mnist', import.meta.url));
    const idx = await cli(['train', '--model', model, '--steps', '1', '--backend', 'wasm', '--data-dir', bundled]);
    expect(idx.code).toBe(1);
    expect(idx.err).toMatch(/holds 28×28 images but the model takes 16×16/);
  }, 120_000);

  it('names a bad model file, an unknown name, and a layer model with a shape error', async () => {
    const unknown = await cli(['train', '--model', 'resnet']);
    expect(unknown.code).toBe(2);
    expect(unknown.err).toContain("unknown model 'resnet'; give one of softmax, mlp, lenet, cnn, a model file (.ts, .mts, .js, .mjs) or a layer model (.tfmodel.json)");
    const missing = await cli(['train', '--model', join(dir, 'nope.ts')]);
    expect(missing.code).toBe(1);
    expect(missing.err).toContain(`cannot read model file ${join(dir, 'nope.ts')}: no such file`);
    const broken = join(dir, 'broken.js');
    writeFileSync(broken, 'export default (tf, x) => tf.matmul(x, tf.Variable(tf.zeros([10, 10])));');
    const graph = await cli(['train', '--model', broken, '--steps', '1', '--backend', 'wasm']);
    expect(graph.code).toBe(1);
    expect(graph.err).toMatch(/model file broken\.js \(line 1\): MatMul '.*': inner dims differ, a \[\?,784\] vs b \[10,10\]/);
    const shapes = join(dir, 'shapes.tfmodel.json');
    writeFileSync(shapes, JSON.stringify({ format: 'tinyflow-layers', version: 1, name: 'bad', input: [784], layers: [{ type: 'max_pool', size: 2, stride: 2, padding: 'same' }, { type: 'dense', units: 10, activation: 'none' }] }));
    const shape = await cli(['train', '--model', shapes, '--steps', '1', '--backend', 'wasm']);
    expect(shape.code).toBe(1);
    expect(shape.err).toContain("model 'bad': layer 1 (max_pool 2): max_pool needs an image [H, W, C], the input is flat [784]");
    expect(`${unknown.err}${missing.err}${graph.err}${shape.err}`).not.toMatch(/TypeError|at .*\.ts:\d+/);
  });
});
