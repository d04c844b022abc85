/**
 * Node-only: a folder of images in class folders, `DIR/<label>/*.png|jpg|jpeg`, as Examples. Listing
 * (scanImageFolder) is separate from decoding (decodeImageFiles), so a preview can list a 60,000-image
 * folder and decode only its samples. Every count and size is checked before pixels are allocated.
 */
import { readdirSync, readFileSync, realpathSync, statSync, type Dirent } from 'node:fs';
import { join, relative, sep } from 'node:path';
import { DataLossError, InvalidArgumentError, NotFoundError, ResourceExhaustedError } from '../errors';
import { sortClassNames } from './class-split';
import { decodeImage, MAX_IMAGE_SIDE } from './decode-image';
import { MAX_CLASSES, type Examples } from './examples';
import { resizeGray, toGray, toMnistPolarity } from './image-pixels';

/** The most images one data set may hold (both splits together): 200,000 × 28 × 28 float32 is 627 MB. */
export const MAX_IMAGES = 200_000;

const IMAGE_EXTENSIONS = new Set(['.png', '.jpg', '.jpeg']);

export interface ImageFolderListing {
  /** Sorted, numeric-aware; index = label. */
  classNames: string[];
  /** Image paths per class, sorted by name. */
  files: string[][];
  /** Files that are not images (and folders inside class folders), not read. */
  skipped: number;
}

export interface ScanOptions {
  /** The data set's root: symlinks resolving outside it are refused. */
  root: string;
  /** Classes that must be among the folder's (a test split's classes are the training split's). */
  knownClasses?: readonly string[];
  maxImages?: number;
}

export function scanImageFolder(dir: string, options: ScanOptions): ImageFolderListing {
  const rootReal = realpathSync(options.root);
  const classDirs = entries(dir).filter((e) => isDirectory(e, dir, rootReal));
  const skippedTop = entries(dir).length - classDirs.length;
  if (classDirs.length === 0) throw new NotFoundError(`${dir} has no class folders (expected ${join(dir, '<label>', '*.png')})`);
  const classNames = options.knownClasses ? [...options.knownClasses] : sortClassNames(classDirs.map((e) => e.name));
  if (!options.knownClasses && classNames.length < 2) {
    throw new InvalidArgumentError(`${dir} has one class folder ('${classNames[0]}'); a classifier needs at least two`);
  }
  if (classNames.length > MAX_CLASSES) throw new ResourceExhaustedError(`${dir} has ${classNames.length} class folders, more than the ${MAX_CLASSES} supported`);
  const files: string[][] = classNames.map(() => []);
  let skipped = skippedTop;
  let total = 0;
  const maxImages = options.maxImages ?? MAX_IMAGES;
  for (const entry of classDirs) {
    const label = classNames.indexOf(entry.name);
    const classDir = join(dir, entry.name);
    if (label < 0) {
      throw new InvalidArgumentError(`${classDir}: class '${entry.name}' is not among the training classes (${options.knownClasses?.join(', ')})`);
    }
    for (const file of entries(classDir).sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0))) {
      const path = join(classDir, file.name);
      const ext = file.name.slice(file.name.lastIndexOf('.')).toLowerCase();
      if (!IMAGE_EXTENSIONS.has(ext) || !isFile(file, path, rootReal)) {
        skipped++;
        continue;
      }
      files[label].push(path);
      if (++total > maxImages) throw new ResourceExhaustedError(`${options.root} holds more than ${maxImages} images, the most a data set may hold (counting stopped at ${path})`);
    }
    if (files[label].length === 0) throw new DataLossError(`${classDir} has no images (.png, .jpg or .jpeg)`);
  }
  return { classNames, files, skipped };
}

export interface DecodeStats {
  /** Images inverted to MNIST's white-on-black (their border was light). */
  inverted: number;
  /** Images of another size than the output, resized. */
  resized: number;
}

/** Decodes `paths` into one [n, height, width] block: grayscale, MNIST polarity, resized. */
export function decodeImageFiles(paths: readonly string[], height: number, width: number, stats: DecodeStats = { inverted: 0, resized: 0 }): Float32Array {
  const pixels = new Float32Array(paths.length * height * width);
  paths.forEach((path, i) => {
    const gray = toGray(decodeImage(readFile(path), path, MAX_IMAGE_SIDE));
    if (toMnistPolarity(gray)) stats.inverted++;
    if (gray.width !== width || gray.height !== height) stats.resized++;
    resizeGray(gray, height, width, pixels.subarray(i * height * width, (i + 1) * height * width));
  });
  return pixels;
}

/** The listing's files (all, or the given indices per flat position) as Examples. */
export function examplesOf(listing: ImageFolderListing, height: number, width: number, stats: DecodeStats, pick?: readonly number[]): Examples {
  const flat = flatten(listing);
  const chosen = pick ?? flat.paths.map((_, i) => i);
  const paths = chosen.map((i) => flat.paths[i]);
  const labels = Uint16Array.from(chosen, (i) => flat.labels[i]);
  return { count: paths.length, height, width, pixels: decodeImageFiles(paths, height, width, stats), labels };
}

export function flatten(listing: ImageFolderListing): { paths: string[]; labels: number[] } {
  const paths: string[] = [];
  const labels: number[] = [];
  listing.files.forEach((files, label) => {
    for (const path of files) {
      paths.push(path);
      labels.push(label);
    }
  });
  return { paths, labels };
}

function entries(dir: string): Dirent[] {
  try {
    return readdirSync(dir, { withFileTypes: true });
  } catch (error) {
    throw new NotFoundError(`${dir} could not be listed: ${error instanceof Error ? error.message : String(error)}`);
  }
}

function readFile(path: string): Uint8Array {
  try {
    return readFileSync(path);
  } catch (error) {
    throw new DataLossError(`${path} could not be read: ${error instanceof Error ? error.message : String(error)}`);
  }
}

/** A symlink counts only when it resolves inside the data set's root; one pointing out is refused. */
function resolveInside(entry: Dirent, path: string, rootReal: string): string {
  if (!entry.isSymbolicLink()) return path;
  let target: string;
  try {
    target = realpathSync(path);
  } catch {
    throw new NotFoundError(`${path} is a broken symlink`);
  }
  const rel = relative(rootReal, target);
  if (rel.startsWith('..') || rel === '' || rel.startsWith(sep) || /^[a-zA-Z]:/.test(rel)) {
    throw new InvalidArgumentError(`${path} is a symlink to '${target}', outside the data folder ${rootReal}; refused`);
  }
  return target;
}

function isDirectory(entry: Dirent, dir: string, rootReal: string): boolean {
  if (entry.isDirectory()) return true;
  if (!entry.isSymbolicLink()) return false;
  const target = resolveInside(entry, join(dir, entry.name), rootReal);
  return statKind(target) === 'dir';
}

function isFile(entry: Dirent, path: string, rootReal: string): boolean {
  if (entry.isFile()) return true;
  if (!entry.isSymbolicLink()) return false;
  return statKind(resolveInside(entry, path, rootReal)) === 'file';
}

function statKind(path: string): 'dir' | 'file' | 'other' {
  const stats = statSync(path);
  return stats.isDirectory() ? 'dir' : stats.isFile() ? 'file' : 'other';
}
