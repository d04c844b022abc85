import { mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { parsePayload, parseResponse } from '../../src-app-api/wire';
import { loadDataDir } from '../../src-core/datasets/load-data-dir';
import { squareOnBlack, writePng } from '../../src-core/datasets/image-fixtures';
import { makeTempDir } from '../../src-core/datasets/test-fixtures';
import { ComputeEngine } from './engine';

let temp: { dir: string; remove: () => void };
let engine: ComputeEngine;
beforeEach(() => {
  temp = makeTempDir('tinyflow-preview-');
  engine = new ComputeEngine(() => undefined);
});
afterEach(() => temp.remove());

describe('data:preview', () => {
  it('an image folder: kind, classes, counts, split sizes and 4 samples per class, valid against the schema', async () => {
    for (const label of ['cat', 'dog', 'emu']) {
      for (let i = 0; i < 20; i++) writePng(join(temp.dir, label, `${i}.png`), 28, 28, squareOnBlack(28, 28, label === 'dog' ? 2 : 0));
    }
    const preview = parseResponse('data:preview', await engine.handle('data:preview', parsePayload('data:preview', { dataDir: temp.dir })));
    expect(preview).toMatchObject({
      kind: 'image-folder',
      classNames: ['cat', 'dog', 'emu'],
      classCounts: { train: [18, 18, 18], test: [2, 2, 2] },
      trainSize: 54,
      testSize: 6,
    });
    expect(preview.samples.map((s) => s.label)).toEqual([0, 0, 0, 0, 1, 1, 1, 1, 2, 2, 2, 2]);
    expect(preview.samples[0].pixels[14 * 28 + 14]).toBe(1);
    expect(preview.samples[0].pixels[0]).toBe(0);
  });

  it('at most 40 samples; the bundled digits when dataDir is null', async () => {
    const preview = await engine.handle('data:preview', { dataDir: null });
    expect(preview.kind).toBe('idx');
    expect(preview.classNames).toEqual(['0', '1', '2', '3', '4', '5', '6', '7', '8', '9']);
    expect(preview.samples).toHaveLength(40);
    expect(preview.classCounts.train.reduce((a, b) => a + b, 0)).toBe(preview.trainSize);
  });

  it('is fast on a large folder: only the samples are decoded', async () => {
    writePng(join(temp.dir, 'seed.png'), 28, 28, squareOnBlack(28, 28));
    const bytes = readFileSync(join(temp.dir, 'seed.png'));
    rmSync(join(temp.dir, 'seed.png'));
    for (const label of ['a', 'b']) {
      mkdirSync(join(temp.dir, label));
      for (let i = 0; i < 2000; i++) writeFileSync(join(temp.dir, label, `${i}.png`), bytes);
    }
    let started = performance.now();
    const preview = await engine.handle('data:preview', { dataDir: temp.dir });
    const previewMs = performance.now() - started;
    started = performance.now();
    const full = loadDataDir(temp.dir);
    const loadMs = performance.now() - started;
    expect(preview.trainSize + preview.testSize).toBe(full.train.count + full.test.count);
    expect(preview.samples).toHaveLength(8);
    // Listing 4,000 files and decoding 8 against decoding all 4,000.
    expect(previewMs).toBeLessThan(loadMs / 3);
  });

  it('a bad folder is one clear error naming it', async () => {
    writePng(join(temp.dir, 'only', 'x.png'), 28, 28, squareOnBlack(28, 28));
    await expect(engine.handle('data:preview', { dataDir: temp.dir })).rejects.toThrow(`${temp.dir} has one class folder ('only'); a classifier needs at least two`);
  });
});
