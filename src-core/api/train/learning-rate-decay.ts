/**
 * tf.train.exponential_decay and the global step: a learning rate that is a Tensor of the step counter,
 * which `minimize(loss, {global_step})` increments after each update.
 */
import { InvalidArgumentError } from '../../errors';
import { getDefaultGraph, type Graph } from '../../graph/graph';
import { Tensor } from '../../graph/tensor';
import * as m from '../math-core';
import { toTensor } from '../convert';
import { checkKeys, describeValue, guarded, isOptionsObject } from '../options';
import { VariableFn, type Variable } from '../variables';

const GLOBAL_STEP = 'global_step';

/** tf.train.get_global_step(): the graph's global step variable, or null if none was made. */
export const get_global_step = guarded('get_global_step', function get_global_step(graph: Graph = getDefaultGraph()): Variable | null {
  const steps = graph.getCollection<Variable>(GLOBAL_STEP);
  if (steps.length > 1) throw new InvalidArgumentError(`get_global_step: the graph has ${steps.length} global steps; there must be one`);
  return steps[0] ?? null;
});

/**
 * tf.train.get_or_create_global_step(): the graph's global step, created on first use as a non-trainable
 * int32 scalar `global_step` starting at 0 (TF-1's is int64, which tinyflow does not have).
 */
export const get_or_create_global_step = guarded('get_or_create_global_step', function get_or_create_global_step(graph: Graph = getDefaultGraph()): Variable {
  const existing = get_global_step(graph);
  if (existing) return existing;
  const step = graph.as_default(() => graph.stateScope('', () => VariableFn(toTensor(0, 'int32', graph, 'global_step'), { name: GLOBAL_STEP, trainable: false })));
  graph.addToCollection(GLOBAL_STEP, step);
  return step;
});

export interface ExponentialDecayOptions {
  staircase?: boolean;
  name?: string;
}

/**
 * tf.train.exponential_decay(learning_rate, global_step, decay_steps, decay_rate, staircase?, name?) or
 * with {staircase, name} last: learning_rate · decay_rate ^ (global_step / decay_steps), the exponent
 * floored with staircase. A float32 scalar Tensor for any optimizer's learning_rate.
 */
export const exponential_decay = guarded('exponential_decay', function exponential_decay(
  learningRate: number | Tensor, globalStep: Tensor | number, decaySteps: number | Tensor, decayRate: number | Tensor,
  staircaseOrOptions?: boolean | ExponentialDecayOptions, name?: string,
): Tensor {
  const fn = 'exponential_decay';
  const opts: ExponentialDecayOptions = isOptionsObject(staircaseOrOptions)
    ? { ...staircaseOrOptions, ...(name === undefined ? {} : { name }) }
    : { staircase: staircaseOrOptions as boolean | undefined, name };
  checkKeys(fn, opts, ['staircase', 'name']);
  if (opts.staircase !== undefined && typeof opts.staircase !== 'boolean') throw new InvalidArgumentError(`${fn}: staircase must be a boolean, got ${describeValue(opts.staircase)}`);
  if (globalStep === undefined || globalStep === null) throw new InvalidArgumentError(`${fn}: global_step is required`);
  for (const [what, v] of [['learning_rate', learningRate], ['global_step', globalStep], ['decay_steps', decaySteps], ['decay_rate', decayRate]] as const) {
    if (v instanceof Tensor) {
      if (v.shape !== null && v.shape.length !== 0) throw new InvalidArgumentError(`${fn}: ${what} must be a scalar, got '${v.name}' of shape [${v.shape.join(', ')}]`);
      if (v.dtype === 'bool') throw new InvalidArgumentError(`${fn}: ${what} must be a number, got the bool tensor '${v.name}'`);
    } else if (typeof v !== 'number' || !Number.isFinite(v)) {
      throw new InvalidArgumentError(`${fn}: ${what} must be a number or a scalar Tensor, got ${describeValue(v)}`);
    }
  }
  if (typeof decaySteps === 'number' && !(decaySteps > 0)) throw new InvalidArgumentError(`${fn}: decay_steps must be positive, got ${decaySteps}`);
  const graph = [learningRate, globalStep, decaySteps, decayRate].find((v): v is Tensor => v instanceof Tensor)?.graph ?? getDefaultGraph();
  const asFloat = (v: number | Tensor, what: string): Tensor =>
    v instanceof Tensor ? (v.dtype === 'float32' ? v : m.cast(v, 'float32')) : toTensor(v, 'float32', graph, what);
  return graph.nameScope(opts.name ?? 'ExponentialDecay', () => {
    const lr = asFloat(learningRate, 'learning_rate');
    let p = m.div(asFloat(globalStep, 'global_step'), asFloat(decaySteps, 'decay_steps'));
    if (opts.staircase) p = m.floor(p);
    return m.mul(lr, m.pow(asFloat(decayRate, 'decay_rate'), p));
  });
});
