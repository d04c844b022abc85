/** Loads MNIST-format data for the worker: the bundled digits, or a folder of IDX files. */
import { get_mnist, MNIST_IMAGE_SHAPE, type MnistDataSets } from '../../src-core/datasets';

export function loadData(dataDir: string | null, flatten: boolean): MnistDataSets {
  return get_mnist({ flatten, onehot: true, image_shape: MNIST_IMAGE_SHAPE, ...(dataDir === null ? {} : { data_dir: dataDir }) });
}

/** The first `count` rows of an [n, ...] float32 array, without copying. */
export function headRows(data: Float32Array, rowSize: number, count: number): Float32Array {
  return data.subarray(0, count * rowSize);
}
