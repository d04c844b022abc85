/**
 * `tinyflow train --data-dir` on the user's own data: an image folder made from the bundled digits
 * (written as PNGs, dark on light so the inversion is exercised), and a CSV file.
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { decodeSafetensors } from '../../src-core/checkpoint/safetensors';
import { writePng } from '../../src-core/datasets/image-fixtures';
import { get_mnist } from '../../src-core/datasets/mnist';
import { makeTempDir } from '../../src-core/datasets/test-fixtures';
import { trainCommand } from './train';

let temp: { dir: string; remove: () => void };
const PER_CLASS = 100;
/** Only 4 classes, so the run also proves the class count comes from the data. */
const CLASSES = [0, 1, 2, 3];

beforeAll(() => {
  temp = makeTempDir('tinyflow-train-data-');
  const { train } = get_mnist({ flatten: true, onehot: false, shuffle: false });
  const pixels = train.images.data as Float32Array;
  const labels = train.labels.data as Float32Array;
  const written = new Map<number, number>(CLASSES.map((c) => [c, 0]));
  const csv: string[] = ['label,' + Array.from({ length: 784 }, (_, i) => `p${i}`).join(',')];
  for (let i = 0; i < labels.length; i++) {
    const label = labels[i];
    const count = written.get(label);
    if (count === undefined || count >= PER_CLASS) continue;
    written.set(label, count + 1);
    const row = pixels.subarray(i * 784, (i + 1) * 784);
    // Ink dark on white, as a scan would be: the loader must invert it back.
    const ink = (x: number, y: number): [number, number, number, number] => {
      const v = Math.round(255 * (1 - row[y * 28 + x]));
      return [v, v, v, 255];
    };
    writePng(join(temp.dir, 'digits', `d${label}`, `${count}.png`), 28, 28, ink, 2);
    csv.push(`${label},${Array.from(row, (v) => Math.round(v * 255)).join(',')}`);
  }
  writeFileSync(join(temp.dir, 'digits.csv'), `${csv.join('\n')}\n`);
});
afterAll(() => temp.remove());

async function train(argv: string[]): Promise<{ code: number; out: string }> {
  const lines: string[] = [];
  vi.spyOn(console, 'log').mockImplementation((...args: unknown[]) => void lines.push(args.join(' ')));
  try {
    return { code: await trainCommand(argv), out: lines.join('\n') };
  } finally {
    vi.restoreAllMocks();
  }
}

interface TrainJson {
  testAccuracy: number;
  data: { kind: string; classNames: string[]; train: number; test: number };
}

describe('tinyflow train --data-dir', () => {
  it('an image folder of 4 digit classes: says what it found, trains a 4-way model well above chance, records the classes', async () => {
    const save = join(temp.dir, 'folder.safetensors');
    const text = await train(['--model', 'mlp', '--steps', '0', '--data-dir', join(temp.dir, 'digits')]);
    expect(text.code).toBe(0);
    expect(text.out).toContain(`data: image folder ${join(temp.dir, 'digits')} with 4 classes; a stratified tenth of each class held out for testing (seed 0); classes d0, d1, d2, d3`);
    expect(text.out).toContain(`${PER_CLASS * 4} images with a light background inverted to white on black`);

    const { code, out } = await train(['--model', 'mlp', '--steps', '200', '--batch', '50', '--backend', 'cpu', '--data-dir', join(temp.dir, 'digits'), '--save', save, '--json']);
    expect(code).toBe(0);
    const result = JSON.parse(out) as TrainJson;
    expect(result.data).toEqual({ kind: 'image-folder', description: expect.any(String), classNames: ['d0', 'd1', 'd2', 'd3'], train: 360, test: 40 });
    // Chance is 0.25 with 4 classes.
    console.log(`image folder, mlp, 200 steps: test accuracy ${result.testAccuracy}`);
    expect(result.testAccuracy).toBeGreaterThan(0.75);
    const file = decodeSafetensors(readFileSync(save), save);
    expect(file.metadata).toMatchObject({ num_classes: '4', class_names: JSON.stringify(['d0', 'd1', 'd2', 'd3']), model: 'mlp' });
    expect(file.tensors.get('fc2/weight')?.shape).toEqual([100, 4]);
  });

  it('a CSV file: label column named in the header, 0–255 pixels', async () => {
    const { code, out } = await train(['--model', 'softmax', '--steps', '100', '--backend', 'cpu', '--data-dir', join(temp.dir, 'digits.csv'), '--json']);
    expect(code).toBe(0);
    const result = JSON.parse(out) as TrainJson;
    expect(result.data).toMatchObject({ kind: 'csv', classNames: ['0', '1', '2', '3'], train: 360, test: 40 });
    console.log(`CSV, softmax, 100 steps: test accuracy ${result.testAccuracy}`);
    expect(result.testAccuracy).toBeGreaterThan(0.75);
  });
});
