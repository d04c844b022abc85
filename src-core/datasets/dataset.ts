import { InvalidArgumentError } from '../errors';
import { formatShape } from '../graph/shape';
import { typedArrayFor, type TypedArray } from '../graph/dtype';
import { NDArray } from '../ndarray';
import { Rng } from '../util/rng';

export interface DataSetOptions {
  /** Seed of the per-epoch shuffle; equal seeds give equal batch sequences. Default 0. */
  seed?: number;
  /** Shuffle at the start of every epoch (default true); false walks the examples in stored order. */
  shuffle?: boolean;
}

export const DEFAULT_SHUFFLE_SEED = 0;

/**
 * Examples plus a batch cursor, as TF-1's `mnist.train`: `next_batch(n)` walks the examples in epochs,
 * reshuffling at the start of each one, and a batch that crosses an epoch's end takes the rest of that
 * epoch and then the start of the next (freshly shuffled) one.
 *
 * Differences from TF-1, on purpose: `images`/`labels` keep their stored order (the shuffle is an index
 * permutation); `epochs_completed` counts an epoch as soon as its last example was handed out, not at
 * the next call; and a batch larger than the whole set spans as many epochs as it needs instead of
 * coming back short.
 */
export class DataSet {
  readonly images: NDArray;
  readonly labels: NDArray;
  readonly num_examples: number;
  private epochsCompleted = 0;
  /** Position in `order` of the next example to hand out. */
  private cursor = 0;
  private readonly order: Uint32Array;
  private readonly rng: Rng;
  private readonly shuffles: boolean;
  private readonly imageRowSize: number;
  private readonly labelRowSize: number;

  constructor(images: NDArray, labels: NDArray, options: DataSetOptions = {}) {
    if (images.rank < 1 || labels.rank < 1 || images.shape[0] !== labels.shape[0]) {
      throw new InvalidArgumentError(
        `DataSet: images ${formatShape(images.shape)} and labels ${formatShape(labels.shape)} must have the same leading (example) dimension`,
      );
    }
    this.images = images;
    this.labels = labels;
    this.num_examples = images.shape[0];
    this.imageRowSize = rowSize(images);
    this.labelRowSize = rowSize(labels);
    this.shuffles = options.shuffle ?? true;
    this.rng = Rng.fromSeed(options.seed ?? DEFAULT_SHUFFLE_SEED);
    this.order = Uint32Array.from({ length: this.num_examples }, (_, i) => i);
    if (this.shuffles) this.rng.shuffle(this.order);
  }

  get epochs_completed(): number {
    return this.epochsCompleted;
  }

  /**
   * The next `batchSize` examples as `[xs, ys]`, fresh arrays of shape `[batchSize, ...]`.
   * @example
   * ```ts
   * const mnist = get_mnist({ flatten: true, onehot: true });
   * const [xs, ys] = mnist.train.next_batch(100);
   * ```
   */
  next_batch(batchSize: number): [NDArray, NDArray] {
    if (!Number.isSafeInteger(batchSize) || batchSize < 1) {
      throw new InvalidArgumentError(`DataSet.next_batch: batch size must be a positive integer, got ${String(batchSize)}`);
    }
    if (this.num_examples === 0) {
      throw new InvalidArgumentError('DataSet.next_batch: the data set has no examples');
    }
    const xs = typedArrayFor(this.images.dtype, batchSize * this.imageRowSize);
    const ys = typedArrayFor(this.labels.dtype, batchSize * this.labelRowSize);
    let filled = 0;
    while (filled < batchSize) {
      const take = Math.min(batchSize - filled, this.num_examples - this.cursor);
      this.copyRows(this.cursor, take, filled, xs, ys);
      filled += take;
      this.cursor += take;
      if (this.cursor === this.num_examples) this.startNextEpoch();
    }
    return [
      new NDArray(xs, [batchSize, ...this.images.shape.slice(1)], this.images.dtype),
      new NDArray(ys, [batchSize, ...this.labels.shape.slice(1)], this.labels.dtype),
    ];
  }

  private startNextEpoch(): void {
    this.epochsCompleted++;
    this.cursor = 0;
    if (this.shuffles) this.rng.shuffle(this.order);
  }

  /** Copies `count` examples, from position `from` of the epoch order, to batch row `to`: one `set` per row. */
  private copyRows(from: number, count: number, to: number, xs: TypedArray, ys: TypedArray): void {
    if (!this.shuffles) {
      // Stored order: the whole run is one contiguous block.
      copyBlock(this.images.data, xs, from, count, to, this.imageRowSize);
      copyBlock(this.labels.data, ys, from, count, to, this.labelRowSize);
      return;
    }
    for (let k = 0; k < count; k++) {
      const example = this.order[from + k];
      copyBlock(this.images.data, xs, example, 1, to + k, this.imageRowSize);
      copyBlock(this.labels.data, ys, example, 1, to + k, this.labelRowSize);
    }
  }
}

function rowSize(array: NDArray): number {
  return array.shape.slice(1).reduce((a, b) => a * b, 1);
}

function copyBlock(src: TypedArray, dst: TypedArray, fromRow: number, rows: number, toRow: number, row: number): void {
  dst.set(src.subarray(fromRow * row, (fromRow + rows) * row), toRow * row);
}
