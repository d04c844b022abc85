import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { encodeIdx } from './idx';
import { MNIST_FILE_STEMS } from './mnist-files';

/** A fresh temp directory; the returned function removes it. For tests only. */
export function makeTempDir(prefix = 'tinyflow-datasets-'): { dir: string; remove: () => void } {
  const dir = mkdtempSync(join(tmpdir(), prefix));
  return { dir, remove: () => rmSync(dir, { recursive: true, force: true }) };
}

export interface TinyMnist {
  readonly trainImages: Uint8Array;
  readonly trainLabels: Uint8Array;
  readonly testImages: Uint8Array;
  readonly testLabels: Uint8Array;
}

/**
 * A tiny MNIST-shaped data set whose every pixel of example k equals k (mod 256) and whose label is k mod 10,
 * so a test can tell from any batch row which example it came from.
 */
export function tinyMnist(trainCount: number, testCount: number, side = 28): TinyMnist {
  const images = (n: number, first: number) =>
    Uint8Array.from({ length: n * side * side }, (_, i) => (first + Math.floor(i / (side * side))) % 256);
  const labels = (n: number, first: number) => Uint8Array.from({ length: n }, (_, k) => (first + k) % 10);
  return {
    trainImages: images(trainCount, 0),
    trainLabels: labels(trainCount, 0),
    testImages: images(testCount, trainCount),
    testLabels: labels(testCount, trainCount),
  };
}

/** Writes `data` as the four standard IDX files in `dir`, gzipped (`name.gz`) or not. */
export function writeMnistDir(dir: string, data: TinyMnist, options: { gzip?: boolean; side?: number } = {}): void {
  const side = options.side ?? 28;
  const files: [string, Uint8Array, number[]][] = [
    [MNIST_FILE_STEMS.trainImages, data.trainImages, [data.trainLabels.length, side, side]],
    [MNIST_FILE_STEMS.trainLabels, data.trainLabels, [data.trainLabels.length]],
    [MNIST_FILE_STEMS.testImages, data.testImages, [data.testLabels.length, side, side]],
    [MNIST_FILE_STEMS.testLabels, data.testLabels, [data.testLabels.length]],
  ];
  for (const [stem, bytes, dims] of files) {
    const idx = encodeIdx(dims, bytes);
    if (options.gzip) writeFileSync(join(dir, `${stem}.gz`), gzipSync(idx));
    else writeFileSync(join(dir, stem), idx);
  }
}

export interface Cost {
  readonly ms: number;
  /** Growth of the process's peak resident memory during the call, in bytes. */
  readonly peakRssGrowth: number;
}

/**
 * Runs `fn` and measures its wall time and how far it raised the peak RSS. On Linux the kernel's peak
 * (VmHWM) is reset first, so a short spike inside a synchronous call is seen; elsewhere the RSS after
 * the call is the (weaker) fallback. For tests only.
 */
export function measureCost(fn: () => void): Cost {
  const reset = resetPeakRss();
  const before = reset ?? process.memoryUsage().rss;
  const start = performance.now();
  try {
    fn();
  } catch {
    // The cost of failing is what the hostile-file tests measure; they check the error separately.
  }
  const ms = performance.now() - start;
  const after = (reset !== null ? peakRss() : null) ?? process.memoryUsage().rss;
  return { ms, peakRssGrowth: after - before };
}

function peakRss(): number | null {
  try {
    const match = /VmHWM:\s+(\d+) kB/.exec(readFileSync('/proc/self/status', 'utf8'));
    return match === null ? null : Number(match[1]) * 1024;
  } catch {
    return null;
  }
}

/** Resets the kernel's peak-RSS mark to the current RSS and returns it; null where that is not possible. */
function resetPeakRss(): number | null {
  try {
    writeFileSync('/proc/self/clear_refs', '5');
    return peakRss();
  } catch {
    return null;
  }
}
