/**
 * tinyflow's automatic layers: `tf.nn.linear`, `tf.nn.flatten_layer` and the mean sparse softmax
 * cross-entropy. A layer creates its own weights; where their shape depends on an input whose shape is not
 * known yet, the weight is declared with unknown dims plus where they come from, and
 * `tf.infer_variable_shapes` fills them in once the placeholders' shapes are given.
 */
import { InvalidArgumentError } from '../errors';
import type { Dim } from '../graph/shape';
import { isFullyDefined } from '../graph/shape';
import type { Tensor } from '../graph/tensor';
import type { DimSource } from '../ops/state';
import * as m from './math-core';
import { toTensor, type TensorLike } from './convert';
import { normal } from './normal';
import { checkKeys, guarded } from './options';
import { declareVariable, type Variable } from './variables';
import { zeros } from './tf-array';

/** Weights start as N(0, 0.01²) when their shape is known at creation (as tinyflow's examples use). */
const WEIGHT_STDEV = 0.01;

export interface LinearOptions {
  num_hidden: number;
  name?: string;
  no_bias?: boolean;
}

/**
 * A fully connected layer, x · weight + bias, with weight [in_features, num_hidden] and bias [num_hidden].
 * @example
 * ```ts
 * const x = tf.placeholder(tf.float32);
 * const fc1 = tf.nn.linear(x, { num_hidden: 100, name: 'fc1' });
 * ```
 */
export const linear = guarded('nn.linear', function linear(x: TensorLike, options: LinearOptions): Tensor {
  checkKeys('linear', options ?? {}, ['num_hidden', 'name', 'no_bias']);
  const numHidden = options?.num_hidden;
  if (!Number.isInteger(numHidden) || numHidden <= 0) {
    throw new InvalidArgumentError(`linear: num_hidden must be a positive integer, got ${String(numHidden)}`);
  }
  const input = toTensor(x);
  return input.graph.nameScope(options.name ?? 'linear', () => {
    const inFeatures = input.shape === null ? null : (input.shape[input.shape.length - 1] ?? null);
    const weight = layerWeight('weight', [inFeatures, numHidden], [{ tensor: input.name, axis: -1 }, null]);
    let out = m.matmul(input, weight);
    // With an input of unknown rank (tinyflow's placeholders have no shape) the product's static shape is
    // unknown too; this reshape (free: it aliases its input) pins it to [?, num_hidden], so the layers and
    // the loss after it know their widths.
    if (out.shape === null) out = m.reshape(out, [-1, numHidden]);
    if (!options.no_bias) out = m.add(out, layerBias('bias', numHidden));
    return out;
  });
});

/**
 * Flattens every dim after the first: [n, c, h, w] → [n, c·h·w]. A Flatten op rather than a Reshape with
 * a written-out width, so it also works where the dims are only known at run time (tinyflow's LeNet feeds a
 * shapeless placeholder through conv layers); tf.infer_variable_shapes sees through it.
 * @example
 * ```ts
 * const x = tf.placeholder(tf.float32, [null, 1, 28, 28]);
 * const flat = tf.nn.flatten_layer(x);
 * ```
 */
export const flatten_layer = guarded('nn.flatten_layer', function flatten_layer(x: TensorLike, name?: string): Tensor {
  return m.flatten(toTensor(x), name ?? 'flatten');
});

/**
 * tinyflow's loss: the batch mean of the softmax cross-entropy of `logits` [n, classes] against `label`
 * [n], float32 class indices (int32 is accepted too). Its gradient needs the class count statically,
 * which a tf.nn.linear layer always gives.
 * @example
 * ```ts
 * const x = tf.placeholder(tf.float32, [null, 784]);
 * const label = tf.placeholder(tf.float32, [null]);
 * const loss = tf.nn.mean_sparse_softmax_cross_entropy_with_logits(tf.nn.linear(x, { num_hidden: 10 }), label);
 * ```
 */
export const mean_sparse_softmax_cross_entropy_with_logits = guarded('nn.mean_sparse_softmax_cross_entropy_with_logits', function mean_sparse_softmax_cross_entropy_with_logits(logits: TensorLike, label: TensorLike, name?: string): Tensor {
  const z = toTensor(logits);
  return z.graph.nameScope(name ?? 'mean_sparse_softmax_cross_entropy_with_logits', () =>
    m.reduceMean(m.sparseSoftmaxCrossEntropy(z, toTensor(label, 'float32', z.graph, 'label'))));
});

function layerWeight(name: string, shape: Dim[], sources: (DimSource | null)[]): Variable {
  const known = isFullyDefined(shape);
  return declareVariable({
    name,
    shape,
    dimSources: known ? undefined : sources,
    initialValue: known ? normal(shape, WEIGHT_STDEV) : undefined,
  });
}

function layerBias(name: string, size: number): Variable {
  return declareVariable({ name, shape: [size], initialValue: zeros([size]) });
}
