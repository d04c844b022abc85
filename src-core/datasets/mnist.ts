import { InvalidArgumentError } from '../errors';
import { NDArray } from '../ndarray';
import { Rng } from '../util/rng';
import { DataSet, DEFAULT_SHUFFLE_SEED } from './dataset';
import type { DataSourceKind, Examples } from './examples';
import { loadDataDir } from './load-data-dir';
import { resolveDataDir } from './mnist-files';

export interface GetMnistOptions {
  /** Images as `[n, 784]` (true) or tinyflow's `[n, 1, 28, 28]` (false, the default). */
  flatten?: boolean;
  /** Labels as one-hot `[n, 10]` float32 (true) or float32 class indices `[n]` (false, the default). */
  onehot?: boolean;
  /**
   * A data folder, as `loadDataDir` reads it: standard IDX files (MNIST, Fashion-MNIST), image class folders
   * (`DIR/<label>/*.png|jpg`, or `DIR/train/…` and `DIR/test/…`), or CSV; default $TINYFLOW_DATA, else the bundled digits.
   */
  data_dir?: string;
  /**
   * Seed of the shuffles; the training set uses it as is, so `new DataSet(x, y, {seed})` walks it identically.
   * Also the seed of the held-out test tenth of folders without a split.
   */
  seed?: number;
  /** Shuffle every epoch (default true). */
  shuffle?: boolean;
  /** As TF-1's read_data_sets: move the first `validation_size` training examples into `validation` (default 0). */
  validation_size?: number;
  /**
   * `[height, width]` the caller's model takes (tinyflow's models: `MNIST_IMAGE_SHAPE`); IDX files of another
   * size are refused naming the file and both sizes; images and CSV rows are resized to it. Default: any
   * size for IDX, 28×28 for images and CSV.
   */
  image_shape?: readonly [number, number];
}

export interface MnistDataSets {
  train: DataSet;
  test: DataSet;
  /** Present when `validation_size` > 0. */
  validation?: DataSet;
  /** The class names, index = label (one-hot width); '0'…'9' for MNIST. */
  class_names: string[];
  /** What the data folder was recognised as, in words and as a kind. */
  source: { kind: DataSourceKind; description: string; notes: readonly string[] };
}

/** MNIST's and Fashion-MNIST's class count; a data folder's own is `class_names.length`. */
export const NUM_CLASSES = 10;
/** The MNIST / Fashion-MNIST image size every model in tinyflow's zoo takes. */
export const MNIST_IMAGE_SHAPE: readonly [number, number] = [28, 28];

/**
 * TF-1 / tinyflow's `get_mnist`: the training and test sets as DataSets. Parsed files are cached per
 * path for the process; every call still returns fresh DataSets with their own batch cursors. The
 * `images` arrays share the cached pixels (no 188 MB copy for Fashion-MNIST), so treat them as read-only;
 * batches from `next_batch` are always fresh copies.
 * @example
 * ```ts
 * const mnist = get_mnist({ flatten: true, onehot: true });
 * const [xs, ys] = mnist.train.next_batch(100);
 * ```
 */
export function get_mnist(options: GetMnistOptions = {}): MnistDataSets {
  const { flatten = false, onehot = false, shuffle = true, validation_size: validationSize = 0 } = options;
  const seed = options.seed ?? DEFAULT_SHUFFLE_SEED;
  if (!Number.isSafeInteger(seed)) throw new InvalidArgumentError(`get_mnist: seed must be a safe integer, got ${String(seed)}`);
  const { dir } = resolveDataDir(options.data_dir);
  const loaded = loadDataDir(dir, { ...(options.image_shape ? { imageShape: options.image_shape } : {}), seed });
  const { train, test } = loaded;
  const numClasses = loaded.classNames.length;
  // At least one example must stay in the training set: an empty one has no batch to give.
  if (!Number.isSafeInteger(validationSize) || validationSize < 0 || validationSize >= train.count) {
    throw new InvalidArgumentError(
      `get_mnist: validation_size must be an integer in [0, ${train.count - 1}] (fewer than the ${train.count} training examples), got ${String(validationSize)}`,
    );
  }

  // Distinct shuffle streams per set, all fixed by the one seed.
  const seeds = Rng.fromSeed(seed);
  const testSeed = seeds.nextUint32();
  const validationSeed = seeds.nextUint32();
  const makeSet = (split: Examples, from: number, to: number, setSeed: number): DataSet =>
    new DataSet(imagesArray(split, from, to, flatten), labelsArray(split.labels, from, to, onehot, numClasses), {
      seed: setSeed,
      shuffle,
    });

  const result: MnistDataSets = {
    train: makeSet(train, validationSize, train.count, seed),
    test: makeSet(test, 0, test.count, testSeed),
    class_names: [...loaded.classNames],
    source: { kind: loaded.kind, description: loaded.description, notes: loaded.notes },
  };
  if (validationSize > 0) result.validation = makeSet(train, 0, validationSize, validationSeed);
  return result;
}

function imagesArray(images: Examples, from: number, to: number, flatten: boolean): NDArray {
  const rowSize = images.height * images.width;
  const pixels = images.pixels.subarray(from * rowSize, to * rowSize);
  const shape = flatten ? [to - from, rowSize] : [to - from, 1, images.height, images.width];
  return new NDArray(pixels, shape);
}

function labelsArray(labels: Uint8Array | Uint16Array, from: number, to: number, onehot: boolean, numClasses: number): NDArray {
  const classes = labels.subarray(from, to);
  if (!onehot) return new NDArray(Float32Array.from(classes), [classes.length]);
  const encoded = new Float32Array(classes.length * numClasses);
  for (let i = 0; i < classes.length; i++) encoded[i * numClasses + classes[i]] = 1;
  return new NDArray(encoded, [classes.length, numClasses]);
}
