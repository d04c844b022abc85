/**
 * tf.losses: TF-1's weighted losses. Each computes per-element (or per-example) losses, multiplies by
 * `weights` (broadcast to the losses) and reduces them by `reduction`; TF-1's default divides the sum
 * by the number of non-zero weights (0 when there are none, never NaN).
 */
import type { Tensor } from '../graph/tensor';
import { InvalidArgumentError } from '../errors';
import { broadcastShapes, shapesCompatible } from '../graph/shape';
import * as m from './math-core';
import { toTensor, toTensors, type TensorLike } from './convert';
import { describe, isOptionsObject, namedOp, tensorDesc } from './extra-options';
import { checkKeys } from './options';
import { sigmoid_cross_entropy_with_logits } from './tf-nn-activations';

export const Reduction = {
  NONE: 'none',
  SUM: 'weighted_sum',
  MEAN: 'weighted_mean',
  SUM_OVER_BATCH_SIZE: 'weighted_sum_over_batch_size',
  SUM_BY_NONZERO_WEIGHTS: 'weighted_sum_by_nonzero_weights',
  SUM_OVER_NONZERO_WEIGHTS: 'weighted_sum_by_nonzero_weights',
} as const;
export type Reduction = (typeof Reduction)[keyof typeof Reduction];
const REDUCTIONS: readonly string[] = Object.values(Reduction);

export interface LossOptions {
  weights?: TensorLike;
  scope?: string;
  reduction?: Reduction;
  label_smoothing?: number;
}

/** A den that is 0 becomes 1, so sum / den is 0 where nothing was counted (TF's div_no_nan). */
function safeDiv(sum: Tensor, den: Tensor): Tensor {
  return m.div(sum, m.add(den, m.cast(m.equal(den, 0), 'float32')));
}

/** tf.losses.compute_weighted_loss(losses, weights=1, {reduction}). */
function compute_weighted_lossImpl(losses: TensorLike, weightsOrOptions?: TensorLike | LossOptions, options?: LossOptions): Tensor {
  const fn = 'compute_weighted_loss';
  const opts = lossOptions(fn, weightsOrOptions, options, false);
  const l = toTensor(losses);
  return l.graph.nameScope(opts.scope ?? 'weighted_loss', () => weighted(fn, l, opts));
}

function weighted(fn: string, losses: Tensor, opts: LossOptions): Tensor {
  const reduction = opts.reduction ?? Reduction.SUM_BY_NONZERO_WEIGHTS;
  if (!REDUCTIONS.includes(reduction)) throw new InvalidArgumentError(`${fn}: reduction must be one of tf.losses.Reduction (${REDUCTIONS.join(', ')}), got ${describe(reduction)}`);
  if (losses.dtype !== 'float32') throw new InvalidArgumentError(`${fn}: losses must be float32, got ${tensorDesc(losses)}`);
  const w = toTensor(opts.weights ?? 1, 'float32', losses.graph, 'weights');
  const grown = broadcastShapes(w.shape, losses.shape);
  if (grown === undefined || !shapesCompatible(grown, losses.shape) || (grown !== null && losses.shape !== null && grown.length !== losses.shape.length)) {
    throw new InvalidArgumentError(`${fn}: weights ${tensorDesc(w)} must broadcast to the losses ${tensorDesc(losses)}`);
  }
  const wl = m.mul(losses, w);
  if (reduction === Reduction.NONE) return wl;
  const sum = m.reduceSum(wl);
  if (reduction === Reduction.SUM) return sum;
  if (reduction === Reduction.MEAN) return safeDiv(sum, m.reduceSum(m.mul(m.onesLike(losses), w)));
  if (reduction === Reduction.SUM_OVER_BATCH_SIZE) return safeDiv(sum, m.reductionSizeOf(losses, null));
  const present = m.reduceSum(m.mul(m.onesLike(losses), m.cast(m.notEqual(w, 0), 'float32')));
  return safeDiv(sum, present);
}

const LOSS_KEYS = ['weights', 'scope', 'reduction'];

function lossOptions(fn: string, weightsOrOptions: unknown, options: LossOptions | undefined, smoothing: boolean): LossOptions {
  const allowed = smoothing ? [...LOSS_KEYS, 'label_smoothing'] : LOSS_KEYS;
  const opts: LossOptions = isOptionsObject(weightsOrOptions) ? { ...(weightsOrOptions as LossOptions), ...options } : { ...options };
  if (!isOptionsObject(weightsOrOptions) && weightsOrOptions !== undefined) {
    if (opts.weights !== undefined) throw new InvalidArgumentError(`${fn}: weights given both positionally and as an option`);
    opts.weights = weightsOrOptions as TensorLike;
  }
  checkKeys(fn, opts, allowed);
  return opts;
}

/**
 * The two tensors a loss compares, given positionally (TF-1's order) or all as keywords
 * (`{labels, predictions, weights}`), as TF-1 code often writes them.
 */
function lossArgs(fn: string, keys: [string, string], first: unknown, second: unknown, rest: unknown, options: LossOptions | undefined, smoothing: boolean): [TensorLike, TensorLike, LossOptions] {
  if (isOptionsObject(first)) {
    if (second !== undefined || rest !== undefined || options !== undefined) throw new InvalidArgumentError(`${fn}: give the arguments positionally or as one options object, not both`);
    const all = first as Record<string, unknown>;
    const { [keys[0]]: a, [keys[1]]: b, ...others } = all;
    if (a === undefined || b === undefined) throw new InvalidArgumentError(`${fn}: both ${keys[0]} and ${keys[1]} are required`);
    checkKeys(fn, all, [...keys, ...LOSS_KEYS, ...(smoothing ? ['label_smoothing'] : [])]);
    return [a as TensorLike, b as TensorLike, others as LossOptions];
  }
  if (first === undefined || second === undefined) throw new InvalidArgumentError(`${fn}: both ${keys[0]} and ${keys[1]} are required`);
  return [first as TensorLike, second as TensorLike, lossOptions(fn, rest, options, smoothing)];
}

function sameShape(fn: string, a: Tensor, b: Tensor, what: [string, string]): void {
  if (!shapesCompatible(a.shape, b.shape)) throw new InvalidArgumentError(`${fn}: ${what[0]} ${tensorDesc(a)} and ${what[1]} ${tensorDesc(b)} must have the same shape`);
}

function smoothing(fn: string, opts: LossOptions): number {
  const s = opts.label_smoothing ?? 0;
  if (typeof s !== 'number' || !(s >= 0 && s <= 1)) throw new InvalidArgumentError(`${fn}: label_smoothing must be in [0, 1], got ${describe(s)}`);
  return s;
}

type LossFn<K extends string> = {
  (a: TensorLike, b: TensorLike, weightsOrOptions?: TensorLike | LossOptions, options?: LossOptions): Tensor;
  (options: { [k in K]: TensorLike } & LossOptions): Tensor;
};

/** tf.losses.mean_squared_error(labels, predictions, weights=1.0, {reduction, scope}). */
export const mean_squared_error = namedOp('mean_squared_error', (first: unknown, second?: unknown, rest?: unknown, options?: LossOptions): Tensor => {
  const fn = 'mean_squared_error';
  const [labels, predictions, opts] = lossArgs(fn, ['labels', 'predictions'], first, second, rest, options, false);
  const [y, p] = toTensors([labels, predictions], ['labels', 'predictions']);
  sameShape(fn, p, y, ['predictions', 'labels']);
  return y.graph.nameScope(opts.scope ?? 'mean_squared_error', () => weighted(fn, m.square(m.sub(m.cast(p, 'float32'), m.cast(y, 'float32'))), opts));
}) as LossFn<'labels' | 'predictions'>;

/**
 * tf.losses.softmax_cross_entropy(onehot_labels, logits, weights=1.0, {label_smoothing, reduction}):
 * per-example softmax cross-entropy; smoothing mixes the labels with the uniform distribution. No
 * gradient flows into the labels (TF-1 stops it).
 */
export const softmax_cross_entropy = namedOp('softmax_cross_entropy', (first: unknown, second?: unknown, rest?: unknown, options?: LossOptions): Tensor => {
  const fn = 'softmax_cross_entropy';
  const [labels, logits, opts] = lossArgs(fn, ['onehot_labels', 'logits'], first, second, rest, options, true);
  const [z, y] = toTensors([logits, labels], ['logits', 'onehot_labels']);
  sameShape(fn, z, y, ['logits', 'onehot_labels']);
  const s = smoothing(fn, opts);
  return z.graph.nameScope(opts.scope ?? 'softmax_cross_entropy_loss', () => {
    let target = m.stopGradient(m.cast(y, 'float32'));
    if (s > 0) {
      const classes = z.shape?.[z.shape.length - 1];
      if (classes === null || classes === undefined) throw new InvalidArgumentError(`${fn}: label_smoothing needs the number of classes (the last dim of ${tensorDesc(z)}) known`);
      target = m.add(m.mul(target, 1 - s), s / classes);
    }
    return weighted(fn, m.softmaxCrossEntropy(z, target), opts);
  });
}) as LossFn<'onehot_labels' | 'logits'>;

/** tf.losses.sparse_softmax_cross_entropy(labels, logits, weights=1.0, {reduction}): labels are class indices. */
export const sparse_softmax_cross_entropy = namedOp('sparse_softmax_cross_entropy', (first: unknown, second?: unknown, rest?: unknown, options?: LossOptions): Tensor => {
  const fn = 'sparse_softmax_cross_entropy';
  const [labels, logits, opts] = lossArgs(fn, ['labels', 'logits'], first, second, rest, options, false);
  const z = toTensor(logits, undefined, undefined, 'logits');
  return z.graph.nameScope(opts.scope ?? 'sparse_softmax_cross_entropy_loss', () => weighted(fn, m.sparseSoftmaxCrossEntropy(z, labels), opts));
}) as LossFn<'labels' | 'logits'>;

/**
 * tf.losses.sigmoid_cross_entropy(multi_class_labels, logits, weights=1.0, {label_smoothing,
 * reduction}): elementwise sigmoid cross-entropy; smoothing pulls labels towards 1/2.
 */
export const sigmoid_cross_entropy = namedOp('sigmoid_cross_entropy', (first: unknown, second?: unknown, rest?: unknown, options?: LossOptions): Tensor => {
  const fn = 'sigmoid_cross_entropy';
  const [labels, logits, opts] = lossArgs(fn, ['multi_class_labels', 'logits'], first, second, rest, options, true);
  const [z, y] = toTensors([logits, labels], ['logits', 'multi_class_labels']);
  sameShape(fn, z, y, ['logits', 'multi_class_labels']);
  const s = smoothing(fn, opts);
  return z.graph.nameScope(opts.scope ?? 'sigmoid_cross_entropy_loss', () => {
    let target = m.cast(y, 'float32');
    if (s > 0) target = m.add(m.mul(target, 1 - s), 0.5 * s);
    return weighted(fn, sigmoid_cross_entropy_with_logits({ labels: target, logits: z }), opts);
  });
}) as LossFn<'multi_class_labels' | 'logits'>;

// Public entry points: every failure is a tf.errors.* naming the op (see namedOp).
export const compute_weighted_loss = namedOp('compute_weighted_loss', compute_weighted_lossImpl);
