/** Drawings the user labelled ("this is a 7"): kept in the worker and mixed into training steps. */
import { NDArray } from '../../src-core';

export class UserSet {
  private readonly pixels: Float32Array[] = [];
  private readonly labels: number[] = [];

  get size(): number {
    return this.pixels.length;
  }

  add(pixels: readonly number[], label: number): number {
    this.pixels.push(Float32Array.from(pixels));
    this.labels.push(label);
    return this.size;
  }

  /** Every user example as one batch: images [n, 784] (or [n, 1, 28, 28]) and one-hot labels [n, 10]. */
  batch(flatten: boolean): [NDArray, NDArray] {
    const n = this.size;
    const images = new Float32Array(n * 784);
    const onehot = new Float32Array(n * 10);
    this.pixels.forEach((p, i) => images.set(p, i * 784));
    this.labels.forEach((label, i) => (onehot[i * 10 + label] = 1));
    return [new NDArray(images, flatten ? [n, 784] : [n, 1, 28, 28]), new NDArray(onehot, [n, 10])];
  }
}
