/** The in-memory form every data source loads to, before it becomes DataSets. Pure (types only). */

/** One split's examples. */
export interface Examples {
  readonly count: number;
  readonly height: number;
  readonly width: number;
  /** Float32 in [0, 1], row-major `[count, height, width]`; may be shared through a cache: treat as read-only. */
  readonly pixels: Float32Array;
  /** Class index per example, into the data's `classNames`. */
  readonly labels: Uint8Array | Uint16Array;
}

export type DataSourceKind = 'idx' | 'image-folder' | 'image-folder-split' | 'csv';

export interface LoadedData {
  readonly kind: DataSourceKind;
  /** What was found, in words: "image folder with 3 classes, a seeded tenth held out (seed 0)". */
  readonly description: string;
  /** Index = label. */
  readonly classNames: readonly string[];
  readonly train: Examples;
  readonly test: Examples;
  /** How the data was read: polarity, pixel scale, resizing, files skipped. */
  readonly notes: readonly string[];
}

/** The most classes a data set may have (the output layer has one unit per class). */
export const MAX_CLASSES = 1000;
