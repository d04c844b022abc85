/**
 * tf.nn's remaining activations and the sigmoid cross-entropy, moments and batch normalization,
 * composed from core ops in their numerically stable forms (gradients come from the parts; the forms
 * are chosen so those gradients are exact at the kinks, e.g. softplus'(0) = 1/2).
 */
import type { Tensor } from '../graph/tensor';
import { InvalidArgumentError } from '../errors';
import * as m from './math-core';
import { toTensor, toTensors, type TensorLike } from './convert';
import { nameOf, type NameOption } from './options';
import { describe, isOptionsObject, mergeOptions, namedOp, tensorDesc } from './extra-options';
import { gather } from './tf-array-extra';

type Name = string | NameOption;

function floatInput(fn: string, x: TensorLike): Tensor {
  const t = toTensor(x);
  if (t.dtype !== 'float32') throw new InvalidArgumentError(`${fn}: expects float32, got ${tensorDesc(t)}`);
  return t;
}

const scoped = (fn: string, opName: string, body: (x: Tensor) => Tensor) =>
  namedOp(fn, (features: TensorLike, name?: Name): Tensor => {
    const x = floatInput(fn, features);
    return x.graph.nameScope(nameOf(fn, name) ?? opName, () => body(x));
  });

/**
 * log(1 + u) accurate for small u without a log1p primitive: with w = 1 + u rounded,
 * log(w) - ((w - 1) - u) / w removes the rounding of w to first order (exact where w rounds to 1).
 */
function log1p(u: Tensor): Tensor {
  const w = m.add(u, 1);
  return m.sub(m.log(w), m.div(m.sub(m.sub(w, 1), u), w));
}

/** -|x| written as min(x, -x): its gradient at 0 is 1 (not sign(0) = 0), so softplus'(0) = 1/2. */
const negAbs = (x: Tensor) => m.minimum(x, m.neg(x));

/** log(1 + exp(x)) = max(x, 0) + log1p(exp(-|x|)): no overflow, accurate far below 0. */
const softplusOf = (x: Tensor) => m.add(m.relu(x), log1p(m.exp(negAbs(x))));

/**
 * elu's two parts, summed exactly (one of them is 0): max(x, 0) and exp(min(x, 0)) - 1. At x = 0 the
 * max passes the gradient to x and the min to its constant, so elu'(0) = 1 and selu'(0) = scale, as TF-1.
 */
const positivePart = (x: Tensor) => m.maximum(x, 0);
const negativePart = (x: Tensor) => m.sub(m.exp(m.minimum(0, x)), 1);

/**
 * tf.nn.relu6: min(max(x, 0), 6). The constant goes first: minimum routes a tie's gradient to its first
 * operand, so at exactly 6 the gradient is 0, as TF-1's Relu6Grad gives (0 < x < 6).
 */
export const relu6 = scoped('relu6', 'Relu6', (x) => m.minimum(6, m.relu(x)));
/** tf.nn.elu: x where x > 0, else exp(x) - 1. */
export const elu = scoped('elu', 'Elu', (x) => m.add(positivePart(x), negativePart(x)));

const SELU_ALPHA = 1.6732632423543772;
const SELU_SCALE = 1.0507009873554805;
/** tf.nn.selu: scale * (x where x > 0, else alpha * (exp(x) - 1)). */
export const selu = scoped('selu', 'Selu', (x) => m.mul(m.add(positivePart(x), m.mul(negativePart(x), SELU_ALPHA)), SELU_SCALE));
/** tf.nn.softplus: log(1 + exp(x)), stable. */
export const softplus = scoped('softplus', 'Softplus', softplusOf);
/** tf.nn.softsign: x / (1 + |x|). */
export const softsign = scoped('softsign', 'Softsign', (x) => m.div(x, m.add(m.abs(x), 1)));

export interface LeakyReluOptions {
  alpha?: number;
  name?: string;
}

/**
 * tf.nn.leaky_relu(features, alpha=0.2): x where x > 0, else alpha * x. max(alpha·x, x) for alpha <= 1
 * (min for alpha > 1), as TF-1 builds it: its gradient at 0 is alpha.
 */
function leaky_reluImpl(features: TensorLike, alphaOrOptions?: number | LeakyReluOptions, options?: LeakyReluOptions): Tensor {
  const opts = mergeOptions<LeakyReluOptions>('leaky_relu', 'alpha', alphaOrOptions, options, ['alpha', 'name']);
  const alpha = opts.alpha ?? 0.2;
  if (typeof alpha !== 'number' || !Number.isFinite(alpha)) throw new InvalidArgumentError(`leaky_relu: alpha must be a finite number, got ${describe(alpha)}`);
  const x = floatInput('leaky_relu', features);
  return x.graph.nameScope(opts.name ?? 'LeakyRelu', () => {
    const scaled = m.mul(x, alpha);
    return alpha <= 1 ? m.maximum(scaled, x) : m.minimum(scaled, x);
  });
}

export interface SigmoidCEOptions {
  labels?: TensorLike;
  logits?: TensorLike;
  name?: string;
}

/**
 * tf.nn.sigmoid_cross_entropy_with_logits({labels, logits}) (or positional labels, logits):
 * max(x, 0) - x·z + log1p(exp(-|x|)) elementwise, stable for any logit; d/dx = sigmoid(x) - z.
 */
function sigmoid_cross_entropy_with_logitsImpl(labelsOrOptions: TensorLike | SigmoidCEOptions, logits?: TensorLike, name?: string): Tensor {
  const fn = 'sigmoid_cross_entropy_with_logits';
  let opts: SigmoidCEOptions;
  if (isOptionsObject(labelsOrOptions)) {
    opts = mergeOptions<SigmoidCEOptions>(fn, 'name', undefined, labelsOrOptions, ['labels', 'logits', 'name']);
    if (logits !== undefined) throw new InvalidArgumentError(`${fn}: give labels and logits either positionally or as options, not both`);
  } else {
    opts = { labels: labelsOrOptions as TensorLike, logits, name };
  }
  if (opts.labels === undefined || opts.logits === undefined) throw new InvalidArgumentError(`${fn}: both labels and logits are required`);
  const [x, z] = toTensors([opts.logits, opts.labels], ['logits', 'labels']);
  if (x.dtype !== 'float32' || z.dtype !== 'float32') throw new InvalidArgumentError(`${fn}: logits and labels must be float32, got ${tensorDesc(x)} and ${tensorDesc(z)}`);
  if (x.shape !== null && z.shape !== null && (x.shape.length !== z.shape.length || x.shape.some((d, i) => d !== null && z.shape?.[i] !== null && d !== z.shape?.[i]))) {
    throw new InvalidArgumentError(`${fn}: logits ${tensorDesc(x)} and labels ${tensorDesc(z)} must have the same shape`);
  }
  return x.graph.nameScope(opts.name ?? 'logistic_loss', () => m.add(m.sub(m.relu(x), m.mul(x, z)), log1p(m.exp(negAbs(x)))));
}

export interface MomentsOptions {
  shift?: TensorLike | null;
  name?: string;
  keep_dims?: boolean;
  keepdims?: boolean;
}

/**
 * tf.nn.moments(x, axes, {keep_dims}): [mean, variance] over `axes`. The variance is the mean squared
 * deviation from a gradient-stopped mean, as TF-1 (its gradient is unchanged: d var/d mean = 0).
 */
function momentsImpl(x: TensorLike, axes: number[], options: MomentsOptions = {}): [Tensor, Tensor] {
  const opts = mergeOptions<MomentsOptions>('moments', 'name', undefined, options, ['shift', 'name', 'keep_dims', 'keepdims']);
  if (!Array.isArray(axes) || axes.some((a) => !Number.isInteger(a))) throw new InvalidArgumentError(`moments: axes must be a list of integers, got ${describe(axes)}`);
  if (opts.shift !== undefined && opts.shift !== null) throw new InvalidArgumentError('moments: shift is not supported (TF-1 ignores it too); leave it out');
  const t = floatInput('moments', x);
  const keep = opts.keep_dims ?? opts.keepdims ?? false;
  return t.graph.nameScope(opts.name ?? 'moments', () => {
    const mean = m.reduceMean(t, axes, true);
    const variance = m.reduceMean(m.square(m.sub(t, m.stopGradient(mean))), axes, true);
    if (keep) return [mean, variance];
    // Summing over the kept size-1 axes drops them exactly.
    return [m.reduceSum(mean, axes, false), m.reduceSum(variance, axes, false)];
  });
}

/**
 * tf.nn.batch_normalization(x, mean, variance, offset, scale, variance_epsilon):
 * (x - mean) · scale / sqrt(variance + eps) + offset, written as x·inv + (offset - mean·inv) as TF-1.
 * offset and scale may be null.
 */
function batch_normalizationImpl(
  x: TensorLike, mean: TensorLike, variance: TensorLike, offset: TensorLike | null, scale: TensorLike | null, varianceEpsilon: number, name?: Name,
): Tensor {
  const fn = 'batch_normalization';
  if (typeof varianceEpsilon !== 'number' || !(varianceEpsilon >= 0)) throw new InvalidArgumentError(`${fn}: variance_epsilon must be a number >= 0, got ${describe(varianceEpsilon)}`);
  const t = floatInput(fn, x);
  const mu = toTensor(mean, 'float32', t.graph, 'mean');
  const v = toTensor(variance, 'float32', t.graph, 'variance');
  return t.graph.nameScope(nameOf(fn, name) ?? 'batchnorm', () => {
    let inv = m.rsqrt(m.add(v, varianceEpsilon));
    if (scale !== null && scale !== undefined) inv = m.mul(inv, toTensor(scale, 'float32', t.graph, 'scale'));
    const shift = offset !== null && offset !== undefined ? m.sub(toTensor(offset, 'float32', t.graph, 'offset'), m.mul(mu, inv)) : m.neg(m.mul(mu, inv));
    return m.add(m.mul(t, inv), shift);
  });
}

export interface EmbeddingOptions {
  partition_strategy?: 'mod' | 'div';
  name?: string;
  validate_indices?: boolean;
  max_norm?: number | null;
}

/**
 * tf.nn.embedding_lookup(params, ids, {name}): rows of params (one tensor, or a list of one) at ids —
 * tf.gather along axis 0. Sharded params (a longer list) and max_norm are refused rather than guessed.
 */
function embedding_lookupImpl(params: TensorLike | TensorLike[], ids: TensorLike, options: EmbeddingOptions = {}): Tensor {
  const opts = mergeOptions<EmbeddingOptions>('embedding_lookup', 'name', undefined, options, ['partition_strategy', 'name', 'validate_indices', 'max_norm']);
  if (opts.max_norm !== undefined && opts.max_norm !== null) throw new InvalidArgumentError('embedding_lookup: max_norm is not supported');
  const list = Array.isArray(params) && params.length > 0 && !params.every((p) => typeof p === 'number' || Array.isArray(p)) ? (params as TensorLike[]) : [params as TensorLike];
  if (list.length !== 1) throw new InvalidArgumentError(`embedding_lookup: sharded params (a list of ${list.length} tensors) are not supported; concatenate them first`);
  return gather(list[0], ids, { name: opts.name ?? 'embedding_lookup' });
}

// Public entry points: every failure is a tf.errors.* naming the op (see namedOp).
export const leaky_relu = namedOp('leaky_relu', leaky_reluImpl);
export const sigmoid_cross_entropy_with_logits = namedOp('sigmoid_cross_entropy_with_logits', sigmoid_cross_entropy_with_logitsImpl);
export const moments = namedOp('moments', momentsImpl);
export const batch_normalization = namedOp('batch_normalization', batch_normalizationImpl);
export const embedding_lookup = namedOp('embedding_lookup', embedding_lookupImpl);
