import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { get_mnist, MNIST_IMAGE_SHAPE } from './mnist';
import { DATA_DIR_ENV, MNIST_FILE_STEMS } from './mnist-files';
import { encodeIdx } from './idx';
import { makeTempDir, tinyMnist, writeMnistDir } from './test-fixtures';
import { DataLossError, InvalidArgumentError, NotFoundError } from '../errors';

const savedEnv = process.env[DATA_DIR_ENV];
beforeEach(() => {
  delete process.env[DATA_DIR_ENV]; // a developer's own setting must not change what these tests read
});
afterEach(() => {
  if (savedEnv === undefined) delete process.env[DATA_DIR_ENV];
  else process.env[DATA_DIR_ENV] = savedEnv;
});

function errorOf(run: () => unknown): Error {
  try {
    run();
  } catch (error) {
    return error as Error;
  }
  throw new Error('expected a throw');
}

describe('get_mnist with a data_dir', () => {
  let temp: ReturnType<typeof makeTempDir>;
  beforeEach(() => {
    temp = makeTempDir();
  });
  afterEach(() => temp.remove());

  it('gives the four flatten/onehot layouts, with pixels / 255 and labels in order', () => {
    writeMnistDir(temp.dir, tinyMnist(12, 5));
    const cases = [
      { flatten: true, onehot: true, images: [12, 784], labels: [12, 10] },
      { flatten: true, onehot: false, images: [12, 784], labels: [12] },
      { flatten: false, onehot: true, images: [12, 1, 28, 28], labels: [12, 10] },
      { flatten: false, onehot: false, images: [12, 1, 28, 28], labels: [12] },
    ];
    for (const { flatten, onehot, images, labels } of cases) {
      const { train, test, validation } = get_mnist({ flatten, onehot, data_dir: temp.dir });
      expect(train.images.shape).toEqual(images);
      expect(train.labels.shape).toEqual(labels);
      expect(train.images.dtype).toBe('float32');
      expect(train.labels.dtype).toBe('float32');
      expect(test.num_examples).toBe(5);
      expect(validation).toBeUndefined();
      expect(train.images.get(...images.map((_, axis) => (axis === 0 ? 3 : 0)))).toBeCloseTo(3 / 255, 7);
      if (onehot) expect(Array.from(train.labels.data.subarray(30, 40))).toEqual([0, 0, 0, 1, 0, 0, 0, 0, 0, 0]);
      else expect(Array.from(train.labels.data.subarray(0, 12))).toEqual([0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 0, 1]);
    }
  });

  it('reads gzipped files, and other image sizes than 28x28', () => {
    writeMnistDir(temp.dir, tinyMnist(4, 2, 5), { gzip: true, side: 5 });
    const { train, test } = get_mnist({ flatten: false, data_dir: temp.dir });
    expect(train.images.shape).toEqual([4, 1, 5, 5]);
    expect(test.images.get(1, 0, 4, 4)).toBeCloseTo(5 / 255, 7);
    expect(get_mnist({ flatten: true, data_dir: temp.dir }).train.images.shape).toEqual([4, 25]);
  });

  it('uses $TINYFLOW_DATA when no data_dir is given', () => {
    writeMnistDir(temp.dir, tinyMnist(3, 2));
    process.env[DATA_DIR_ENV] = temp.dir;
    expect(get_mnist().train.num_examples).toBe(3);
  });

  it('splits validation_size examples off the front of the training set, as TF-1 does', () => {
    writeMnistDir(temp.dir, tinyMnist(10, 2));
    const { train, validation } = get_mnist({ flatten: true, data_dir: temp.dir, validation_size: 4 });
    expect(validation?.num_examples).toBe(4);
    expect(train.num_examples).toBe(6);
    expect(Array.from(validation?.labels.data ?? [])).toEqual([0, 1, 2, 3]);
    expect(train.labels.data[0]).toBe(4);
    expect(() => get_mnist({ data_dir: temp.dir, validation_size: 11 })).toThrow(InvalidArgumentError);
    // Moving every example into validation would leave an empty training set.
    expect(errorOf(() => get_mnist({ data_dir: temp.dir, validation_size: 10 })).message).toContain('validation_size must be an integer in [0, 9]');
  });

  it('an empty split is refused naming its file, rather than training to "test accuracy NaN"', () => {
    writeMnistDir(temp.dir, tinyMnist(5, 0));
    const error = errorOf(() => get_mnist({ data_dir: temp.dir }));
    expect(error).toBeInstanceOf(DataLossError);
    expect(error.message).toBe(`get_mnist: '${join(temp.dir, MNIST_FILE_STEMS.testImages)}' has 0 images; every split needs at least one example`);
    writeMnistDir(temp.dir, tinyMnist(0, 2));
    expect(errorOf(() => get_mnist({ data_dir: temp.dir })).message).toContain(`'${join(temp.dir, MNIST_FILE_STEMS.trainImages)}' has 0 images`);
  });

  it('image_shape: images of another size fail naming the file and both sizes', () => {
    writeMnistDir(temp.dir, tinyMnist(4, 2, 20), { side: 20 });
    const error = errorOf(() => get_mnist({ data_dir: temp.dir, image_shape: MNIST_IMAGE_SHAPE }));
    expect(error).toBeInstanceOf(DataLossError);
    expect(error.message).toBe(`get_mnist: '${join(temp.dir, MNIST_FILE_STEMS.trainImages)}' holds 20×20 images but the model takes 28×28`);
    // The same (cached) files still load for a caller that takes any size, or exactly this one.
    expect(get_mnist({ data_dir: temp.dir }).train.images.shape).toEqual([4, 1, 20, 20]);
    expect(get_mnist({ data_dir: temp.dir, image_shape: [20, 20] }).test.num_examples).toBe(2);
  });

  it('a missing file: NotFoundError naming the directory and the names looked for', () => {
    writeMnistDir(temp.dir, tinyMnist(3, 2));
    rmSync(join(temp.dir, MNIST_FILE_STEMS.testLabels));
    const error = errorOf(() => get_mnist({ data_dir: temp.dir }));
    expect(error).toBeInstanceOf(NotFoundError);
    expect(error.message).toContain(`data directory '${temp.dir}' is missing t10k-labels-idx1-ubyte[.gz]`);
    expect(error.message).toContain('looked for train-images-idx3-ubyte[.gz], train-labels-idx1-ubyte[.gz]');
    const nowhere = join(temp.dir, 'nowhere');
    expect(errorOf(() => get_mnist({ data_dir: nowhere })).message).toContain(`'${nowhere}' does not exist`);
  });

  it('image and label counts that differ: an error naming both files and both counts', () => {
    writeMnistDir(temp.dir, tinyMnist(6, 2));
    const labels = join(temp.dir, MNIST_FILE_STEMS.trainLabels);
    writeFileSync(labels, encodeIdx([5], new Uint8Array(5)));
    const error = errorOf(() => get_mnist({ data_dir: temp.dir }));
    expect(error).toBeInstanceOf(DataLossError);
    expect(error.message).toBe(
      `get_mnist: '${join(temp.dir, MNIST_FILE_STEMS.trainImages)}' holds 6 images but '${labels}' holds 5 labels`,
    );
  });

  it('rejects labels outside 0..9 and files of the wrong rank or type', () => {
    writeMnistDir(temp.dir, tinyMnist(3, 2));
    const labels = join(temp.dir, MNIST_FILE_STEMS.trainLabels);
    writeFileSync(labels, encodeIdx([3], Uint8Array.of(1, 12, 3)));
    expect(errorOf(() => get_mnist({ data_dir: temp.dir })).message).toBe(
      `get_mnist: '${labels}' has label 12 at index 1, outside 0..9`,
    );
    writeFileSync(labels, encodeIdx([3, 1], new Uint8Array(3)));
    expect(errorOf(() => get_mnist({ data_dir: temp.dir })).message).toContain('should hold ubyte labels [n] but holds ubyte [3,1]');
    const images = join(temp.dir, MNIST_FILE_STEMS.trainImages);
    writeFileSync(images, encodeIdx([3, 784], new Float32Array(3 * 784)));
    expect(errorOf(() => get_mnist({ data_dir: temp.dir })).message).toContain(
      'should hold ubyte images [n, height, width] but holds float [3,784]',
    );
  });

  it('prefers the uncompressed file when both names exist, and notices a file that changed', () => {
    writeMnistDir(temp.dir, tinyMnist(3, 2), { gzip: true });
    writeMnistDir(temp.dir, tinyMnist(7, 2));
    expect(get_mnist({ data_dir: temp.dir }).train.num_examples).toBe(7);
    writeMnistDir(temp.dir, tinyMnist(9, 2)); // same paths, new content: the cache must not serve the old one
    expect(get_mnist({ data_dir: temp.dir }).train.num_examples).toBe(9);
    for (const stem of Object.values(MNIST_FILE_STEMS)) rmSync(join(temp.dir, stem));
    expect(get_mnist({ data_dir: temp.dir }).train.num_examples).toBe(3);
  });

  it('a truncated file is reported through get_mnist with the IDX sizes', () => {
    writeMnistDir(temp.dir, tinyMnist(3, 2));
    const images = join(temp.dir, MNIST_FILE_STEMS.testImages);
    writeFileSync(images, encodeIdx([2, 28, 28], new Uint8Array(2 * 784)).subarray(0, 1000));
    expect(errorOf(() => get_mnist({ data_dir: temp.dir })).message).toBe(
      `IDX file '${images}': truncated data: expected 1568 bytes of data for dims [2,28,28] (ubyte) but found 984`,
    );
  });
});

describe('get_mnist calls are independent', () => {
  it('same seed ⇒ same batches, separate cursors, and the second load is served from the cache', () => {
    const first = get_mnist({ flatten: true, onehot: true, seed: 11 });
    const started = performance.now();
    const second = get_mnist({ flatten: true, onehot: true, seed: 11 });
    expect(performance.now() - started).toBeLessThan(50);
    expect(second.train === first.train).toBe(false); // .not.toBe would deep-compare 8000 examples to word its hint
    const batchesOf = (sets: typeof first) => Array.from({ length: 3 }, () => Array.from(sets.train.next_batch(50)[1].data));
    first.train.next_batch(10); // advancing one cursor must not move the other
    const a = batchesOf(second);
    const b = batchesOf(get_mnist({ flatten: true, onehot: true, seed: 11 }));
    expect(a).toEqual(b);
    expect(batchesOf(get_mnist({ flatten: true, onehot: true, seed: 12 }))).not.toEqual(a);
  });

  it('rejects a seed that is not a safe integer', () => {
    expect(() => get_mnist({ seed: 0.5 })).toThrow(InvalidArgumentError);
  });
});
