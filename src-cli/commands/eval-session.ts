/**
 * Runs a checkpoint's model forward (eval and predict): a session on the chosen backend, the weights fed
 * from the file, the images in chunks so a conv model's patches for thousands of images never sit in
 * memory at once.
 */
import * as tf from '../../src-core';
import { availableBackends, backendInfo, registeredBackends } from '../../backends';
import { InvalidArgumentError, UnavailableError } from '../../src-core/errors';
import { UsageError } from '../usage';
import { inferenceFeeds, weightFeeds, type CheckpointModel } from './export-checkpoint';

const CHUNK = 500;

/** `given` when it is registered and starts here, else what a plain tf.Session() would pick. */
export async function chooseBackend(given: string | undefined): Promise<string> {
  if (given !== undefined) {
    if (!registeredBackends().includes(given)) throw new UsageError(`unknown backend '${given}'; available: ${registeredBackends().join(', ')}`);
    const status = await backendInfo(given);
    if (!status.available) throw new UnavailableError(`backend '${status.name}' is unavailable: ${status.reason}`);
    return given;
  }
  const usable = (await availableBackends()).find((b) => b.available);
  if (!usable) throw new UnavailableError('no backend is available here; see `tinyflow info`');
  return usable.name;
}

/** The model's class count: its logits' width. */
export function classCount(loaded: CheckpointModel): number {
  return loaded.model.logits.shape?.[1] ?? 10;
}

/** Probabilities [n, classes] for `n` flat images of the model's size (row-major floats in [0, 1]). */
export async function predictProbabilities(loaded: CheckpointModel, backend: string, images: Float32Array, n: number): Promise<Float32Array> {
  const { model } = loaded;
  const classes = classCount(loaded);
  const [height, width] = loaded.imageShape;
  const size = height * width;
  if (images.length !== n * size) throw new InvalidArgumentError(`model '${loaded.modelName}' takes ${width}×${height} images: ${n} of them are ${n * size} floats, got ${images.length}`);
  const feeds = [...weightFeeds(loaded), ...inferenceFeeds(loaded)];
  const session = tf.Session({ backend, graph: loaded.graph });
  try {
    const out = new Float32Array(n * classes);
    for (let from = 0; from < n; from += CHUNK) {
      const k = Math.min(CHUNK, n - from);
      const chunk = images.subarray(from * size, (from + k) * size);
      const x = new tf.NDArray(chunk, model.flatten ? [k, size] : [k, 1, height, width]);
      out.set((await session.run(model.probabilities, [[model.x, x], ...feeds])).data as Float32Array, from * classes);
    }
    return out;
  } finally {
    session.close();
  }
}

export function argmaxRow(values: Float32Array, row: number, width: number): number {
  let best = 0;
  for (let c = 1; c < width; c++) if (values[row * width + c] > values[row * width + best]) best = c;
  return best;
}
