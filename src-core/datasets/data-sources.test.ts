import { existsSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { detectDataSources, FASHION_MNIST_CLASSES, FASHION_MNIST_DIR, loadDataDir } from './load-data-dir';
import { makeTempDir, tinyMnist, writeMnistDir } from './test-fixtures';

describe('detectDataSources', () => {
  it('offers Fashion-MNIST, with its class names, where its IDX files are; nothing where they are not', () => {
    const temp = makeTempDir('tinyflow-sources-');
    try {
      expect(detectDataSources(join(temp.dir, 'absent'))).toEqual([]);
      writeFileSync(join(temp.dir, 'README'), '');
      expect(detectDataSources(temp.dir)).toEqual([]);
      writeMnistDir(temp.dir, tinyMnist(3, 2), { gzip: true });
      expect(detectDataSources(temp.dir)).toEqual([
        { id: 'fashion-mnist', name: 'Fashion-MNIST', dir: temp.dir, kind: 'idx', classNames: FASHION_MNIST_CLASSES },
      ]);
    } finally {
      temp.remove();
    }
  });

  it.skipIf(!existsSync(FASHION_MNIST_DIR))("Debian's Fashion-MNIST loads with its class names", () => {
    expect(detectDataSources().map((s) => s.id)).toEqual(['fashion-mnist']);
    const data = loadDataDir(FASHION_MNIST_DIR);
    expect(data.description).toBe(`IDX files (Fashion-MNIST) in ${FASHION_MNIST_DIR}`);
    expect(data.classNames).toEqual(['T-shirt/top', 'Trouser', 'Pullover', 'Dress', 'Coat', 'Sandal', 'Shirt', 'Sneaker', 'Bag', 'Ankle boot']);
    expect([data.train.count, data.test.count]).toEqual([60_000, 10_000]);
  });
});
