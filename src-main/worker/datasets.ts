/**
 * Loads the worker's data: the bundled digits, or any data folder `loadDataDir` reads (IDX, CSV, image
 * class folders), 28×28 as the zoo's models take.
 */
import { get_mnist, MNIST_IMAGE_SHAPE, NUM_CLASSES, type MnistDataSets } from '../../src-core/datasets';
import { InvalidArgumentError } from '../../src-core/errors';

/**
 * The studio's views (the Draw view's ten probabilities, the user's drawn digits mixed into training,
 * Inspect's 10×10 confusion matrix) take 10 classes, so the app trains on data with 10; other class counts
 * train with `tinyflow train --data-dir`, whose models take the count from the data.
 */
export const STUDIO_NUM_CLASSES = NUM_CLASSES;

export function loadData(dataDir: string | null, flatten: boolean): MnistDataSets {
  const data = get_mnist({ flatten, onehot: true, image_shape: MNIST_IMAGE_SHAPE, ...(dataDir === null ? {} : { data_dir: dataDir }) });
  const classes = data.class_names;
  if (classes.length !== STUDIO_NUM_CLASSES) {
    const shown = classes.length > 12 ? `${classes.slice(0, 12).join(', ')}, …` : classes.join(', ');
    throw new InvalidArgumentError(
      `${dataDir ?? 'the data folder'} has ${classes.length} classes (${shown}); the studio trains on data with ${STUDIO_NUM_CLASSES} classes ` +
        `for now; train it with: tinyflow train --data-dir '${dataDir ?? ''}'`,
    );
  }
  return data;
}

/** The first `count` rows of an [n, ...] float32 array, without copying. */
export function headRows(data: Float32Array, rowSize: number, count: number): Float32Array {
  return data.subarray(0, count * rowSize);
}
