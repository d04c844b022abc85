/**
 * `tinyflow.datasets`: get_mnist and the pieces under it. `idx` and `dataset` are pure; `get_mnist`,
 * `loadDataDir`, `detectDataSources` and `readIdxFile` read files and so need Node.
 * @module
 */
export { get_mnist, MNIST_IMAGE_SHAPE, NUM_CLASSES, type GetMnistOptions, type MnistDataSets } from './mnist';
export { DataSet, type DataSetOptions } from './dataset';
export { decodeIdx, encodeIdx, isGzip, type IdxArray, type IdxData, type IdxType } from './idx';
export { readIdxFile } from './read-idx-file';
export { clearMnistFileCache, DATA_DIR_ENV, MNIST_FILE_STEMS } from './mnist-files';
export {
  detectDataKind,
  detectDataSources,
  loadDataDir,
  DEFAULT_IMAGE_SHAPE,
  FASHION_MNIST_CLASSES,
  FASHION_MNIST_DIR,
  type DataSourceOffer,
  type LoadDataOptions,
} from './load-data-dir';
export { previewDataDir, type DataPreview, type PreviewOptions } from './preview';
export { DEFAULT_SPLIT_SEED, sortClassNames } from './class-split';
export type { DataSourceKind, Examples, LoadedData } from './examples';
