import { describe, expect, it } from 'vitest';
import { existsSync } from 'node:fs';
import { get_mnist, NUM_CLASSES } from './mnist';

/** Debian's `dataset-fashion-mnist` package installs the four standard files (gzipped) here. */
const FASHION_DIR = '/usr/share/datasets/fashion-mnist';
const absent = !existsSync(FASHION_DIR);
if (absent) {
  console.log(`skipping the Fashion-MNIST test: ${FASHION_DIR} is absent (apt-get install dataset-fashion-mnist to run it)`);
}

describe('Fashion-MNIST from Debian\'s dataset-fashion-mnist', () => {
  it.skipIf(absent)('loads 60,000 + 10,000 images quickly, in every layout', () => {
    const started = performance.now();
    const { train, test } = get_mnist({ flatten: true, onehot: true, data_dir: FASHION_DIR });
    const loadMs = performance.now() - started;
    console.log(`Fashion-MNIST (70,000 images) loaded in ${loadMs.toFixed(0)} ms`);
    expect(train.images.shape).toEqual([60000, 784]);
    expect(train.labels.shape).toEqual([60000, NUM_CLASSES]);
    expect(test.images.shape).toEqual([10000, 784]);

    const again = performance.now();
    const cached = get_mnist({ flatten: false, onehot: false, data_dir: FASHION_DIR });
    expect(performance.now() - again).toBeLessThan(200);
    expect(cached.train.images.shape).toEqual([60000, 1, 28, 28]);

    // Fashion-MNIST has exactly 6,000 training and 1,000 test images per class.
    const counts = new Array<number>(NUM_CLASSES).fill(0);
    for (const label of cached.train.labels.data) counts[label]++;
    expect(counts).toEqual(new Array<number>(NUM_CLASSES).fill(6000));

    const [xs, ys] = train.next_batch(128);
    expect(xs.shape).toEqual([128, 784]);
    expect(ys.shape).toEqual([128, 10]);
  });
});
