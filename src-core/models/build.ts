/**
 * Builds a zoo model's graph from its spec (spec.ts) in the default graph: the layers in order, then
 * the labels, the loss, the optimizer's train op and the accuracy. Each layer's static shape is checked
 * against the spec's own arithmetic, so the code text generated from the same spec states true shapes.
 */
import * as m from '../api/math-core';
import { linear, flatten_layer } from '../api/layers';
import { conv2d, max_pool } from '../api/conv-layers';
import { truncated_normal } from '../api/random';
import { constant, zeros } from '../api/tf-array';
import { assign, placeholder, trainable_variables, VariableFn } from '../api/variables';
import { gradients } from '../autodiff';
import { GraphKeys } from '../api/collections';
import { InternalError } from '../errors';
import type { Operation } from '../graph/operation';
import { Tensor } from '../graph/tensor';
import type { BuiltModel, ModelLayer, ModelOptions, VariableGradient } from './model';
import { makeOptimizer, type OptimizerName } from './optimizer-choice';
import { DEFAULT_NUM_CLASSES, exampleShapeOf, layerShapes, withClasses, type Init, type LayerSpec, type ModelSpec } from './spec';
import { applyUserLayer, isUserLayer, userInput } from './user-layers';

function initial(init: Init, shape: number[]): Tensor {
  switch (init.kind) {
    case 'zeros':
      return zeros(shape);
    case 'truncated_normal':
      return truncated_normal(shape, { stddev: init.stddev });
    case 'constant':
      return constant(init.value, { shape });
  }
}

/** `shape`: the layer's input shape for one example; `training`: the model's flag (user models only). */
function applyLayer(h: Tensor, layer: LayerSpec, shape: number[], training: Tensor | null): Tensor {
  if (isUserLayer(layer)) {
    if (training === null) throw new InternalError(`layer kind '${layer.kind}' needs a spec with an exampleShape (the training flag)`);
    return applyUserLayer(h, layer, training);
  }
  switch (layer.kind) {
    case 'dense': {
      const W = VariableFn(initial(layer.weights, [shape[0], layer.units]), { name: layer.bare ? layer.name : `${layer.name}/W` });
      const product = m.matmul(h, W);
      return layer.bias === null ? product : m.add(product, VariableFn(initial(layer.bias, [layer.units]), { name: `${layer.name}/b` }));
    }
    case 'linear':
      return linear(h, { num_hidden: layer.units, name: layer.name });
    case 'conv': {
      const W = VariableFn(initial(layer.weights, [layer.ksize, layer.ksize, shape[2], layer.filters]), { name: `${layer.name}/W` });
      const b = VariableFn(initial(layer.bias, [layer.filters]), { name: `${layer.name}/b` });
      return m.biasAdd(m.conv2d(h, W, { strides: [1, 1, 1, 1], padding: 'SAME', data_format: 'NHWC', dilations: [1, 1, 1, 1] }), b, 'NHWC');
    }
    case 'conv_layer':
      return conv2d(h, { num_filter: layer.filters, ksize: layer.ksize, pad: layer.pad, name: layer.name, no_bias: false });
    case 'max_pool':
      return m.maxPool(h, { ksize: [1, layer.size, layer.size, 1], strides: [1, layer.size, layer.size, 1], padding: 'SAME', data_format: 'NHWC' });
    case 'max_pool_layer':
      return max_pool(h, { ksize: layer.size, strides: layer.size });
    case 'reshape':
      return m.reshape(h, [-1, ...layer.shape]);
    case 'flatten':
      return flatten_layer(h);
    case 'relu':
      return m.relu(h);
    case 'tanh':
      return m.tanh(h);
  }
}

export function buildFromSpec(name: string, zooSpec: ModelSpec, { learningRate, optimizer = zooSpec.defaultOptimizer, numClasses = DEFAULT_NUM_CLASSES }: ModelOptions): BuiltModel {
  const spec = withClasses(zooSpec, numClasses);
  const user = spec.exampleShape === undefined ? null : userInput(spec.exampleShape);
  const x = user?.x ?? placeholder('float32', spec.input === 'flat' ? [null, 784] : [null, 1, 28, 28], 'x');
  const training = user?.training ?? null;
  const shapes = layerShapes(spec);
  let h = user?.h ?? x;
  let shape = exampleShapeOf(spec);
  const layers: ModelLayer[] = [];
  const names = layerNames(spec.layers);
  spec.layers.forEach((layer, i) => {
    const before = new Set(trainable_variables(x.graph));
    h = applyLayer(h, layer, shape, training);
    const weights = trainable_variables(x.graph).filter((v) => !before.has(v));
    layers.push({ name: names[i], kind: layerKind(layer), output: h, weights, dataFormat: spec.input === 'nchw' ? 'NCHW' : 'NHWC' });
    shape = shapes[i];
    const actual = h.shape?.slice(1);
    if (actual !== undefined && actual.some((d, k) => d !== null && d !== shape[k])) {
      throw new InternalError(`model '${name}': layer ${i} (${layer.kind}) makes [${actual.join(', ')}], its spec says [${shape.join(', ')}]`);
    }
  });
  const head = classifierHead(name, h, { loss: spec.loss, optimizer, learningRate, numClasses });
  return { x, ...head, flatten: spec.input === 'flat', layers, ...(training === null ? {} : { training }) };
}

export interface HeadOptions {
  loss: ModelSpec['loss'];
  optimizer: OptimizerName;
  learningRate: number;
  numClasses: number;
}

/**
 * What the studio adds to a model's logits (a zoo spec's or a model file's): labels, loss, the
 * optimizer's update and the metrics.
 */
export function classifierHead(name: string, logits: Tensor, { loss: lossKind, optimizer, learningRate, numClasses }: HeadOptions): Omit<BuiltModel, 'x' | 'flatten' | 'layers' | 'training'> {
  const probabilities = m.softmax(logits);
  const labels = placeholder('float32', [null, numClasses], 'labels');
  const loss = lossKind === 'seed' ? m.reduceMean(m.neg(m.reduceSum(m.mul(labels, m.log(probabilities)), [1]))) : m.reduceMean(m.softmaxCrossEntropy(logits, labels));
  const { trainOp, gradients: grads } = lossKind === 'seed' && optimizer === 'sgd' ? seedUpdate(name, loss, learningRate) : optimizerUpdate(optimizer, loss, learningRate);
  const accuracy = m.reduceMean(m.equal(m.argmax(logits, 1), m.argmax(labels, 1)));
  return { labels, logits, probabilities, loss, trainOp, accuracy, gradients: grads };
}

/**
 * minimize() in its two halves, so the gradients it applies can be fetched beside the train op. The
 * update runs after tf.GraphKeys.UPDATE_OPS (batch normalization's moving averages), as TF-1 programs
 * wrap minimize in control_dependencies on them.
 */
function optimizerUpdate(optimizer: OptimizerName, loss: Tensor, learningRate: number): { trainOp: Operation; gradients: VariableGradient[] } {
  const opt = makeOptimizer(optimizer, learningRate);
  const pairs = opt.compute_gradients(loss);
  const gradients = pairs.flatMap(([gradient, variable]) => (gradient === null ? [] : [{ variable, gradient }]));
  const updates = loss.graph.getCollection(GraphKeys.UPDATE_OPS) as (Tensor | Operation)[];
  const apply = (): Operation => opt.apply_gradients(pairs);
  const trainOp = updates.length === 0 ? apply() : loss.graph.controlDependencies(updates.map((u) => (u instanceof Tensor ? u.op : u)), apply);
  return { trainOp, gradients };
}

const LAYER_KINDS: Partial<Record<LayerSpec['kind'], string>> = {
  dense: 'dense', linear: 'dense', conv: 'conv', conv_layer: 'conv', max_pool: 'pool', max_pool_layer: 'pool',
  layers_dense: 'dense', layers_conv2d: 'conv', layers_pool: 'pool', layers_dropout: 'dropout', layers_flatten: 'flatten', layers_batch_norm: 'batch_norm',
};

function layerKind(layer: LayerSpec): string {
  return LAYER_KINDS[layer.kind] ?? layer.kind;
}

/** A named layer keeps its name; the others are numbered per kind as ConvNetJS does (pool1, tanh2). */
function layerNames(specs: readonly LayerSpec[]): string[] {
  const seen = new Map<string, number>();
  return specs.map((layer) => {
    if ('name' in layer && typeof layer.name === 'string') return layer.name;
    const kind = layerKind(layer);
    const n = (seen.get(kind) ?? 0) + 1;
    seen.set(kind, n);
    return `${kind}${n}`;
  });
}

/** The seed's hand-written update, W ← W − lr · dL/dW (what GradientDescentOptimizer computes too). */
function seedUpdate(name: string, loss: Tensor, learningRate: number): { trainOp: Tensor; gradients: VariableGradient[] } {
  const W = trainable_variables(loss.graph);
  if (W.length !== 1) throw new InternalError(`model '${name}': the seed's update takes one Variable, the model has ${W.length}`);
  const [gradW] = gradients(loss, [W[0]]);
  if (gradW === null) throw new InternalError(`model '${name}': the loss does not depend on ${W[0].op.name}`);
  return { trainOp: assign(W[0], m.sub(W[0], m.mul(learningRate, gradW))), gradients: [{ variable: W[0], gradient: gradW }] };
}
