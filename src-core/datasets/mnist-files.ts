import { existsSync, statSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { NotFoundError } from '../errors';

/** The four standard MNIST / Fashion-MNIST file stems; each may also be stored as `<stem>.gz`. */
export const MNIST_FILE_STEMS = {
  trainImages: 'train-images-idx3-ubyte',
  trainLabels: 'train-labels-idx1-ubyte',
  testImages: 't10k-images-idx3-ubyte',
  testLabels: 't10k-labels-idx1-ubyte',
} as const;

export type MnistFileRole = keyof typeof MNIST_FILE_STEMS;
export type MnistFilePaths = Record<MnistFileRole, string>;

/** Environment variable naming a data directory to use when `get_mnist` is given none. */
export const DATA_DIR_ENV = 'TINYFLOW_DATA';

/**
 * Where the bundled digits may live: beside the sources (tsx, vitest), else under the working directory
 * (a bundled app, where `import.meta.url` no longer points into the repository).
 */
function bundledDirCandidates(): string[] {
  const candidates: string[] = [];
  try {
    candidates.push(fileURLToPath(new URL('../../resources/mnist/', import.meta.url)));
  } catch {
    // Not a file: URL (e.g. bundled for a browser); only the working-directory fallback applies.
  }
  candidates.push(join(process.cwd(), 'resources', 'mnist'));
  return candidates;
}

/** The directory to load from: the argument, else $TINYFLOW_DATA, else the bundled digits. */
export function resolveDataDir(dataDir: string | undefined): { dir: string; bundled: boolean } {
  const explicit = dataDir ?? (process.env[DATA_DIR_ENV] || undefined);
  if (explicit !== undefined) return { dir: resolve(explicit), bundled: false };
  const candidates = bundledDirCandidates();
  const found = candidates.find((dir) => existsSync(join(dir, `${MNIST_FILE_STEMS.trainImages}.gz`)));
  if (found === undefined) {
    throw new NotFoundError(
      `get_mnist: the bundled MNIST digits were not found in ${candidates.map((c) => `'${c}'`).join(' or ')}; ` +
        `run 'npm run build:data' or pass data_dir`,
    );
  }
  return { dir: found, bundled: true };
}

/** Finds each standard file in `dir`, preferring the uncompressed name; all missing ones in one error. */
export function findMnistFiles(dir: string): MnistFilePaths {
  const paths: Partial<MnistFilePaths> = {};
  const missing: string[] = [];
  for (const role of Object.keys(MNIST_FILE_STEMS) as MnistFileRole[]) {
    const stem = MNIST_FILE_STEMS[role];
    const path = [stem, `${stem}.gz`].map((name) => join(dir, name)).find(isFile);
    if (path === undefined) missing.push(`${stem}[.gz]`);
    else paths[role] = path;
  }
  if (missing.length > 0) {
    const allStems = Object.values(MNIST_FILE_STEMS);
    const what = missing.length === allStems.length ? 'all four standard files' : missing.join(', ');
    const why = existsSync(dir) ? `is missing ${what}` : 'does not exist';
    throw new NotFoundError(
      `get_mnist: data directory '${dir}' ${why} (looked for ${allStems.map((stem) => `${stem}[.gz]`).join(', ')})`,
    );
  }
  return paths as MnistFilePaths;
}

function isFile(path: string): boolean {
  try {
    return statSync(path).isFile();
  } catch {
    return false;
  }
}

interface CacheEntry {
  readonly size: number;
  readonly mtimeMs: number;
  readonly value: unknown;
}

const fileCache = new Map<string, CacheEntry>();

/**
 * Memoises `load(path)` per (path, kind) for the life of the process, so a second `get_mnist` costs
 * nothing; a file whose size or mtime changed is loaded again.
 */
export function cachedFileLoad<T>(path: string, kind: string, load: (path: string) => T): T {
  const { size, mtimeMs } = statSync(path);
  const key = `${kind}\u0000${resolve(path)}`;
  const hit = fileCache.get(key);
  if (hit !== undefined && hit.size === size && hit.mtimeMs === mtimeMs) return hit.value as T;
  const value = load(path);
  fileCache.set(key, { size, mtimeMs, value });
  return value;
}

/** Drops every cached file (tests, or a host that wants the memory back). */
export function clearMnistFileCache(): void {
  fileCache.clear();
}
