/**
 * Work over many examples in chunks sized to take about `targetMs` each, with a pause between chunks
 * (the lock's hand-over), so a big test split never holds the worker longer than one chunk.
 */
import { NDArray } from '../../src-core';
import type { DataSet } from '../../src-core/datasets/dataset';
import type { ModelRuntime } from './model-runtime';

/** About this long per chunk: well under the second a prediction may wait. */
const TARGET_CHUNK_MS = 100;
const FIRST_CHUNK = 16;

/** Calls `work(start, count)` over [0, total) in chunks timed to about `targetMs`, awaiting `between` after each. */
export async function inChunks(total: number, work: (start: number, count: number) => Promise<void>, between: () => Promise<void>, targetMs = TARGET_CHUNK_MS): Promise<void> {
  let size = Math.min(FIRST_CHUNK, total);
  for (let start = 0; start < total; ) {
    const count = Math.min(size, total - start);
    const t0 = performance.now();
    await work(start, count);
    const msPerExample = Math.max((performance.now() - t0) / count, 1e-3);
    start += count;
    size = Math.max(1, Math.min(4096, Math.floor(targetMs / msPerExample)));
    if (start < total) await between();
  }
}

/** Test accuracy over the first `limit` examples of `test`, evaluated chunk by chunk. */
export function chunkedEvaluator(runtime: ModelRuntime, test: DataSet, limit: number, between: () => Promise<void>): () => Promise<number> {
  const n = Math.min(limit, test.num_examples);
  const pixels = test.images.data as Float32Array;
  const labels = test.labels.data as Float32Array;
  return async () => {
    let correct = 0;
    await inChunks(n, async (start, count) => {
      const images = runtime.shapeImages(pixels.subarray(start * 784, (start + count) * 784), count);
      const k = runtime.numClasses;
      correct += (await runtime.accuracy(images, new NDArray(labels.subarray(start * k, (start + count) * k), [count, k]))) * count;
    }, between);
    if (n === 0) throw new Error('evaluation: the test split has no examples');
    return correct / n;
  };
}
