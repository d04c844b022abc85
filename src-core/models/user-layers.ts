/**
 * Builds the layer editor's kinds (spec.ts `layers_*`) with tf.layers, with exactly the calls and
 * options code.ts prints for them, and the flat input every user model is fed through.
 */
import * as tfLayers from '../api/tf-layers';
import { identity, reshape } from '../api/math-core';
import { constant } from '../api/tf-array';
import { placeholder } from '../api/variables';
import { relu, sigmoid, tanh } from '../api/tf-nn';
import type { Tensor } from '../graph/tensor';
import type { LayerSpec } from './spec';
import type { Activation } from './layer-model';

const ACTIVATIONS: Record<Activation, ((x: Tensor) => Tensor) | null> = { none: null, relu, tanh, sigmoid };

export type UserLayerSpec = Extract<LayerSpec, { kind: `layers_${string}` }>;

export function isUserLayer(layer: LayerSpec): layer is UserLayerSpec {
  return layer.kind.startsWith('layers_');
}

/** Applies one layer editor layer to `h`; `training`: the model's bool flag (dropout, batch norm). */
export function applyUserLayer(h: Tensor, layer: UserLayerSpec, training: Tensor): Tensor {
  const activation = 'activation' in layer ? ACTIVATIONS[layer.activation] : null;
  const act = activation === null ? {} : { activation };
  switch (layer.kind) {
    case 'layers_dense':
      return tfLayers.dense(h, layer.units, { ...act, name: layer.name });
    case 'layers_conv2d':
      return tfLayers.conv2d(h, layer.filters, layer.kernel, { strides: layer.stride, padding: layer.padding, ...act, name: layer.name });
    case 'layers_pool':
      return (layer.op === 'max' ? tfLayers.max_pooling2d : tfLayers.average_pooling2d)(h, layer.size, layer.stride, { padding: layer.padding, name: layer.name });
    case 'layers_dropout':
      return tfLayers.dropout(h, { rate: layer.rate, training, name: layer.name });
    case 'layers_flatten':
      return tfLayers.flatten(h, { name: layer.name });
    case 'layers_batch_norm':
      // momentum 0.9 (TF: 0.99): see code.ts, which prints the same.
      return tfLayers.batch_normalization(h, { momentum: 0.9, training, name: layer.name });
  }
}

export interface UserInput {
  /** The flat feed [null, H·W·C] (the data loaders' layout). */
  x: Tensor;
  /** bool scalar, true unless fed false (evaluation and prediction feed false). */
  training: Tensor;
  /** x as the model sees it: [null, ...exampleShape]. */
  h: Tensor;
}

/**
 * The input of a user model (layer editor or model file): a flat placeholder 'x', reshaped to the
 * example shape when that is an image, and the `training` flag. TF-1's placeholder_with_default: a
 * named Identity of a constant true, which a run may feed like a placeholder.
 */
export function userInput(exampleShape: readonly number[]): UserInput {
  const width = exampleShape.reduce((a, b) => a * b, 1);
  const x = placeholder('float32', [null, width], 'x');
  const training = identity(constant(true), 'training');
  const h = exampleShape.length === 1 ? x : reshape(x, [-1, ...exampleShape], 'input');
  return { x, training, h };
}
