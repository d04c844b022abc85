/**
 * `tinyflow predict`: PNG images of test digits get the trained model's probabilities for those pixels;
 * a corrupt image and a missing image list are named errors.
 */
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { PNG } from 'pngjs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { NDArray } from '../../src-core/ndarray';
import { cli, digits, trainedCheckpoints, type TrainedCheckpoints } from './export-test-support';

let ck: TrainedCheckpoints;
beforeAll(async () => {
  ck = await trainedCheckpoints();
}, 60_000);
afterAll(() => ck?.model.session.close());

/** Test digit `i` as an 8-bit grayscale PNG, and the pixels the PNG holds (rounded to 8 bits). */
function digitPng(i: number): { file: string; pixels: Float32Array } {
  const src = (digits.test.images.data as Float32Array).subarray(i * 784, (i + 1) * 784);
  const png = new PNG({ width: 28, height: 28 });
  const pixels = new Float32Array(784);
  for (let p = 0; p < 784; p++) {
    const v = Math.round(src[p] * 255);
    pixels[p] = v / 255;
    png.data.set([v, v, v, 255], p * 4);
  }
  const file = join(ck.dir, `digit-${i}.png`);
  writeFileSync(file, PNG.sync.write(png));
  return { file, pixels };
}

interface PredictJson {
  model: string;
  predictions: { image: string; predicted: number; probabilities: number[] }[];
}

describe('tinyflow predict', () => {
  it("gives each PNG the trained model's probabilities for its pixels", async () => {
    const images = [0, 1, 2].map(digitPng);
    const { code, out } = await cli(['predict', '--checkpoint', ck.studio, '--backend', 'wasm', '--json', ...images.map((im) => im.file)]);
    expect(code).toBe(0);
    const result = JSON.parse(out) as PredictJson;
    expect(result.model).toBe('mlp');
    const flat = new Float32Array(3 * 784);
    images.forEach((im, k) => flat.set(im.pixels, k * 784));
    const expected = (await ck.model.session.run(ck.model.model.probabilities, [[ck.model.model.x, new NDArray(flat, [3, 784])]])).data as Float32Array;
    result.predictions.forEach((p, k) => {
      expect(p.image).toBe(images[k].file);
      expect(p.probabilities).toHaveLength(10);
      p.probabilities.forEach((q, c) => expect(Math.abs(q - expected[k * 10 + c])).toBeLessThan(1e-5));
      expect(p.predicted).toBe(p.probabilities.indexOf(Math.max(...p.probabilities)));
    });
    const text = await cli(['predict', '--checkpoint', ck.studio, '--backend', 'wasm', images[0].file]);
    expect(text.out).toContain(`${images[0].file}: ${result.predictions[0].predicted} (`);
  });

  it('names a corrupt image, and asks for an image when none is given', async () => {
    const broken = join(ck.dir, 'broken.png');
    writeFileSync(broken, Buffer.from([0x89, 0x50, 0x4e, 0x47, 1, 2, 3]));
    const bad = await cli(['predict', '--checkpoint', ck.studio, broken]);
    expect(bad.code).toBe(1);
    expect(bad.err).toContain(broken);
    const none = await cli(['predict', '--checkpoint', ck.studio]);
    expect(none.code).toBe(2);
    expect(none.err).toContain('give at least one image');
  });
});
