/**
 * Node-only: one entry point for every data folder a user brings. `loadDataDir` recognises what a folder
 * is, says so, and loads it; `get_mnist({data_dir})`, `tinyflow train --data-dir` and the app's worker
 * all go through it. Recognised, in this order:
 * - IDX: the four standard MNIST / Fashion-MNIST files (`train-images-idx3-ubyte[.gz]`, …);
 * - a CSV file, or a folder with one `.csv` (a seeded tenth held out), or with a `*train*.csv` and a `*test*.csv`;
 * - image folders: `DIR/train/<label>/…` and `DIR/test/<label>/…`, else `DIR/<label>/…` (a seeded,
 *   stratified tenth of each class held out for testing; seed `DEFAULT_SPLIT_SEED` unless given).
 */
import { existsSync, readdirSync, readFileSync, statSync, type Stats } from 'node:fs';
import { basename, join, resolve } from 'node:path';
import { DataLossError, InvalidArgumentError, NotFoundError, ResourceExhaustedError } from '../errors';
import { DEFAULT_SPLIT_SEED, sortClassNames, stratifiedSplit } from './class-split';
import { parseCsvExamples, type CsvExamples } from './csv';
import { MAX_CLASSES, type DataSourceKind, type Examples, type LoadedData } from './examples';
import { examplesOf, scanImageFolder, type DecodeStats, type ImageFolderListing } from './image-folder';
import { IDX_NUM_CLASSES, loadIdxSplits } from './idx-splits';
import { findMnistFiles, MNIST_FILE_STEMS } from './mnist-files';

export interface LoadDataOptions {
  /** `[height, width]` the model takes; images and CSV rows are resized to it. Default 28×28. */
  imageShape?: readonly [number, number];
  /** Seed of the held-out split for folders without one. Default `DEFAULT_SPLIT_SEED` (0). */
  seed?: number;
}

export const DEFAULT_IMAGE_SHAPE: readonly [number, number] = [28, 28];
/** Where Debian's `dataset-fashion-mnist` package installs the four IDX files. */
export const FASHION_MNIST_DIR = '/usr/share/datasets/fashion-mnist';
export const FASHION_MNIST_CLASSES = ['T-shirt/top', 'Trouser', 'Pullover', 'Dress', 'Coat', 'Sandal', 'Shirt', 'Sneaker', 'Bag', 'Ankle boot'];
const DIGIT_CLASSES = Array.from({ length: IDX_NUM_CLASSES }, (_, i) => String(i));
/** The largest CSV file read (a JavaScript string holds at most about 512 MiB). */
export const MAX_CSV_BYTES = 400 * 1024 * 1024;

/** What kind of data `path` holds, or an error saying what was looked for. Lists directories only. */
export function detectDataKind(path: string): { kind: DataSourceKind; csvFiles?: { train: string; test: string | null } } {
  const stats = statOrNull(path);
  if (stats === null) throw new NotFoundError(`data folder '${path}' does not exist`);
  if (stats.isFile()) {
    if (path.toLowerCase().endsWith('.csv')) return { kind: 'csv', csvFiles: { train: path, test: null } };
    throw new InvalidArgumentError(`${path}: not a data folder or a .csv file`);
  }
  const names = readdirSync(path);
  // Any one standard IDX name makes it an IDX folder, so a missing one is reported as such.
  const idxNames = Object.values(MNIST_FILE_STEMS).flatMap((stem) => [stem, `${stem}.gz`]);
  if (names.some((name) => idxNames.includes(name))) return { kind: 'idx' };
  const csvs = names.filter((n) => n.toLowerCase().endsWith('.csv')).sort();
  if (csvs.length === 1) return { kind: 'csv', csvFiles: { train: join(path, csvs[0]), test: null } };
  if (csvs.length > 1) {
    const train = csvs.filter((n) => /train/i.test(n));
    const test = csvs.filter((n) => /test/i.test(n));
    if (train.length !== 1 || test.length !== 1) {
      throw new InvalidArgumentError(`${path} has ${csvs.length} CSV files (${csvs.join(', ')}); expected one, or one named *train*.csv and one *test*.csv`);
    }
    return { kind: 'csv', csvFiles: { train: join(path, train[0]), test: join(path, test[0]) } };
  }
  const isDir = (name: string) => statOrNull(join(path, name))?.isDirectory() === true;
  if (names.includes('train') && names.includes('test') && isDir('train') && isDir('test')) return { kind: 'image-folder-split' };
  if (names.some(isDir)) return { kind: 'image-folder' };
  throw new NotFoundError(
    `${path} holds no data set: no IDX files (${MNIST_FILE_STEMS.trainImages}[.gz], …), no .csv file and no class folders (<label>/*.png)`,
  );
}

export function loadDataDir(dir: string, options: LoadDataOptions = {}): LoadedData {
  const path = resolve(dir);
  const [height, width] = checkShape(options.imageShape ?? DEFAULT_IMAGE_SHAPE);
  const seed = options.seed ?? DEFAULT_SPLIT_SEED;
  if (!Number.isSafeInteger(seed)) throw new InvalidArgumentError(`loadDataDir: seed must be a safe integer, got ${String(seed)}`);
  const detected = detectDataKind(path);
  switch (detected.kind) {
    case 'idx': {
      const { train, test } = loadIdxSplits(path, options.imageShape);
      const fashion = resolve(path) === resolve(FASHION_MNIST_DIR);
      return {
        kind: 'idx',
        description: `IDX files${fashion ? ' (Fashion-MNIST)' : ''} in ${path}`,
        classNames: fashion ? FASHION_MNIST_CLASSES : DIGIT_CLASSES,
        train,
        test,
        notes: [`${train.width}×${train.height} images`],
      };
    }
    case 'csv':
      return loadCsv(detected.csvFiles as { train: string; test: string | null }, height, width, seed);
    case 'image-folder-split': {
      const trainListing = scanImageFolder(join(path, 'train'), { root: path });
      const testListing = scanTestFolder(join(path, 'test'), path, trainListing.classNames);
      const stats: DecodeStats = { inverted: 0, resized: 0 };
      const train = examplesOf(trainListing, height, width, stats);
      const test = examplesOf(testListing, height, width, stats);
      return {
        kind: 'image-folder-split',
        description: `image folders ${join(path, 'train')} and ${join(path, 'test')} with ${trainListing.classNames.length} classes`,
        classNames: trainListing.classNames,
        train,
        test,
        notes: imageNotes(stats, trainListing.skipped + testListing.skipped, height, width),
      };
    }
    case 'image-folder': {
      const listing = scanImageFolder(path, { root: path });
      const split = heldOutSplit(listing, seed);
      const stats: DecodeStats = { inverted: 0, resized: 0 };
      return {
        kind: 'image-folder',
        description: `image folder ${path} with ${listing.classNames.length} classes; a stratified tenth of each class held out for testing (seed ${seed})`,
        classNames: listing.classNames,
        train: examplesOf(listing, height, width, stats, split.train),
        test: examplesOf(listing, height, width, stats, split.test),
        notes: imageNotes(stats, listing.skipped, height, width),
      };
    }
  }
}

/** A test split may lack classes (counted as 0) but not add one the training split does not have. */
export function scanTestFolder(dir: string, root: string, classNames: readonly string[]): ImageFolderListing {
  return scanImageFolder(dir, { root, knownClasses: classNames });
}

/** Flat indices of the listing's train and test examples. */
export function heldOutSplit(listing: ImageFolderListing, seed: number): { train: number[]; test: number[] } {
  let offset = 0;
  const byClass = listing.files.map((files) => {
    const indices = files.map((_, i) => offset + i);
    offset += files.length;
    return indices;
  });
  return stratifiedSplit(byClass, seed);
}

function imageNotes(stats: DecodeStats, skipped: number, height: number, width: number): string[] {
  const notes = [
    'grayscale by luma (0.299 R + 0.587 G + 0.114 B); transparency composited onto the colour the ink is not',
    `${stats.inverted} image${stats.inverted === 1 ? '' : 's'} with a light background inverted to white on black`,
    `${stats.resized} image${stats.resized === 1 ? '' : 's'} resized to ${width}×${height}`,
  ];
  if (skipped > 0) notes.push(`${skipped} non-image entr${skipped === 1 ? 'y' : 'ies'} skipped`);
  return notes;
}

function loadCsv(files: { train: string; test: string | null }, height: number, width: number, seed: number): LoadedData {
  const trainCsv = readCsv(files.train, height, width);
  const testCsv = files.test === null ? null : readCsv(files.test, height, width);
  const classNames = sortClassNames(new Set([...trainCsv.labels, ...(testCsv?.labels ?? [])]));
  if (classNames.length < 2) throw new InvalidArgumentError(`${files.train}: every row has label '${classNames[0]}'; a classifier needs at least two classes`);
  if (classNames.length > MAX_CLASSES) throw new ResourceExhaustedError(`${files.train}: ${classNames.length} distinct labels, more than the ${MAX_CLASSES} classes supported`);
  const index = new Map(classNames.map((name, i) => [name, i]));
  const all = (csv: CsvExamples): Examples => ({
    count: csv.labels.length,
    height,
    width,
    pixels: csv.pixels,
    labels: Uint16Array.from(csv.labels, (l) => index.get(l) as number),
  });
  const notes = [...trainCsv.notes.map((n) => `${basename(files.train)}: ${n}`), ...(testCsv?.notes.map((n) => `${basename(files.test as string)}: ${n}`) ?? [])];
  if (testCsv !== null) {
    return { kind: 'csv', description: `CSV files ${files.train} and ${files.test as string} with ${classNames.length} classes`, classNames, train: all(trainCsv), test: all(testCsv), notes };
  }
  const examples = all(trainCsv);
  const byClass: number[][] = classNames.map(() => []);
  examples.labels.forEach((label, i) => byClass[label].push(i));
  const split = stratifiedSplit(byClass, seed);
  return {
    kind: 'csv',
    description: `CSV file ${files.train} with ${classNames.length} classes; a stratified tenth of each class held out for testing (seed ${seed})`,
    classNames,
    train: pickRows(examples, split.train),
    test: pickRows(examples, split.test),
    notes,
  };
}

export function pickRows(examples: Examples, rows: readonly number[]): Examples {
  const size = examples.height * examples.width;
  const pixels = new Float32Array(rows.length * size);
  rows.forEach((r, i) => pixels.set(examples.pixels.subarray(r * size, (r + 1) * size), i * size));
  return { ...examples, count: rows.length, pixels, labels: Uint16Array.from(rows, (r) => examples.labels[r]) };
}

function readCsv(path: string, height: number, width: number): CsvExamples {
  const size = statSync(path).size;
  if (size > MAX_CSV_BYTES) throw new ResourceExhaustedError(`${path}: ${size} bytes, more than the ${MAX_CSV_BYTES} bytes a CSV file may have`);
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (error) {
    throw new DataLossError(`${path} could not be read: ${error instanceof Error ? error.message : String(error)}`);
  }
  return parseCsvExamples(text, path, [height, width]);
}

function checkShape(shape: readonly [number, number]): [number, number] {
  const [h, w] = shape;
  if (![h, w].every((d) => Number.isSafeInteger(d) && d >= 1 && d <= 1024)) {
    throw new InvalidArgumentError(`loadDataDir: imageShape must be two integers in [1, 1024], got [${shape.join(', ')}]`);
  }
  return [h, w];
}

function hasIdxFiles(dir: string): boolean {
  try {
    findMnistFiles(dir);
    return true;
  } catch {
    return false;
  }
}

function statOrNull(path: string): Stats | null {
  try {
    return statSync(path);
  } catch {
    return null;
  }
}

export interface DataSourceOffer {
  /** Stable id: 'mnist-bundled', 'fashion-mnist'. */
  id: string;
  name: string;
  dir: string;
  kind: DataSourceKind;
  classNames: string[];
}

/** The data sets found on this machine besides the user's own folders: Fashion-MNIST when Debian's package is installed. */
export function detectDataSources(fashionDir = FASHION_MNIST_DIR): DataSourceOffer[] {
  const offers: DataSourceOffer[] = [];
  if (existsSync(fashionDir) && hasIdxFiles(fashionDir)) {
    offers.push({ id: 'fashion-mnist', name: 'Fashion-MNIST', dir: fashionDir, kind: 'idx', classNames: [...FASHION_MNIST_CLASSES] });
  }
  return offers;
}
