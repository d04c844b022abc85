import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { DataSet } from './dataset';
import { NDArray } from '../ndarray';
import { InvalidArgumentError } from '../errors';

/** n examples whose image row is [k, k+0.5] and label k, so every batch row names its example. */
function numbered(n: number): { images: NDArray; labels: NDArray } {
  const images = new NDArray(Float32Array.from({ length: 2 * n }, (_, i) => Math.floor(i / 2) + (i % 2) * 0.5), [n, 2]);
  const labels = new NDArray(Float32Array.from({ length: n }, (_, k) => k), [n]);
  return { images, labels };
}

/** Example ids of a batch, checking that image rows and labels stayed paired. */
function ids([xs, ys]: [NDArray, NDArray]): number[] {
  const labels = Array.from(ys.data);
  labels.forEach((k, row) => {
    expect(xs.data[2 * row]).toBe(k);
    expect(xs.data[2 * row + 1]).toBe(k + 0.5);
  });
  return labels;
}

const range = (n: number): number[] => Array.from({ length: n }, (_, i) => i);

describe('DataSet', () => {
  it('exposes images, labels and num_examples as given', () => {
    const { images, labels } = numbered(5);
    const ds = new DataSet(images, labels);
    expect(ds.num_examples).toBe(5);
    expect(ds.images).toBe(images);
    expect(ds.labels).toBe(labels);
    expect(ds.epochs_completed).toBe(0);
  });

  it('shuffle: false walks the examples in order and wraps across the epoch boundary', () => {
    const { images, labels } = numbered(5);
    const ds = new DataSet(images, labels, { shuffle: false });
    expect(ids(ds.next_batch(2))).toEqual([0, 1]);
    expect(ids(ds.next_batch(2))).toEqual([2, 3]);
    expect(ids(ds.next_batch(3))).toEqual([4, 0, 1]);
    expect(ds.epochs_completed).toBe(1);
  });

  it('batches have shape [n, ...] and keep the dtypes', () => {
    const images = new NDArray(new Float32Array(4 * 6), [4, 1, 2, 3]);
    const labels = new NDArray(new Int32Array(4 * 10), [4, 10]);
    const [xs, ys] = new DataSet(images, labels).next_batch(3);
    expect(xs.shape).toEqual([3, 1, 2, 3]);
    expect(ys.shape).toEqual([3, 10]);
    expect(ys.dtype).toBe('int32');
  });

  it('every epoch hands out each example exactly once, whatever the batch size', () => {
    fc.assert(
      fc.property(fc.integer({ min: 1, max: 40 }), fc.integer({ min: 1, max: 17 }), fc.integer(), (n, batch, seed) => {
        const { images, labels } = numbered(n);
        const ds = new DataSet(images, labels, { seed });
        const stream: number[] = [];
        while (stream.length < 3 * n) stream.push(...ids(ds.next_batch(batch)));
        for (let epoch = 0; epoch < 3; epoch++) {
          expect(stream.slice(epoch * n, (epoch + 1) * n).sort((a, b) => a - b)).toEqual(range(n));
        }
        expect(ds.epochs_completed).toBe(Math.floor(stream.length / n));
      }),
    );
  });

  it('a batch crossing the boundary takes the rest of this epoch, then the start of the reshuffled next', () => {
    const { images, labels } = numbered(10);
    const reference = new DataSet(images, labels, { seed: 7 });
    const epoch1 = ids(reference.next_batch(10));
    const epoch2 = ids(reference.next_batch(10));
    expect(epoch2).not.toEqual(epoch1); // reshuffled

    const ds = new DataSet(images, labels, { seed: 7 });
    expect(ids(ds.next_batch(6))).toEqual(epoch1.slice(0, 6));
    expect(ds.epochs_completed).toBe(0);
    expect(ids(ds.next_batch(6))).toEqual([...epoch1.slice(6), ...epoch2.slice(0, 2)]);
    expect(ds.epochs_completed).toBe(1);
    expect(ids(ds.next_batch(8))).toEqual(epoch2.slice(2));
    expect(ds.epochs_completed).toBe(2);
  });

  it('a batch larger than the data set spans several epochs and still has n rows', () => {
    const { images, labels } = numbered(3);
    const ds = new DataSet(images, labels, { shuffle: false });
    expect(ids(ds.next_batch(7))).toEqual([0, 1, 2, 0, 1, 2, 0]);
    expect(ds.epochs_completed).toBe(2);
  });

  it('the same seed gives the same batch sequence; another seed a different one', () => {
    const { images, labels } = numbered(50);
    const run = (seed: number) => {
      const ds = new DataSet(images, labels, { seed });
      return range(12).flatMap(() => ids(ds.next_batch(9)));
    };
    expect(run(3)).toEqual(run(3));
    expect(run(3)).not.toEqual(run(4));
    expect(run(3).slice(0, 50)).not.toEqual(range(50)); // the first epoch is shuffled too
  });

  it('batches are copies: writing to one leaves the data set alone', () => {
    const { images, labels } = numbered(4);
    const ds = new DataSet(images, labels, { shuffle: false });
    const [xs] = ds.next_batch(4);
    xs.data.fill(-1);
    expect(Array.from(images.data.subarray(0, 2))).toEqual([0, 0.5]);
  });

  it('rejects a batch size that is not a positive integer, naming it', () => {
    const { images, labels } = numbered(4);
    const ds = new DataSet(images, labels);
    for (const bad of [0, -3, 2.5, NaN, Infinity]) {
      expect(() => ds.next_batch(bad)).toThrow(InvalidArgumentError);
    }
    expect(() => ds.next_batch(0)).toThrow('DataSet.next_batch: batch size must be a positive integer, got 0');
  });

  it('rejects images and labels with different example counts, and batches of an empty set', () => {
    expect(() => new DataSet(numbered(4).images, numbered(5).labels)).toThrow(
      'DataSet: images [4,2] and labels [5] must have the same leading (example) dimension',
    );
    const empty = numbered(0);
    expect(() => new DataSet(empty.images, empty.labels).next_batch(1)).toThrow(/has no examples/);
  });
});
