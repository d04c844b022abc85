/**
 * Synthetic MNIST-shaped data, made once by the parent and written to one file that every peer reads,
 * so all peers train on identical bytes. Real MNIST is not used: the bench must not depend on a
 * download, and timings do not depend on the digits. Each class has a fixed stroke-like template;
 * an example is its class's template at a random intensity plus sparse noise, in [0, 1] and mostly
 * zero like MNIST, so the models do learn and relu sparsity is realistic.
 */
import { createHash } from 'node:crypto';
import { readFileSync, writeFileSync } from 'node:fs';
import { mulberry32 } from './rng';
import type { DataFile } from './protocol';

export const PIXELS = 784;
export const CLASSES = 10;

export interface Dataset {
  /** [examples, 784], row-major. */
  images: Float32Array;
  /** One-hot [examples, 10]. */
  labels: Float32Array;
  examples: number;
}

export function synthesize(examples: number, seed: number): Dataset {
  const next = mulberry32(seed);
  const templates = Array.from({ length: CLASSES }, () => {
    const t = new Float32Array(PIXELS);
    for (let k = 0; k < 150; k++) t[Math.floor(next() * PIXELS)] = 0.5 + 0.5 * next();
    return t;
  });
  const images = new Float32Array(examples * PIXELS);
  const labels = new Float32Array(examples * CLASSES);
  for (let e = 0; e < examples; e++) {
    const label = Math.floor(next() * CLASSES);
    labels[e * CLASSES + label] = 1;
    const intensity = 0.6 + 0.4 * next();
    const row = images.subarray(e * PIXELS, (e + 1) * PIXELS);
    const template = templates[label];
    for (let p = 0; p < PIXELS; p++) row[p] = template[p] * intensity;
    for (let k = 0; k < 40; k++) row[Math.floor(next() * PIXELS)] = next();
  }
  return { images, labels, examples };
}

/** Writes images then labels as little-endian float32 (numpy reads it with fromfile); returns the SHA-256. */
export function writeDataset(path: string, data: Dataset): string {
  const bytes = Buffer.concat([
    Buffer.from(data.images.buffer, data.images.byteOffset, data.images.byteLength),
    Buffer.from(data.labels.buffer, data.labels.byteOffset, data.labels.byteLength),
  ]);
  writeFileSync(path, bytes);
  return createHash('sha256').update(bytes).digest('hex');
}

export function readDataset({ path, examples }: DataFile): Dataset {
  const bytes = readFileSync(path);
  const expected = examples * (PIXELS + CLASSES) * 4;
  if (bytes.byteLength !== expected) throw new Error(`${path}: ${bytes.byteLength} bytes, expected ${expected}`);
  // Copy into an aligned buffer: a Buffer may sit at an offset that Float32Array cannot view.
  const all = new Float32Array(examples * (PIXELS + CLASSES));
  new Uint8Array(all.buffer).set(bytes);
  return { images: all.subarray(0, examples * PIXELS), labels: all.subarray(examples * PIXELS), examples };
}

/** The b-th batch of `size` consecutive examples, wrapping round: views, no copies. */
export function batchAt(data: Dataset, size: number, b: number): { images: Float32Array; labels: Float32Array } {
  const count = Math.floor(data.examples / size);
  const start = (b % count) * size;
  return {
    images: data.images.subarray(start * PIXELS, (start + size) * PIXELS),
    labels: data.labels.subarray(start * CLASSES, (start + size) * CLASSES),
  };
}
