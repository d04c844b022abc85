import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { Progress } from '../../src-app-api/schemas';
import { squareOnBlack, writePng } from '../../src-core/datasets/image-fixtures';
import { makeTempDir } from '../../src-core/datasets/test-fixtures';
import { parseResponse } from '../../src-app-api/wire';
import { ComputeEngine } from './engine';

let temp: { dir: string; remove: () => void };
beforeEach(() => (temp = makeTempDir('tinyflow-worker-data-')));
afterEach(() => temp.remove());

/** `classes` class folders, each of 10 white squares shifted by the class index (so classes differ). */
function writeFolder(classes: number): void {
  for (let c = 0; c < classes; c++) {
    for (let i = 0; i < 10; i++) writePng(join(temp.dir, `c${c}`, `${i}.png`), 28, 28, squareOnBlack(28, 28, c - 5));
  }
}

const config = { model: 'softmax', backend: 'cpu', optimizer: 'sgd', learningRate: 0.5, batchSize: 10, epochs: 1, steps: 20 } as const;

describe("the worker's dataDir", () => {
  it('trains on an image folder of 10 classes', async () => {
    writeFolder(10);
    const events: Progress[] = [];
    const engine = new ComputeEngine((channel, payload) => channel === 'train:progress' && events.push(payload as Progress));
    await engine.handle('train:start', { ...config, dataDir: temp.dir });
    for (const end = Date.now() + 30_000; events.at(-1)?.state !== 'finished'; await new Promise((r) => setTimeout(r, 20))) {
      if (Date.now() > end) throw new Error(`training did not finish: ${JSON.stringify(events.at(-1)?.state)}`);
    }
    expect(events.at(-1)?.step).toBe(20);
  }, 40_000);

  it('trains a 3-class folder: three outputs named by the class folders in progress, predict and the confusion matrix', async () => {
    writeFolder(3);
    const events: Progress[] = [];
    const engine = new ComputeEngine((channel, payload) => channel === 'train:progress' && events.push(payload as Progress));
    await engine.handle('train:start', { ...config, dataDir: temp.dir });
    for (const end = Date.now() + 30_000; events.at(-1)?.state !== 'finished'; await new Promise((r) => setTimeout(r, 20))) {
      if (Date.now() > end) throw new Error(`training did not finish: ${JSON.stringify(events.at(-1)?.state)}`);
    }
    expect(events.at(-1)?.classNames).toEqual(['c0', 'c1', 'c2']);
    const pixel = squareOnBlack(28, 28, 0);
    const square = Array.from({ length: 784 }, (_, i) => pixel(i % 28, Math.floor(i / 28))[0] / 255);
    const answer = parseResponse('predict', await engine.handle('predict', { pixels: square, saliency: true }));
    expect(answer.classNames).toEqual(['c0', 'c1', 'c2']);
    expect(answer.probabilities).toHaveLength(3);
    expect(answer.saliency).toHaveLength(784);
    const snapshot = parseResponse('inspect:snapshot', await engine.handle('inspect:snapshot', { misclassifiedLimit: 5 }));
    expect(snapshot.classNames).toEqual(['c0', 'c1', 'c2']);
    expect(snapshot.confusion.map((row) => row.length)).toEqual([3, 3, 3]);
    expect(snapshot.confusion.flat().reduce((a, b) => a + b, 0)).toBe(3); // a tenth of 30 held out
    // Your own drawings take this data's labels: 0–2 here.
    await expect(engine.handle('userset:add', { pixels: square, label: 5 })).rejects.toThrow("userset:add: label 5 is not a class of this session's data (3 classes: c0, c1, c2)");
    expect((await engine.handle('userset:add', { pixels: square, label: 2 })).size).toBe(1);

    // A checkpoint of it reopens as a 3-class model in a new worker.
    const checkpoint = join(temp.dir, 'three.safetensors');
    await engine.handleInternal('checkpoint:write', { path: checkpoint });
    const reopened = new ComputeEngine(() => undefined);
    await reopened.handleInternal('checkpoint:load', { path: checkpoint, source: 'checkpoint', label: 'three', resume: false });
    const again = parseResponse('predict', await reopened.handle('predict', { pixels: square, saliency: false }));
    expect(again.classNames).toEqual(['c0', 'c1', 'c2']);
    expect(again.probabilities).toEqual(answer.probabilities);
  }, 40_000);
});
