/**
 * Node-only: a folder of the four standard IDX files (MNIST, Fashion-MNIST) as train and test Examples,
 * each parsed file cached per path (see mnist-files.ts).
 */
import { DataLossError } from '../errors';
import type { Examples } from './examples';
import type { IdxArray } from './idx';
import { cachedFileLoad, findMnistFiles } from './mnist-files';
import { readIdxFile } from './read-idx-file';

/** IDX labels are single digits 0–9 (MNIST and Fashion-MNIST alike). */
export const IDX_NUM_CLASSES = 10;

type Images = Omit<Examples, 'labels'>;

/** Exact `v / 255` for every byte, so the conversion is one table lookup per pixel. */
const BYTE_TO_UNIT = Float32Array.from({ length: 256 }, (_, v) => v / 255);

export function loadIdxSplits(dir: string, imageShape: readonly [number, number] | undefined): { train: Examples; test: Examples } {
  const files = findMnistFiles(dir);
  return {
    train: loadSplit(files.trainImages, files.trainLabels, imageShape),
    test: loadSplit(files.testImages, files.testLabels, imageShape),
  };
}

function loadSplit(imagesPath: string, labelsPath: string, imageShape: readonly [number, number] | undefined): Examples {
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
  return { ...images, labels };
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
  const bad = labels.findIndex((label) => label >= IDX_NUM_CLASSES);
  if (bad >= 0) {
    throw new DataLossError(`get_mnist: '${path}' has label ${labels[bad]} at index ${bad}, outside 0..${IDX_NUM_CLASSES - 1}`);
  }
  // A copy, so the cache does not pin the whole file buffer the parser's view points into.
  return labels.slice();
}
