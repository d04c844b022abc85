/**
 * The TypeScript a user would write for a zoo model, generated from the spec the model is built from
 * (spec.ts), so the app's code panel shows exactly the running model: its layers, sizes, padding, loss
 * and optimizer. Plain JavaScript syntax only, so the text also evaluates as it stands (tested).
 * Pure: the renderer may import this module.
 */
import type { OptimizerName } from './optimizer-names';
import { DEFAULT_NUM_CLASSES, exampleShapeOf, layerShapes, modelSpec, withClasses, type Init, type LayerSpec, type ModelSpec } from './spec';
import type { Activation } from './layer-model';

export interface CodeOptions {
  /** Default: the model's own. */
  optimizer?: OptimizerName;
  learningRate?: number;
  /** The data set's class count (default 10): the output layer's units and the labels' width. */
  numClasses?: number;
}

const OPTIMIZERS: Record<OptimizerName, (lr: string) => string> = {
  sgd: (lr) => `tf.train.GradientDescentOptimizer(${lr})`,
  momentum: (lr) => `tf.train.MomentumOptimizer(${lr}, 0.9)`,
  adam: (lr) => `tf.train.AdamOptimizer(${lr})`,
};

function list(values: number[]): string {
  return `[${values.join(', ')}]`;
}

function initCode(init: Init, shape: number[]): string {
  switch (init.kind) {
    case 'zeros':
      return `tf.zeros(${list(shape)})`;
    case 'truncated_normal':
      return `tf.truncated_normal(${list(shape)}, { stddev: ${init.stddev} })`;
    case 'constant':
      return `tf.constant(${init.value}, { shape: ${list(shape)} })`;
  }
}

const ACTIVATION_CODE: Record<Activation, string | null> = { none: null, relu: 'tf.nn.relu', tanh: 'tf.nn.tanh', sigmoid: 'tf.nn.sigmoid' };

/** tf.layers' options object: `extra` entries first, then the activation (when any) and the name. */
function layerOptions(name: string, extra: string[], activation: Activation = 'none'): string {
  const fn = ACTIVATION_CODE[activation];
  return `{ ${[...extra, ...(fn === null ? [] : [`activation: ${fn}`]), `name: '${name}'`].join(', ')} }`;
}

/**
 * The layer editor's kinds (user-layers.ts builds them with the same calls and options): batch norm's
 * momentum 0.9 rather than TF's 0.99, so its moving statistics settle within a short studio run.
 */
function tfLayersCode(layer: Extract<LayerSpec, { kind: `layers_${string}` }>): string {
  switch (layer.kind) {
    case 'layers_dense':
      return `h = tf.layers.dense(h, ${layer.units}, ${layerOptions(layer.name, [], layer.activation)});`;
    case 'layers_conv2d':
      return `h = tf.layers.conv2d(h, ${layer.filters}, ${layer.kernel}, ${layerOptions(layer.name, [`strides: ${layer.stride}`, `padding: '${layer.padding}'`], layer.activation)});`;
    case 'layers_pool':
      return `h = tf.layers.${layer.op === 'max' ? 'max_pooling2d' : 'average_pooling2d'}(h, ${layer.size}, ${layer.stride}, ${layerOptions(layer.name, [`padding: '${layer.padding}'`])});`;
    case 'layers_dropout':
      return `h = tf.layers.dropout(h, ${layerOptions(layer.name, [`rate: ${layer.rate}`, 'training'])});`;
    case 'layers_flatten':
      return `h = tf.layers.flatten(h, ${layerOptions(layer.name, [])});`;
    case 'layers_batch_norm':
      return `h = tf.layers.batch_normalization(h, ${layerOptions(layer.name, ['momentum: 0.9', 'training'])});`;
  }
}

/** The statements of one layer, reading and writing `h`; `shape`: its input shape for one example. */
function layerCode(layer: LayerSpec, shape: number[]): string[] {
  switch (layer.kind) {
    case 'dense': {
      const w = layer.bare ? layer.name : `${layer.name}_W`;
      const lines = [`const ${w} = tf.Variable(${initCode(layer.weights, [shape[0], layer.units])}, { name: '${layer.bare ? layer.name : `${layer.name}/W`}' });`];
      if (layer.bias === null) return [...lines, `h = tf.matmul(h, ${w});`];
      return [
        ...lines,
        `const ${layer.name}_b = tf.Variable(${initCode(layer.bias, [layer.units])}, { name: '${layer.name}/b' });`,
        `h = tf.add(tf.matmul(h, ${w}), ${layer.name}_b);`,
      ];
    }
    case 'linear':
      return [`h = tf.nn.linear(h, { num_hidden: ${layer.units}, name: '${layer.name}' });`];
    case 'conv':
      return [
        `const ${layer.name}_W = tf.Variable(${initCode(layer.weights, [layer.ksize, layer.ksize, shape[2], layer.filters])}, { name: '${layer.name}/W' });`,
        `const ${layer.name}_b = tf.Variable(${initCode(layer.bias, [layer.filters])}, { name: '${layer.name}/b' });`,
        `h = tf.nn.bias_add(tf.nn.conv2d(h, ${layer.name}_W, [1, 1, 1, 1], 'SAME'), ${layer.name}_b);`,
      ];
    case 'conv_layer':
      return [`h = tf.nn.conv2d(h, { num_filter: ${layer.filters}, ksize: ${layer.ksize}, pad: '${layer.pad}', name: '${layer.name}', no_bias: false });`];
    case 'max_pool':
      return [`h = tf.nn.max_pool(h, [1, ${layer.size}, ${layer.size}, 1], [1, ${layer.size}, ${layer.size}, 1], 'SAME');`];
    case 'max_pool_layer':
      return [`h = tf.nn.max_pool(h, { ksize: ${layer.size}, strides: ${layer.size} });`];
    case 'reshape':
      return [`h = tf.reshape(h, ${list([-1, ...layer.shape])});`];
    case 'flatten':
      return ['h = tf.nn.flatten_layer(h);'];
    case 'relu':
      return ['h = tf.nn.relu(h);'];
    case 'tanh':
      return ['h = tf.nn.tanh(h);'];
    case 'layers_dense':
    case 'layers_conv2d':
    case 'layers_pool':
    case 'layers_dropout':
    case 'layers_flatten':
    case 'layers_batch_norm':
      return [tfLayersCode(layer)];
  }
}

/** Each layer's statements, with its output shape as a comment. */
function layersCode(spec: ModelSpec): string[] {
  const shapes = layerShapes(spec);
  let shape = exampleShapeOf(spec);
  const lines: string[] = [];
  spec.layers.forEach((layer, i) => {
    const statements = layerCode(layer, shape);
    shape = shapes[i];
    statements[statements.length - 1] += ` // [null, ${shape.join(', ')}]`;
    lines.push(...statements);
  });
  return lines;
}

/** The model's code, or null for a name that is not in the zoo. */
export function modelCode(name: string, options: CodeOptions = {}): string | null {
  const zooSpec = modelSpec(name);
  if (zooSpec === undefined) return null;
  const numClasses = options.numClasses ?? DEFAULT_NUM_CLASSES;
  const spec = withClasses(zooSpec, numClasses);
  const optimizer = options.optimizer ?? spec.defaultOptimizer;
  const learningRate = options.learningRate ?? spec.defaultLearningRate;
  const seedUpdate = spec.loss === 'seed' && optimizer === 'sgd';
  const weights = spec.layers.find((l): l is Extract<LayerSpec, { kind: 'dense' }> => l.kind === 'dense' && l.bare === true);
  const lines = [
    "import * as tf from 'tinyflow';",
    '',
    `// ${name}: ${spec.description}`,
    `const learning_rate = ${learningRate};`,
    `const x = tf.placeholder(tf.float32, ${spec.input === 'flat' ? '[null, 784]' : '[null, 1, 28, 28]'}, 'x');`,
    'let h = x;',
    ...layersCode(spec),
    'const logits = h;',
    `const y_ = tf.placeholder(tf.float32, [null, ${numClasses}], 'labels');`,
    ...(spec.loss === 'seed'
      ? ['const y = tf.nn.softmax(logits);', 'const loss = tf.reduce_mean(tf.negative(tf.reduce_sum(tf.multiply(y_, tf.log(y)), { reduction_indices: [1] })));']
      : ['const loss = tf.reduce_mean(tf.nn.softmax_cross_entropy_with_logits({ logits, labels: y_ }));']),
    ...(seedUpdate && weights !== undefined
      ? [`const ${weights.name}_grad = tf.gradients(loss, [${weights.name}])[0];`, `const train_step = tf.assign(${weights.name}, tf.subtract(${weights.name}, tf.multiply(learning_rate, ${weights.name}_grad)));`]
      : [`const train_step = ${OPTIMIZERS[optimizer]('learning_rate')}.minimize(loss);`]),
    'const accuracy = tf.reduce_mean(tf.cast(tf.equal(tf.argmax(logits, 1), tf.argmax(y_, 1)), tf.float32));',
  ];
  return `${lines.join('\n')}\n`;
}

/**
 * A spec as a model file (../shared/API.md "Model files"): its example shape as `input` and its layers
 * as the default export, which the studio completes with labels, loss, optimizer and metrics. What the
 * code panel shows for a layer editor model; loaded as a model file it builds the same variables.
 */
export function modelFileCode(spec: ModelSpec, name: string): string {
  const input = exampleShapeOf(spec);
  const body = layersCode(spec).map((line) => `  ${line}`);
  const lines = [
    // A name is the user's text: no line break may end the comment early.
    `// ${`${name}: ${spec.description}`.replace(/[\r\n\u2028\u2029]+/g, ' ')}`,
    "// A tinyflow model file: the studio adds the labels, the loss (softmax cross-entropy), the optimizer and the metrics.",
    `export const input = ${list(input)};`,
    '',
    'export default function model(tf, x, { training }) {',
    `  let h = x; // [null, ${input.join(', ')}]`,
    ...body,
    '  return h;',
    '}',
  ];
  return `${lines.join('\n')}\n`;
}
