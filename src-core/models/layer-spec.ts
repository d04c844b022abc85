/**
 * A layer editor model as a ModelSpec: the one definition build.ts builds and code.ts prints, so the
 * code panel and the trained graph cannot drift apart. Pure: the renderer may import it.
 */
import type { LayerSpec, ModelSpec } from './spec';
import { ModelDefinitionError, summarizeLayerModel, type LayerDef, type LayerModel } from './layer-model';

/** Adam at 1e-3: a default that trains the editor's conv nets and MLPs without tuning. */
const LAYER_MODEL_LEARNING_RATE = 0.001;

function specOf(layer: LayerDef, name: string): LayerSpec {
  switch (layer.type) {
    case 'dense':
      return { kind: 'layers_dense', name, units: layer.units, activation: layer.activation };
    case 'conv2d':
      return { kind: 'layers_conv2d', name, filters: layer.filters, kernel: layer.kernel, stride: layer.stride, padding: layer.padding, activation: layer.activation };
    case 'max_pool':
    case 'avg_pool':
      return { kind: 'layers_pool', name, op: layer.type === 'max_pool' ? 'max' : 'avg', size: layer.size, stride: layer.stride, padding: layer.padding };
    case 'dropout':
      return { kind: 'layers_dropout', name, rate: layer.rate };
    case 'flatten':
      return { kind: 'layers_flatten', name };
    case 'batch_norm':
      return { kind: 'layers_batch_norm', name };
  }
}

/**
 * Layer names: the output layer is 'output', the others their type numbered from 1 per type
 * (conv2d_1, conv2d_2, dense_1): the variable scopes the graph viewer and checkpoints show.
 */
export function layerNames(layers: readonly LayerDef[]): string[] {
  const seen = new Map<string, number>();
  return layers.map((layer, i) => {
    if (i === layers.length - 1) return 'output';
    const n = (seen.get(layer.type) ?? 0) + 1;
    seen.set(layer.type, n);
    return `${layer.type}_${n}`;
  });
}

/**
 * The spec of a layer model with its output sized for `numClasses`. A model with a shape error has no
 * spec: the error (the summary's, naming the layer) is thrown.
 */
export function layerModelToSpec(model: LayerModel, numClasses: number): ModelSpec {
  const summary = summarizeLayerModel(model, numClasses);
  if (summary.error !== null) throw new ModelDefinitionError(`model '${model.name}': ${summary.error}`);
  const names = layerNames(model.layers);
  const layers = model.layers.map((layer, i) => specOf(layer, names[i]));
  const last = layers[layers.length - 1];
  if (last.kind === 'layers_dense') layers[layers.length - 1] = { ...last, units: numClasses };
  return {
    description: `your layer model '${model.name}' (${model.layers.length} layers, ${summary.totalTrainableParams} trainable parameters)`,
    defaultLearningRate: LAYER_MODEL_LEARNING_RATE,
    defaultOptimizer: 'adam',
    input: 'flat',
    exampleShape: [...model.input],
    layers,
    loss: 'softmax_cross_entropy',
  };
}
