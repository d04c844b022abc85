import { rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { DataLossError } from '../errors';
import { parseCsvExamples } from './csv';
import { resizeGray } from './image-pixels';
import { detectDataKind, loadDataDir } from './load-data-dir';
import { get_mnist } from './mnist';
import { makeTempDir } from './test-fixtures';

let temp: { dir: string; remove: () => void };
beforeEach(() => (temp = makeTempDir('tinyflow-csv-')));
afterEach(() => temp.remove());

/** `rows` examples of `side`×`side` pixels, every pixel of row r equal to `value(r)`, label r mod 3. */
function csvText(rows: number, side: number, value: (r: number) => number, header: string | null = null): string {
  const lines = header === null ? [] : [header];
  for (let r = 0; r < rows; r++) lines.push([String(r % 3), ...Array.from({ length: side * side }, () => String(value(r)))].join(','));
  return `${lines.join('\n')}\n`;
}

function errorOf(fn: () => unknown): Error {
  try {
    fn();
  } catch (error) {
    return error as Error;
  }
  throw new Error('expected an error');
}

describe('CSV data sets', () => {
  it('no header, first column the label, 0–255 pixels scaled to [0, 1]', () => {
    const parsed = parseCsvExamples(csvText(3, 28, (r) => r * 100), 'a.csv', [28, 28]);
    expect(parsed.labels).toEqual(['0', '1', '2']);
    expect(parsed.notes).toEqual(['no header row; the label is column 1', 'pixels 0–255 (values above 1 found)']);
    expect(parsed.pixels[784 * 2]).toBeCloseTo(200 / 255, 6);
  });

  it('a header naming the label column anywhere; 0–1 pixels kept as they are', () => {
    const header = ['p0', 'LABEL', ...Array.from({ length: 15 }, (_, i) => `p${i + 1}`)].join(',');
    const text = `${header}\n0.5,cat,${Array(15).fill('0.25').join(',')}\r\n1,dog,${Array(15).fill('1').join(',')}\n`;
    const parsed = parseCsvExamples(text, 'b.csv', [4, 4]);
    expect(parsed.labels).toEqual(['cat', 'dog']);
    expect(parsed.notes).toEqual(["header row; label column 'LABEL'", 'pixels 0–1 (no value above 1)']);
    expect(Array.from(parsed.pixels.subarray(0, 2))).toEqual([0.5, 0.25]);
  });

  it('square rows of another size are resized to the model size', () => {
    const parsed = parseCsvExamples(csvText(2, 14, () => 255), 'c.csv', [28, 28]);
    expect(parsed.pixels.length).toBe(2 * 784);
    expect(parsed.pixels.every((v) => v === 1)).toBe(true);
    expect(parsed.notes).toContain('rows of 14×14 pixels resized to 28×28');
  });

  it('errors name the file and line: a row of the wrong width, a bad value, a width that is no square', () => {
    const bad = csvText(3, 28, () => 0).split('\n');
    bad[2] = bad[2].split(',').slice(0, 700).join(',');
    expect(errorOf(() => parseCsvExamples(bad.join('\n'), 'd.csv', [28, 28])).message).toBe('d.csv:3: 700 columns, expected 785 (a label and 784 pixels, as in line 1)');
    const text = csvText(2, 2, () => 0).replace(/,0\n$/, ',300\n');
    const error = errorOf(() => parseCsvExamples(text, 'e.csv', [2, 2]));
    expect(error).toBeInstanceOf(DataLossError);
    expect(error.message).toBe("e.csv:2: column 5 is '300', not a pixel value in 0–255 or 0–1");
    expect(errorOf(() => parseCsvExamples('1,2,3\n', 'f.csv', [28, 28])).message).toBe(
      "f.csv:1: 2 pixel columns per row; expected 784 (28×28, the model's input) or a square number",
    );
    expect(errorOf(() => parseCsvExamples('\n', 'g.csv', [28, 28])).message).toBe('g.csv: the CSV file is empty');
  });

  it('a folder with one CSV: a stratified tenth held out; with train and test CSVs: their split', () => {
    writeFileSync(join(temp.dir, 'digits.csv'), csvText(30, 28, (r) => r));
    expect(detectDataKind(temp.dir).kind).toBe('csv');
    const one = loadDataDir(temp.dir, { seed: 1 });
    expect(one.classNames).toEqual(['0', '1', '2']);
    expect([one.train.count, one.test.count]).toEqual([27, 3]);
    expect(Array.from(one.test.labels).sort()).toEqual([0, 1, 2]);

    writeFileSync(join(temp.dir, 'more.csv'), '');
    expect(errorOf(() => loadDataDir(temp.dir)).message).toBe(
      `${temp.dir} has 2 CSV files (digits.csv, more.csv); expected one, or one named *train*.csv and one *test*.csv`,
    );
    rmSync(join(temp.dir, 'more.csv'));
    rmSync(join(temp.dir, 'digits.csv'));
    writeFileSync(join(temp.dir, 'mnist_train.csv'), csvText(6, 28, () => 255, ['label', ...Array.from({ length: 784 }, (_, i) => `px${i}`)].join(',')));
    writeFileSync(join(temp.dir, 'mnist_test.csv'), csvText(4, 28, () => 0));
    const pair = get_mnist({ data_dir: temp.dir, onehot: true });
    expect(pair.source.kind).toBe('csv');
    expect([pair.train.num_examples, pair.test.num_examples]).toEqual([6, 4]);
    expect(pair.train.labels.shape).toEqual([6, 3]);
    // A path to the CSV file itself works too.
    expect(loadDataDir(join(temp.dir, 'mnist_test.csv')).train.count + loadDataDir(join(temp.dir, 'mnist_test.csv')).test.count).toBe(4);
  });
});

describe('resizing', () => {
  it('downscales by area averaging and upscales bilinearly', () => {
    const image = { width: 4, height: 2, pixels: Float32Array.from([0, 1, 1, 1, 0, 0, 0, 1]) };
    expect(Array.from(resizeGray(image, 1, 2))).toEqual([0.25, 0.75]);
    const up = resizeGray({ width: 2, height: 1, pixels: Float32Array.from([0, 1]) }, 1, 4);
    expect(Array.from(up)).toEqual([0, 0.25, 0.75, 1]);
  });
});
