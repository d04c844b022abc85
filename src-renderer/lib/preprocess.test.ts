import { describe, expect, it } from 'vitest';
import { get_mnist } from '../../src-core/datasets';
import { inProcessClient } from '../../src-main/worker/in-process-client';
import { centreOfMass, preprocessDigit, resample, type Raster } from './preprocess';

/** Draws a 28×28 digit into a bigger raster at `scale` (box upsampling) and offset, as a pen would at another size. */
function redraw(digit: Float32Array, width: number, height: number, scale: number, left: number, top: number): Raster {
  const data = new Float32Array(width * height);
  for (let y = 0; y < 28 * scale; y++) for (let x = 0; x < 28 * scale; x++) data[(top + y) * width + left + x] = digit[Math.floor(y / scale) * 28 + Math.floor(x / scale)];
  return { width, height, data };
}

const meanAbsDiff = (a: Float32Array, b: Float32Array): number => a.reduce((s, v, i) => s + Math.abs(v - b[i]), 0) / a.length;

describe('MNIST preprocessing', () => {
  const mnist = get_mnist({ flatten: true, onehot: false });
  const digit = (i: number): Float32Array => (mnist.test.images.data as Float32Array).slice(i * 784, (i + 1) * 784);

  it('area resampling preserves the mean', () => {
    const src = Float32Array.from({ length: 97 }, (_, i) => (i * 37) % 11);
    const out = resample(src, 20);
    const mean = (a: ArrayLike<number>) => Array.from(a).reduce((s, v) => s + v, 0) / a.length;
    expect(mean(out)).toBeCloseTo(mean(src), 5);
  });

  it('centres the centre of mass and fits the ink into 20×20', () => {
    const out = preprocessDigit(redraw(digit(3), 400, 300, 7, 150, 40));
    const [cx, cy] = centreOfMass(out, 28, 28);
    expect(Math.abs(cx - 14)).toBeLessThan(1);
    expect(Math.abs(cy - 14)).toBeLessThan(1);
    expect(preprocessDigit({ width: 10, height: 10, data: new Float32Array(100) }).every((v) => v === 0)).toBe(true);
  });

  it('a real test digit drawn at another size and offset comes back close and classifies the same', async () => {
    const client = inProcessClient();
    const done = new Promise<void>((resolve) => client.on('train:progress', (p) => p.state === 'finished' && resolve()));
    await client.call('train:start', { model: 'softmax', backend: 'cpu', dataDir: null, optimizer: 'sgd', learningRate: 0.5, batchSize: 100, epochs: 1, steps: 400 });
    await done;
    const predict = async (pixels: Float32Array) => {
      const { probabilities } = await client.call('predict', { pixels: Array.from(pixels), saliency: false });
      // Every case is a real digit with ink: an empty-canvas answer (null) would be a failure here.
      if (probabilities === null) throw new Error('predict answered "nothing drawn" for a real digit');
      return probabilities.indexOf(Math.max(...probabilities));
    };
    let same = 0;
    const cases = [0, 1, 2, 3, 4, 5, 6, 7];
    for (const i of cases) {
      const original = digit(i);
      const back = preprocessDigit(redraw(original, 360, 320, 5 + (i % 4), 20 + i * 9, 10 + i * 7));
      expect(meanAbsDiff(back, original)).toBeLessThan(0.12);
      if ((await predict(back)) === (await predict(original))) same++;
    }
    expect(same).toBeGreaterThanOrEqual(cases.length - 1);
  });
});
