import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { Progress } from '../../src-app-api/schemas';
import { squareOnBlack, writePng } from '../../src-core/datasets/image-fixtures';
import { makeTempDir } from '../../src-core/datasets/test-fixtures';
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

  it('refuses another class count with one clear error, and keeps nothing half-started', async () => {
    writeFolder(3);
    const engine = new ComputeEngine(() => undefined);
    await expect(engine.handle('train:start', { ...config, dataDir: temp.dir })).rejects.toThrow(
      `${temp.dir} has 3 classes (c0, c1, c2); the studio trains on data with 10 classes for now; train it with: tinyflow train --data-dir '${temp.dir}'`,
    );
    expect((await engine.handle('app:info', {})).progress.state).toBe('idle');
  });
});
