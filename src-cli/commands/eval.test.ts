/**
 * `tinyflow eval`: the checkpoint's accuracy is the trained model's own on the test split, the confusion
 * matrix adds up to it, --data-dir evaluates a folder's test split, and bad input is a named error.
 */
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { cli, digits, trainedCheckpoints, type TrainedCheckpoints } from './export-test-support';

let ck: TrainedCheckpoints;
beforeAll(async () => {
  ck = await trainedCheckpoints();
}, 60_000);
afterAll(() => ck?.model.session.close());

interface EvalJson {
  model: string;
  examples: number;
  correct: number;
  accuracy: number;
  classes: string[];
  confusion: number[][];
}

describe('tinyflow eval', () => {
  it("reports the trained model's test accuracy and a confusion matrix that adds up to it", async () => {
    const expected = await ck.model.testEvaluator(digits.test)();
    const { code, out } = await cli(['eval', '--checkpoint', ck.studio, '--backend', 'wasm', '--json']);
    expect(code).toBe(0);
    const result = JSON.parse(out) as EvalJson;
    expect(result.model).toBe('mlp');
    expect(result.examples).toBe(2000);
    expect(result.accuracy).toBeCloseTo(expected, 6);
    expect(result.accuracy).toBeGreaterThan(0.5);
    expect(result.confusion).toHaveLength(10);
    expect(result.confusion.flat().reduce((a, b) => a + b, 0)).toBe(2000);
    expect(result.confusion.reduce((sum, row, i) => sum + row[i], 0)).toBe(result.correct);
    // Each row holds exactly the test examples of that class.
    const labels = digits.test.labels.data as Float32Array;
    const perClass = new Array<number>(10).fill(0);
    for (let r = 0; r < 2000; r++) perClass[labels.subarray(r * 10, r * 10 + 10).indexOf(1)]++;
    expect(result.confusion.map((row) => row.reduce((a, b) => a + b, 0))).toEqual(perClass);

    const text = await cli(['eval', '--checkpoint', ck.studio, '--backend', 'wasm']);
    expect(text.code).toBe(0);
    expect(text.out).toContain(`accuracy ${result.accuracy.toFixed(4)} (${result.correct}/2000 test examples)`);
    expect(text.out).toMatch(/true\\pred\s+0\s+1\s+2/);
  });

  it('evaluates the test split of --data-dir (a folder of IDX files gives the same split as the bundled digits)', async () => {
    const bundled = fileURLToPath(new URL('../../resources/mnist', import.meta.url));
    const a = JSON.parse((await cli(['eval', '--checkpoint', ck.studio, '--backend', 'wasm', '--json'])).out) as EvalJson;
    const b = await cli(['eval', '--checkpoint', ck.studio, '--backend', 'wasm', '--data-dir', bundled, '--json']);
    expect(b.code).toBe(0);
    expect((JSON.parse(b.out) as EvalJson).confusion).toEqual(a.confusion);
  });

  it('names what is wrong: no checkpoint flag, a checkpoint that is not one, an unknown backend', async () => {
    const none = await cli(['eval']);
    expect(none.code).toBe(2);
    expect(none.err).toContain('--checkpoint PATH is required');
    const junk = join(mkdtempSync(join(tmpdir(), 'tinyflow-eval-')), 'junk.safetensors');
    writeFileSync(junk, 'not a checkpoint at all');
    const bad = await cli(['eval', '--checkpoint', junk]);
    expect(bad.code).toBe(1);
    expect(bad.err).toContain(`DataLossError: checkpoint '${junk}' is corrupt or truncated`);
    expect(bad.err).not.toContain('--model');
    expect(bad.err).not.toMatch(/TypeError|RangeError/);
    const backend = await cli(['eval', '--checkpoint', ck.studio, '--backend', 'nosuch']);
    expect(backend.code).toBe(2);
    expect(backend.err).toMatch(/unknown backend 'nosuch'/);
  });
});
