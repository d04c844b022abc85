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
/** tf.Variable(initial, {name, trainable}), with or without `new`; also the type of a variable. */
export const Variable = VariableFn;
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
  linear: layers.linear,
  flatten_layer: layers.flatten_layer,
  mean_sparse_softmax_cross_entropy_with_logits: layers.mean_sparse_softmax_cross_entropy_with_logits,
  // TF-1's form or tinyflow's layer form, told apart by the second argument (see conv-layers.ts).
  conv2d: convLayers.conv2d,
  max_pool: convLayers.max_pool,
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

/** tf.Session({backend}) — callable with or without `new`. */
export const Session = function (options?: SessionOptions): SessionClass {
  return new SessionClass(options);
} as unknown as SessionFactory;
// `sess instanceof tf.Session` holds (an InteractiveSession too).
(Session as unknown as { prototype: unknown }).prototype = SessionClass.prototype;
export type Session = SessionClass;
