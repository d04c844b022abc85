import { DataLossError, InvalidArgumentError } from '../errors';
import { NDArray } from '../ndarray';
import { Rng } from '../util/rng';
import { DataSet, DEFAULT_SHUFFLE_SEED } from './dataset';
import type { IdxArray } from './idx';
import { cachedFileLoad, findMnistFiles, resolveDataDir } from './mnist-files';
import { readIdxFile } from './read-idx-file';

export interface GetMnistOptions {
  /** Images as `[n, 784]` (true) or tinyflow's `[n, 1, 28, 28]` (false, the default). */
  flatten?: boolean;
  /** Labels as one-hot `[n, 10]` float32 (true) or float32 class indices `[n]` (false, the default). */
  onehot?: boolean;
  /** A directory of standard IDX files (MNIST or Fashion-MNIST); default $TINYFLOW_DATA, else the bundled digits. */
  data_dir?: string;
  /** Seed of the shuffles; the training set uses it as is, so `new DataSet(x, y, {seed})` walks it identically. */
  seed?: number;
  /** Shuffle every epoch (default true). */
  shuffle?: boolean;
  /** As TF-1's read_data_sets: move the first `validation_size` training examples into `validation` (default 0). */
  validation_size?: number;
  /**
   * `[height, width]` the caller's model takes (tinyflow's models: `MNIST_IMAGE_SHAPE`); image files of another
   * size are refused naming the file and both sizes. Default: any size.
   */
  image_shape?: readonly [number, number];
}

export interface MnistDataSets {
  train: DataSet;
  test: DataSet;
  /** Present when `validation_size` > 0. */
  validation?: DataSet;
}

export const NUM_CLASSES = 10;
/** The MNIST / Fashion-MNIST image size every model in tinyflow's zoo takes. */
export const MNIST_IMAGE_SHAPE: readonly [number, number] = [28, 28];

interface Images {
  readonly count: number;
  readonly height: number;
  readonly width: number;
  /** Float32 in [0, 1], row-major `[count, height, width]`; shared by every DataSet: treat as read-only. */
  readonly pixels: Float32Array;
}

/** Exact `v / 255` for every byte, so the conversion is one table lookup per pixel. */
const BYTE_TO_UNIT = Float32Array.from({ length: 256 }, (_, v) => v / 255);

/**
 * TF-1 / tinyflow's `get_mnist`: the training and test sets as DataSets. Parsed files are cached per
 * path for the process; every call still returns fresh DataSets with their own batch cursors. The
 * `images` arrays share the cached pixels (no 188 MB copy for Fashion-MNIST), so treat them as read-only;
 * batches from `next_batch` are always fresh copies.
 */
export function get_mnist(options: GetMnistOptions = {}): MnistDataSets {
  const { flatten = false, onehot = false, shuffle = true, validation_size: validationSize = 0 } = options;
  const seed = options.seed ?? DEFAULT_SHUFFLE_SEED;
  if (!Number.isSafeInteger(seed)) throw new InvalidArgumentError(`get_mnist: seed must be a safe integer, got ${String(seed)}`);
  const { dir } = resolveDataDir(options.data_dir);
  const files = findMnistFiles(dir);

  const train = loadSplit(files.trainImages, files.trainLabels, options.image_shape);
  const test = loadSplit(files.testImages, files.testLabels, options.image_shape);
  // At least one example must stay in the training set: an empty one has no batch to give.
  if (!Number.isSafeInteger(validationSize) || validationSize < 0 || validationSize >= train.images.count) {
    throw new InvalidArgumentError(
      `get_mnist: validation_size must be an integer in [0, ${train.images.count - 1}] (fewer than the ${train.images.count} training examples), got ${String(validationSize)}`,
    );
  }

  // Distinct shuffle streams per set, all fixed by the one seed.
  const seeds = Rng.fromSeed(seed);
  const testSeed = seeds.nextUint32();
  const validationSeed = seeds.nextUint32();
  const makeSet = (split: Split, from: number, to: number, setSeed: number): DataSet =>
    new DataSet(imagesArray(split.images, from, to, flatten), labelsArray(split.labels, from, to, onehot), {
      seed: setSeed,
      shuffle,
    });

  const result: MnistDataSets = {
    train: makeSet(train, validationSize, train.images.count, seed),
    test: makeSet(test, 0, test.images.count, testSeed),
  };
  if (validationSize > 0) result.validation = makeSet(train, 0, validationSize, validationSeed);
  return result;
}

interface Split {
  readonly images: Images;
  readonly labels: Uint8Array;
}

function loadSplit(imagesPath: string, labelsPath: string, imageShape: readonly [number, number] | undefined): Split {
  const images = cachedFileLoad(imagesPath, 'mnist-images', (path) => toImages(readIdxFile(path), path));
  // Checked after the cache, so one cached file serves callers that expect different sizes.
  if (imageShape !== undefined && (images.height !== imageShape[0] || images.width !== imageShape[1])) {
    throw new DataLossError(
      `get_mnist: '${imagesPath}' holds ${images.width}×${images.height} images but the model takes ${imageShape[1]}×${imageShape[0]}`,
    );
  }
  const labels = cachedFileLoad(labelsPath, 'mnist-labels', (path) => toLabels(readIdxFile(path), path));
  // An empty split would only show up much later, as a test accuracy of NaN.
  if (images.count === 0) throw new DataLossError(`get_mnist: '${imagesPath}' has 0 images; every split needs at least one example`);
  if (images.count !== labels.length) {
    throw new DataLossError(
      `get_mnist: '${imagesPath}' holds ${images.count} images but '${labelsPath}' holds ${labels.length} labels`,
    );
  }
  return { images, labels };
}

function toImages(idx: IdxArray, path: string): Images {
  if (idx.type !== 'ubyte' || idx.dims.length !== 3) {
    throw new DataLossError(
      `get_mnist: '${path}' should hold ubyte images [n, height, width] but holds ${idx.type} [${idx.dims.join(',')}]`,
    );
  }
  const [count, height, width] = idx.dims;
  const bytes = idx.data as Uint8Array;
  const pixels = new Float32Array(bytes.length);
  for (let i = 0; i < bytes.length; i++) pixels[i] = BYTE_TO_UNIT[bytes[i]];
  return { count, height, width, pixels };
}

function toLabels(idx: IdxArray, path: string): Uint8Array {
  if (idx.type !== 'ubyte' || idx.dims.length !== 1) {
    throw new DataLossError(`get_mnist: '${path}' should hold ubyte labels [n] but holds ${idx.type} [${idx.dims.join(',')}]`);
  }
  const labels = idx.data as Uint8Array;
  const bad = labels.findIndex((label) => label >= NUM_CLASSES);
  if (bad >= 0) {
    throw new DataLossError(`get_mnist: '${path}' has label ${labels[bad]} at index ${bad}, outside 0..${NUM_CLASSES - 1}`);
  }
  // A copy, so the cache does not pin the whole file buffer the parser's view points into.
  return labels.slice();
}

function imagesArray(images: Images, from: number, to: number, flatten: boolean): NDArray {
  const rowSize = images.height * images.width;
  const pixels = images.pixels.subarray(from * rowSize, to * rowSize);
  const shape = flatten ? [to - from, rowSize] : [to - from, 1, images.height, images.width];
  return new NDArray(pixels, shape);
}

function labelsArray(labels: Uint8Array, from: number, to: number, onehot: boolean): NDArray {
  const classes = labels.subarray(from, to);
  if (!onehot) return new NDArray(Float32Array.from(classes), [classes.length]);
  const encoded = new Float32Array(classes.length * NUM_CLASSES);
  for (let i = 0; i < classes.length; i++) encoded[i * NUM_CLASSES + classes[i]] = 1;
  return new NDArray(encoded, [classes.length, NUM_CLASSES]);
}
