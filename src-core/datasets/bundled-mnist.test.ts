import { describe, expect, it } from 'vitest';
import { get_mnist, NUM_CLASSES } from './mnist';
import { DATA_DIR_ENV } from './mnist-files';
import type { DataSet } from './dataset';

function classCounts(set: DataSet): number[] {
  const counts = new Array<number>(NUM_CLASSES).fill(0);
  for (const label of set.labels.data) counts[label]++;
  return counts;
}

describe('the bundled offline digits (resources/mnist)', () => {
  delete process.env[DATA_DIR_ENV]; // test what ships, not a developer's own data directory

  it('parse into 8000 training and 2000 test examples of 28x28', () => {
    const started = performance.now();
    const { train, test, validation } = get_mnist({ flatten: false, onehot: false });
    console.log(`bundled MNIST (10,000 digits) loaded in ${(performance.now() - started).toFixed(0)} ms`);
    expect(train.images.shape).toEqual([8000, 1, 28, 28]);
    expect(test.images.shape).toEqual([2000, 1, 28, 28]);
    expect(validation).toBeUndefined();
  });

  it('have all ten classes, roughly balanced, in the documented split', () => {
    const { train, test } = get_mnist();
    expect(classCounts(train)).toEqual([801, 902, 793, 826, 784, 690, 811, 856, 755, 782]);
    expect(classCounts(test)).toEqual([200, 225, 198, 206, 196, 173, 203, 214, 189, 196]);
    for (const set of [train, test]) {
      for (const count of classCounts(set)) expect(count / set.num_examples).toBeGreaterThan(0.06);
    }
    expect(Array.from(train.labels.data.subarray(0, 10))).toEqual([1, 7, 3, 6, 0, 2, 4, 9, 8, 5]);
  });

  it('have pixels in [0, 1] that look like digits (mostly background, some ink)', () => {
    const { train, test } = get_mnist({ flatten: true });
    for (const set of [train, test]) {
      const pixels = set.images.data;
      let min = Infinity;
      let max = -Infinity;
      let ink = 0;
      for (const p of pixels) {
        if (p < min) min = p;
        if (p > max) max = p;
        if (p > 0.5) ink++;
      }
      expect(min).toBe(0);
      expect(max).toBe(1);
      expect(ink / pixels.length).toBeGreaterThan(0.05);
      expect(ink / pixels.length).toBeLessThan(0.3);
    }
  });

  it('one-hot labels agree with the class indices', () => {
    const indices = get_mnist({ onehot: false }).test.labels.data;
    const onehot = get_mnist({ onehot: true }).test.labels;
    expect(onehot.shape).toEqual([2000, NUM_CLASSES]);
    for (let i = 0; i < 2000; i++) {
      const row = Array.from(onehot.data.subarray(i * NUM_CLASSES, (i + 1) * NUM_CLASSES));
      expect(row.reduce((a, b) => a + b, 0)).toBe(1);
      expect(row.indexOf(1)).toBe(indices[i]);
    }
  });

  it('serve the seed program: 100-example batches, epochs over 8000', () => {
    const mnist = get_mnist({ flatten: true, onehot: true });
    for (let i = 0; i < 80; i++) {
      const [xs, ys] = mnist.train.next_batch(100);
      expect(xs.shape).toEqual([100, 784]);
      expect(ys.shape).toEqual([100, 10]);
    }
    expect(mnist.train.epochs_completed).toBe(1);
  });
});
