/**
 * Node-only: what a data folder holds, before training on it: its kind, class names and counts, split
 * sizes and a grid of labelled samples. Fast on large folders: an image folder is only listed, and only
 * the sampled images are decoded; IDX files are read once and cached (as training reads them).
 */
import { join, resolve } from 'node:path';
import { DEFAULT_SPLIT_SEED } from './class-split';
import type { DataSourceKind, Examples } from './examples';
import { decodeImageFiles, flatten, scanImageFolder, type DecodeStats, type ImageFolderListing } from './image-folder';
import { DEFAULT_IMAGE_SHAPE, detectDataKind, heldOutSplit, loadDataDir, scanTestFolder } from './load-data-dir';

export interface DataPreview {
  kind: DataSourceKind;
  description: string;
  classNames: string[];
  /** Examples per class, index = label. */
  classCounts: { train: number[]; test: number[] };
  trainSize: number;
  testSize: number;
  /** Up to `perClass` training examples per class, at most `maxSamples` in all, in class order. */
  samples: { label: number; pixels: Float32Array }[];
  height: number;
  width: number;
  notes: string[];
}

export interface PreviewOptions {
  imageShape?: readonly [number, number];
  seed?: number;
  perClass?: number;
  maxSamples?: number;
}

export function previewDataDir(dir: string, options: PreviewOptions = {}): DataPreview {
  const path = resolve(dir);
  const [height, width] = options.imageShape ?? DEFAULT_IMAGE_SHAPE;
  const seed = options.seed ?? DEFAULT_SPLIT_SEED;
  const perClass = options.perClass ?? 4;
  const maxSamples = options.maxSamples ?? 40;
  const { kind } = detectDataKind(path);
  if (kind === 'image-folder' || kind === 'image-folder-split') {
    return previewImageFolder(path, kind, { height, width, seed, perClass, maxSamples });
  }
  const data = loadDataDir(path, { imageShape: [height, width], seed });
  const counts = (e: Examples) => {
    const c = data.classNames.map(() => 0);
    for (const label of e.labels) c[label]++;
    return c;
  };
  const byClass: number[][] = data.classNames.map(() => []);
  data.train.labels.forEach((label, i) => byClass[label].push(i));
  const size = data.train.height * data.train.width;
  const samples = pickSamples(byClass, perClass, maxSamples).map((i) => ({
    label: data.train.labels[i],
    pixels: data.train.pixels.slice(i * size, (i + 1) * size),
  }));
  return {
    kind,
    description: data.description,
    classNames: [...data.classNames],
    classCounts: { train: counts(data.train), test: counts(data.test) },
    trainSize: data.train.count,
    testSize: data.test.count,
    samples,
    height: data.train.height,
    width: data.train.width,
    notes: [...data.notes],
  };
}

interface FolderOptions {
  height: number;
  width: number;
  seed: number;
  perClass: number;
  maxSamples: number;
}

function previewImageFolder(path: string, kind: 'image-folder' | 'image-folder-split', o: FolderOptions): DataPreview {
  let train: ImageFolderListing;
  let trainCounts: number[];
  let testCounts: number[];
  let trainIndices: number[];
  let description: string;
  let skipped: number;
  if (kind === 'image-folder-split') {
    train = scanImageFolder(join(path, 'train'), { root: path });
    const test = scanTestFolder(join(path, 'test'), path, train.classNames);
    trainCounts = train.files.map((f) => f.length);
    testCounts = test.files.map((f) => f.length);
    trainIndices = flatten(train).paths.map((_, i) => i);
    skipped = train.skipped + test.skipped;
    description = `image folders ${join(path, 'train')} and ${join(path, 'test')} with ${train.classNames.length} classes`;
  } else {
    train = scanImageFolder(path, { root: path });
    const split = heldOutSplit(train, o.seed);
    const labels = flatten(train).labels;
    trainCounts = train.classNames.map(() => 0);
    testCounts = train.classNames.map(() => 0);
    for (const i of split.train) trainCounts[labels[i]]++;
    for (const i of split.test) testCounts[labels[i]]++;
    trainIndices = split.train;
    skipped = train.skipped;
    description = `image folder ${path} with ${train.classNames.length} classes; a stratified tenth of each class held out for testing (seed ${o.seed})`;
  }
  const flat = flatten(train);
  const byClass: number[][] = train.classNames.map(() => []);
  for (const i of trainIndices) byClass[flat.labels[i]].push(i);
  const chosen = pickSamples(byClass, o.perClass, o.maxSamples);
  const stats: DecodeStats = { inverted: 0, resized: 0 };
  const pixels = decodeImageFiles(chosen.map((i) => flat.paths[i]), o.height, o.width, stats);
  const size = o.height * o.width;
  const notes = [`${stats.inverted} of the ${chosen.length} samples inverted to white on black (light background); ${stats.resized} resized to ${o.width}×${o.height}`];
  if (skipped > 0) notes.push(`${skipped} non-image entr${skipped === 1 ? 'y' : 'ies'} skipped`);
  return {
    kind,
    description,
    classNames: train.classNames,
    classCounts: { train: trainCounts, test: testCounts },
    trainSize: trainCounts.reduce((a, b) => a + b, 0),
    testSize: testCounts.reduce((a, b) => a + b, 0),
    samples: chosen.map((i, k) => ({ label: flat.labels[i], pixels: pixels.slice(k * size, (k + 1) * size) })),
    height: o.height,
    width: o.width,
    notes,
  };
}

/** Up to `perClass` members of each class, spread evenly over it, classes in order, `max` in all. */
function pickSamples(byClass: readonly (readonly number[])[], perClass: number, max: number): number[] {
  const out: number[] = [];
  for (const members of byClass) {
    const take = Math.min(perClass, members.length);
    for (let k = 0; k < take && out.length < max; k++) out.push(members[Math.floor((k * members.length) / take)]);
  }
  return out;
}
