/**
 * The zoo's models as data: each is an input layout, a list of layers with their parameters, a loss and
 * its optimizer defaults. build.ts makes the graph from a spec and code.ts the TypeScript a user would
 * write for it, so the code the app shows is always the code of the model that runs. Pure data and
 * arithmetic (its imports are types): the renderer may import this module.
 */

import type { OptimizerName } from './optimizer-names';
import type { Activation } from './layer-model';

/** How a TF-1 style Variable starts. */
export type Init = { kind: 'zeros' } | { kind: 'truncated_normal'; stddev: number } | { kind: 'constant'; value: number };

export type LayerSpec =
  /** TF-1: explicit Variables `${name}/W` [in, units] (or `W` when `bare`) and `${name}/b`, then matmul + add. */
  | { kind: 'dense'; name: string; units: number; weights: Init; bias: Init | null; bare?: boolean }
  /** tinyflow's tf.nn.linear layer (weights N(0, 0.01²), zero bias). */
  | { kind: 'linear'; name: string; units: number }
  /** TF-1 NHWC convolution, stride 1, SAME, with explicit Variables `${name}/W`, `${name}/b` and bias_add. */
  | { kind: 'conv'; name: string; filters: number; ksize: number; weights: Init; bias: Init }
  /** tinyflow's NCHW tf.nn.conv2d layer, with a bias. */
  | { kind: 'conv_layer'; name: string; filters: number; ksize: number; pad: 'SAME' | 'VALID' }
  /** TF-1 NHWC max pool, SAME, window and stride `size`. */
  | { kind: 'max_pool'; size: number }
  /** tinyflow's NCHW max pool layer, window and stride `size`. */
  | { kind: 'max_pool_layer'; size: number }
  | { kind: 'reshape'; shape: number[] }
  | { kind: 'flatten' }
  | { kind: 'relu' }
  | { kind: 'tanh' }
  // The layer editor's kinds (user-model.ts), built with tf.layers under the layer's own name (its
  // variable scope): `${name}/kernel`, `${name}/bias`, batch norm's gamma, beta and moving statistics.
  | { kind: 'layers_dense'; name: string; units: number; activation: Activation }
  | { kind: 'layers_conv2d'; name: string; filters: number; kernel: number; stride: number; padding: 'same' | 'valid'; activation: Activation }
  | { kind: 'layers_pool'; name: string; op: 'max' | 'avg'; size: number; stride: number; padding: 'same' | 'valid' }
  /** Active only while the model's `training` flag is true. */
  | { kind: 'layers_dropout'; name: string; rate: number }
  | { kind: 'layers_flatten'; name: string }
  | { kind: 'layers_batch_norm'; name: string };

export interface ModelSpec {
  description: string;
  defaultLearningRate: number;
  defaultOptimizer: OptimizerName;
  /** The input placeholder: flat [null, 784], or tinyflow's NCHW [null, 1, 28, 28]. */
  input: 'flat' | 'nchw';
  /**
   * One example's shape as the first layer sees it, for models whose feed is flat but whose layers want
   * an image (a model file's or the layer editor's [H, W, 1]): x is [null, H·W·C], reshaped to
   * [null, H, W, C] before the layers, and the model gets a bool `training` flag (true unless fed false).
   * Absent for the zoo: [784] for 'flat', [1, 28, 28] for 'nchw', no training flag.
   */
  exampleShape?: number[];
  layers: LayerSpec[];
  /**
   * 'seed': the seed's mean of −Σ y·log(softmax(logits)), and with sgd its own hand-written update
   * W ← W − lr·dL/dW (the model must have one Variable); 'softmax_cross_entropy': TF-1's op on the logits.
   */
  loss: 'seed' | 'softmax_cross_entropy';
}

export const MODEL_SPECS: Record<string, ModelSpec> = {
  softmax: {
    description: "softmax regression, the seed's model (784 -> 10, plain gradient descent)",
    defaultLearningRate: 0.5,
    defaultOptimizer: 'sgd',
    input: 'flat',
    layers: [{ kind: 'dense', name: 'W', units: 10, weights: { kind: 'zeros' }, bias: null, bare: true }],
    loss: 'seed',
  },
  mlp: {
    description: "tinyflow's MLP with automatic layers (784 -> 100 ReLU -> 10, Adam)",
    defaultLearningRate: 0.005,
    defaultOptimizer: 'adam',
    input: 'flat',
    layers: [{ kind: 'linear', name: 'fc1', units: 100 }, { kind: 'relu' }, { kind: 'linear', name: 'fc2', units: 10 }],
    loss: 'softmax_cross_entropy',
  },
  lenet: {
    description: "tinyflow's LeNet with automatic layers (conv 20 -> pool -> conv 50 -> pool -> 500 -> 10, tanh, NCHW, Adam)",
    defaultLearningRate: 0.002,
    defaultOptimizer: 'adam',
    input: 'nchw',
    // VALID convolutions (classic LeNet: 28 → 24 → 12 → 8 → 4, 800 features) where tinyflow's default is
    // SAME: 3× less work on a CPU for the same accuracy.
    layers: [
      { kind: 'conv_layer', name: 'conv1', filters: 20, ksize: 5, pad: 'VALID' },
      { kind: 'tanh' },
      { kind: 'max_pool_layer', size: 2 },
      { kind: 'conv_layer', name: 'conv2', filters: 50, ksize: 5, pad: 'VALID' },
      { kind: 'tanh' },
      { kind: 'max_pool_layer', size: 2 },
      { kind: 'flatten' },
      { kind: 'linear', name: 'fc1', units: 500 },
      { kind: 'tanh' },
      { kind: 'linear', name: 'fc2', units: 10 },
    ],
    loss: 'softmax_cross_entropy',
  },
  cnn: {
    description: 'a TF-1 CNN in the Deep MNIST tutorial style (conv 16 -> pool -> conv 32 -> pool -> 256 -> 10, ReLU, NHWC, Adam)',
    defaultLearningRate: 0.001,
    defaultOptimizer: 'adam',
    input: 'flat',
    // Narrower than the tutorial (16 / 32 filters and 256 units instead of 32 / 64 / 1024), without
    // dropout, so that it trains in minutes on a CPU backend.
    layers: [
      { kind: 'reshape', shape: [28, 28, 1] },
      { kind: 'conv', name: 'conv1', filters: 16, ksize: 5, weights: { kind: 'truncated_normal', stddev: 0.1 }, bias: { kind: 'constant', value: 0.1 } },
      { kind: 'relu' },
      { kind: 'max_pool', size: 2 },
      { kind: 'conv', name: 'conv2', filters: 32, ksize: 5, weights: { kind: 'truncated_normal', stddev: 0.1 }, bias: { kind: 'constant', value: 0.1 } },
      { kind: 'relu' },
      { kind: 'max_pool', size: 2 },
      { kind: 'reshape', shape: [7 * 7 * 32] },
      { kind: 'dense', name: 'fc1', units: 256, weights: { kind: 'truncated_normal', stddev: 0.1 }, bias: { kind: 'constant', value: 0.1 } },
      { kind: 'relu' },
      { kind: 'dense', name: 'fc2', units: 10, weights: { kind: 'truncated_normal', stddev: 0.1 }, bias: { kind: 'constant', value: 0.1 } },
    ],
    loss: 'softmax_cross_entropy',
  },
};

/** The spec of a zoo model by name; own properties only ('constructor' is not a model). */
export function modelSpec(name: string): ModelSpec | undefined {
  return Object.hasOwn(MODEL_SPECS, name) ? MODEL_SPECS[name] : undefined;
}

/** MNIST's class count: every zoo spec is written with this many outputs. */
export const DEFAULT_NUM_CLASSES = 10;

/**
 * The spec with its output layer (the last dense or linear layer) sized for `numClasses`: the class count
 * comes from the data set, the zoo's specs are written for MNIST's 10.
 */
export function withClasses(spec: ModelSpec, numClasses: number): ModelSpec {
  if (!Number.isSafeInteger(numClasses) || numClasses < 2) throw new RangeError(`numClasses must be an integer of at least 2, got ${String(numClasses)}`);
  if (numClasses === DEFAULT_NUM_CLASSES) return spec;
  const isOutput = (l: LayerSpec): l is Extract<LayerSpec, { kind: 'dense' | 'linear' | 'layers_dense' }> => l.kind === 'dense' || l.kind === 'linear' || l.kind === 'layers_dense';
  const last = spec.layers.map(isOutput).lastIndexOf(true);
  return { ...spec, layers: spec.layers.map((layer, i) => (i === last && isOutput(layer) ? { ...layer, units: numClasses } : layer)) };
}

/** One example's shape as the first layer sees it (see ModelSpec.exampleShape). */
export function exampleShapeOf(spec: ModelSpec): number[] {
  return spec.exampleShape !== undefined ? [...spec.exampleShape] : spec.input === 'flat' ? [784] : [1, 28, 28];
}

/** The flat feed's width for a spec whose input is 'flat'. */
export function flatWidth(spec: ModelSpec): number {
  return exampleShapeOf(spec).reduce((a, b) => a * b, 1);
}

/** TF's SAME / VALID output length of a window sliding over `n` (the caller has checked VALID fits). */
function windowOut(n: number, window: number, stride: number, padding: 'same' | 'valid'): number {
  return padding === 'same' ? Math.ceil(n / stride) : Math.floor((n - window) / stride) + 1;
}

/**
 * Each layer's output shape for one example (no batch dimension), in the layer's own layout: what
 * the code generator writes as literals and the builder checks its graph against.
 */
export function layerShapes(spec: ModelSpec): number[][] {
  let shape = exampleShapeOf(spec);
  const out: number[][] = [];
  for (const layer of spec.layers) {
    shape = nextShape(shape, layer);
    out.push(shape);
  }
  return out;
}

function nextShape(shape: number[], layer: LayerSpec): number[] {
  switch (layer.kind) {
    case 'dense':
    case 'linear':
      return [layer.units];
    case 'conv':
      return [shape[0], shape[1], layer.filters];
    case 'conv_layer': {
      const shrink = layer.pad === 'VALID' ? layer.ksize - 1 : 0;
      return [layer.filters, shape[1] - shrink, shape[2] - shrink];
    }
    case 'max_pool':
      return [Math.ceil(shape[0] / layer.size), Math.ceil(shape[1] / layer.size), shape[2]];
    case 'max_pool_layer':
      return [shape[0], Math.ceil(shape[1] / layer.size), Math.ceil(shape[2] / layer.size)];
    case 'reshape':
      return [...layer.shape];
    case 'flatten':
      return [shape.reduce((a, b) => a * b, 1)];
    case 'relu':
    case 'tanh':
    case 'layers_dropout':
    case 'layers_batch_norm':
      return shape;
    case 'layers_dense':
      return [layer.units];
    case 'layers_conv2d':
      return [windowOut(shape[0], layer.kernel, layer.stride, layer.padding), windowOut(shape[1], layer.kernel, layer.stride, layer.padding), layer.filters];
    case 'layers_pool':
      return [windowOut(shape[0], layer.size, layer.stride, layer.padding), windowOut(shape[1], layer.size, layer.stride, layer.padding), shape[2]];
    case 'layers_flatten':
      return [shape.reduce((a, b) => a * b, 1)];
  }
}
