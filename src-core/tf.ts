/**
 * The `tf` namespace's members: TF-1's Python names (snake_case) for the public surface.
 * `import * as tf from '../src-core'` or `import tf from '../src-core'`.
 */
import './api/tensor-methods';
import * as nnOps from './api/tf-nn';
import * as nnExtra from './api/tf-nn-activations';
import * as losses from './api/losses';
import * as layers from './api/layers';
import * as convLayers from './api/conv-layers';
import * as train from './api/train';
import * as errors from './errors';
import * as np from './np';
import { getDefaultGraph, resetDefaultGraph, type Graph as GraphClass } from './graph/graph';
import { Graph as GraphFactory } from './api/session-habits';
import { describeValue } from './api/options';
import { Session as SessionClass, type SessionOptions } from './session';

export * from './api/tf-math';
export * from './api/tf-array';
export * from './api/tf-array-extra';
export * from './api/tf-math-extra';
export { random_normal, truncated_normal, random_uniform, set_random_seed } from './api/random';
import { VariableFn, type Variable as VariableClass } from './api/variables';
import { Tensor as TensorClass } from './graph/tensor';
import { Operation as OperationClass } from './graph/operation';
export {
  placeholder, assign, group, global_variables, trainable_variables, variables_initializer,
  global_variables_initializer, initialize_all_variables,
} from './api/variables';
/**
 * tf.Variable(initial, {name, trainable}), with or without `new`; also the type of a variable.
 * @example
 * ```ts
 * const W = tf.Variable(tf.zeros([784, 10]), { name: 'W' });
 * const b = new tf.Variable(tf.zeros([10]));
 * ```
 */
export const Variable = VariableFn;
/**
 * What `tf.Variable()` returns: a Tensor that keeps its value across `run` calls.
 * @interface
 * @example
 * ```ts
 * const step: tf.Variable = tf.Variable(0, { trainable: false });
 * ```
 */
export type Variable = VariableClass;
export { gradients } from './autodiff';
export { Tensor } from './graph/tensor';
export { Operation } from './graph/operation';
export { NDArray } from './ndarray';
export type { DType } from './graph/dtype';
export type { Shape } from './graph/shape';
export type { Fetch, FetchResult, FeedDict, RunOptions, SessionOptions } from './session';
export { errors, np, train, losses };
export { InteractiveSession, get_default_session, type EvalOptions } from './api/session-habits';
export { TensorShape } from './graph/tensor';
/** tf.Graph(), with or without `new`; also the type of a graph. */
export const Graph = GraphFactory;
export type Graph = GraphClass;
/** tf.nn: TF-1's ops plus tinyflow's automatic layers. */
export const nn = {
  ...nnOps,
  ...nnExtra,
  /**
   * tinyflow's fully connected layer: x @ W + b, creating W and b as Variables whose shapes `tf.infer_variable_shapes` finds.
   * @example
   * ```ts
   * const x = tf.placeholder(tf.float32);
   * const fc1 = tf.nn.relu(tf.nn.linear(x, { num_hidden: 100, name: 'fc1' }));
   * ```
   */
  linear: layers.linear,
  /**
   * tinyflow's flatten: [n, ...] to [n, product of the rest].
   * @example
   * ```ts
   * const x = tf.placeholder(tf.float32, [null, 1, 28, 28]);
   * const flat = tf.nn.flatten_layer(x); // [null, 784]
   * ```
   */
  flatten_layer: layers.flatten_layer,
  /**
   * tinyflow's loss: the mean cross-entropy of `logits` against float32 class indices `label`.
   * @example
   * ```ts
   * const x = tf.placeholder(tf.float32);
   * const label = tf.placeholder(tf.float32);
   * const loss = tf.nn.mean_sparse_softmax_cross_entropy_with_logits(tf.nn.linear(x, { num_hidden: 10 }), label);
   * ```
   */
  mean_sparse_softmax_cross_entropy_with_logits: layers.mean_sparse_softmax_cross_entropy_with_logits,
  // TF-1's form or tinyflow's layer form, told apart by the second argument (see conv-layers.ts).
  /**
   * 2-D convolution: TF-1's `conv2d(input, filter, strides, padding)` (NHWC), or tinyflow's layer `conv2d(x, {num_filter, ksize})` (NCHW) that creates its own weights.
   * @example
   * ```ts
   * const x = tf.placeholder(tf.float32, [null, 28, 28, 1]);
   * const W = tf.Variable(tf.truncated_normal([5, 5, 1, 32], { stddev: 0.1 }));
   * const h = tf.nn.conv2d(x, W, [1, 1, 1, 1], 'SAME');
   * const layer = tf.nn.conv2d(tf.placeholder(tf.float32), { num_filter: 32, ksize: 5, name: 'conv1' });
   * ```
   */
  conv2d: convLayers.conv2d,
  /**
   * Max pooling: TF-1's `max_pool(x, {ksize, strides, padding})` (NHWC), or tinyflow's NCHW layer form.
   * @example
   * ```ts
   * const x = tf.placeholder(tf.float32, [null, 28, 28, 32]);
   * const p = tf.nn.max_pool(x, { ksize: [1, 2, 2, 1], strides: [1, 2, 2, 1], padding: 'SAME' });
   * ```
   */
  max_pool: convLayers.max_pool,
  /**
   * Average pooling: TF-1's `avg_pool(x, {ksize, strides, padding})` (NHWC), or tinyflow's NCHW layer form.
   * @example
   * ```ts
   * const x = tf.placeholder(tf.float32, [null, 28, 28, 32]);
   * const p = tf.nn.avg_pool(x, { ksize: [1, 2, 2, 1], strides: [1, 2, 2, 1], padding: 'VALID' });
   * ```
   */
  avg_pool: convLayers.avg_pool,
};
export { infer_variable_shapes } from './api/infer-variable-shapes';
export { variable_scope, get_variable, get_variable_scope, AUTO_REUSE, VariableScope, type VariableScopeOptions, type GetVariableOptions } from './api/variable-scope';
export {
  zeros_initializer, ones_initializer, constant_initializer, random_normal_initializer, truncated_normal_initializer,
  random_uniform_initializer, glorot_uniform_initializer, type Initializer,
} from './api/initializers';
export { GraphKeys, get_collection, add_to_collection } from './api/collections';
/** tf.layers: TF-1's functional layers (dense, conv2d, pooling, dropout, flatten, batch_normalization). */
export * as layers from './api/tf-layers';
export { normal } from './api/normal';

export const float32 = 'float32' as const;
export const int32 = 'int32' as const;
export const bool = 'bool' as const;

export const get_default_graph = getDefaultGraph;
export const reset_default_graph = resetDefaultGraph;

export function name_scope<T>(name: string, fn: () => T): T {
  if (typeof name !== 'string' || name === '') throw new errors.InvalidArgumentError(`name_scope: name must be a non-empty string, got ${describeValue(name)}`);
  if (typeof fn !== 'function') throw new errors.InvalidArgumentError(`name_scope: pass the code to run in the scope as a function, got ${describeValue(fn)}`);
  return getDefaultGraph().nameScope(name, fn);
}

/** Ops created inside `fn` run after `deps` (TF-1's `with tf.control_dependencies(deps):`). */
export function control_dependencies<T>(deps: (OperationClass | TensorClass)[], fn: () => T): T {
  if (!Array.isArray(deps) || deps.some((d) => !(d instanceof TensorClass) && !(d instanceof OperationClass))) {
    throw new errors.InvalidArgumentError(`control_dependencies: deps must be a list of Tensors or Operations, got ${describeValue(deps)}`);
  }
  if (typeof fn !== 'function') throw new errors.InvalidArgumentError(`control_dependencies: pass the code to run as a function, got ${describeValue(fn)}`);
  const ops = deps.map((d) => (d instanceof TensorClass ? d.op : d));
  return getDefaultGraph().controlDependencies(ops, fn);
}

type SessionFactory = {
  (options?: SessionOptions): SessionClass;
  new (options?: SessionOptions): SessionClass;
};

/**
 * tf.Session({backend}) — callable with or without `new`.
 * @example
 * ```ts
 * const sess = tf.Session({ backend: 'cpu' });
 * await sess.run(tf.global_variables_initializer());
 * sess.close();
 * ```
 */
export const Session = function (options?: SessionOptions): SessionClass {
  return new SessionClass(options);
} as unknown as SessionFactory;
// `sess instanceof tf.Session` holds (an InteractiveSession too).
(Session as unknown as { prototype: unknown }).prototype = SessionClass.prototype;
/**
 * What `tf.Session()` returns: `run`, `runSync` and `close`.
 * @interface
 * @example
 * ```ts
 * const sess: tf.Session = tf.Session({ backend: 'wasm' });
 * ```
 */
export type Session = SessionClass;
