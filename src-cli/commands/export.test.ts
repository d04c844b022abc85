/**
 * `tinyflow export`: a studio checkpoint becomes an ONNX file that onnxruntime runs to the trained
 * model's probabilities; a bare checkpoint needs --model; bad paths and flags are named errors.
 */
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import * as ort from 'onnxruntime-node';
import { NDArray } from '../../src-core/ndarray';
import { cli, digits, trainedCheckpoints, type TrainedCheckpoints } from './export-test-support';

let ck: TrainedCheckpoints;
beforeAll(async () => {
  ck = await trainedCheckpoints();
}, 60_000);
afterAll(() => ck?.model.session.close());

async function ortProbabilities(file: string, images: Float32Array, n: number): Promise<Float32Array> {
  const session = await ort.InferenceSession.create(readFileSync(file));
  try {
    return (await session.run({ x: new ort.Tensor('float32', images, [n, 784]) })).probabilities.data as Float32Array;
  } finally {
    await session.release();
  }
}

describe('tinyflow export', () => {
  it('writes the checkpoint model as ONNX: onnxruntime gives the trained model\'s probabilities (within 1e-4)', async () => {
    const out = join(ck.dir, 'mlp.onnx');
    const { code, out: stdout } = await cli(['export', '--checkpoint', ck.studio, '--onnx', out, '--json']);
    expect(code).toBe(0);
    expect(JSON.parse(stdout)).toMatchObject({ onnx: out, opset: 17, input: 'x', outputs: ['logits', 'probabilities'] });
    const n = 300;
    const images = (digits.test.images.data as Float32Array).slice(0, n * 784);
    const ours = (await ck.model.session.run(ck.model.model.probabilities, [[ck.model.model.x, new NDArray(images, [n, 784])]])).data as Float32Array;
    const theirs = await ortProbabilities(out, images, n);
    expect(Math.max(...ours.map((p, i) => Math.abs(p - theirs[i])))).toBeLessThan(1e-4);
    expect(readdirSync(ck.dir).filter((f) => f.endsWith('.tmp'))).toEqual([]);
  });

  it('takes --model for a checkpoint without studio metadata, and refuses a --model the checkpoint contradicts', async () => {
    const out = join(ck.dir, 'bare.onnx');
    const missing = await cli(['export', '--checkpoint', ck.bare, '--onnx', out]);
    expect(missing.code).toBe(1);
    expect(missing.err).toMatch(/without tinyflow studio metadata.*give the model with --model NAME \(softmax, mlp, lenet, cnn\)/);
    expect(existsSync(out)).toBe(false);
    expect((await cli(['export', '--checkpoint', ck.bare, '--onnx', out, '--model', 'mlp'])).code).toBe(0);
    expect(existsSync(out)).toBe(true);
    const wrong = await cli(['export', '--checkpoint', ck.studio, '--onnx', out, '--model', 'lenet']);
    expect(wrong.code).toBe(1);
    expect(wrong.err).toContain("holds model 'mlp', not 'lenet'");
    const mismatch = await cli(['export', '--checkpoint', ck.bare, '--onnx', out, '--model', 'cnn']);
    expect(mismatch.code).toBe(1);
    expect(mismatch.err).toMatch(/has no tensor 'conv1\/W' \(shape \[5, 5, 1, 16\]\) that model 'cnn' needs/);
  });

  it('names a missing checkpoint, an unwritable output and a missing flag (usage error, exit 2)', async () => {
    const gone = await cli(['export', '--checkpoint', join(ck.dir, 'nope.safetensors'), '--onnx', join(ck.dir, 'x.onnx')]);
    expect(gone.code).toBe(1);
    expect(gone.err).toMatch(/checkpoint '.*nope\.safetensors' does not exist/);
    const unwritable = await cli(['export', '--checkpoint', ck.studio, '--onnx', join(ck.dir, 'no-such-dir', 'x.onnx')]);
    expect(unwritable.code).toBe(1);
    expect(unwritable.err).toMatch(/cannot write '.*no-such-dir\/x\.onnx'/);
    const noOut = await cli(['export', '--checkpoint', ck.studio]);
    expect(noOut.code).toBe(2);
    expect(noOut.err).toContain('--onnx OUT.onnx is required');
    const help = await cli(['export', '--help']);
    expect(help.code).toBe(0);
    expect(help.out).toMatch(/tinyflow export --checkpoint PATH --onnx OUT\.onnx/);
  });
});
