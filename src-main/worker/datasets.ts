/**
 * Loads the worker's data: the bundled digits, or any data folder `loadDataDir` reads (IDX, CSV, image
 * class folders), 28×28 as the zoo's models take.
 */
import { get_mnist, MNIST_IMAGE_SHAPE, NUM_CLASSES, type MnistDataSets } from '../../src-core/datasets';

/** The bundled digits' class count (a data folder's is its own `class_names.length`). */
export const STUDIO_NUM_CLASSES = NUM_CLASSES;

/**
 * Any class count the loader takes (2 to MAX_CLASSES): the model's output layer, the Draw view's bars,
 * Inspect's confusion matrix and the user's drawings' labels all follow the data's `class_names`.
 */
export function loadData(dataDir: string | null, flatten: boolean): MnistDataSets {
  return get_mnist({ flatten, onehot: true, image_shape: MNIST_IMAGE_SHAPE, ...(dataDir === null ? {} : { data_dir: dataDir }) });
}

/** The first `count` rows of an [n, ...] float32 array, without copying. */
export function headRows(data: Float32Array, rowSize: number, count: number): Float32Array {
  return data.subarray(0, count * rowSize);
}
