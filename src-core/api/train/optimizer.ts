/**
 * The TF-1 Optimizer protocol: `compute_gradients` → [grad, var] pairs, `apply_gradients` → one op that
 * runs every update, `minimize` = both. As in tinyflow's train.py, an optimizer is only graph ops plus
 * assign and group: its state is Variables, its update a group of assigns, run as one fetch.
 */
import { InvalidArgumentError } from '../../errors';
import type { Graph } from '../../graph/graph';
import type { Operation } from '../../graph/operation';
import { Tensor } from '../../graph/tensor';
import { gradients } from '../../autodiff';
import { NoOp } from '../../ops/state';
import * as m from '../math-core';
import { toTensor } from '../convert';
import { checkKeys } from '../options';
import { assign, trainable_variables, type Variable } from '../variables';
import { createSlot } from './slots';

export type GradAndVar = [grad: Tensor | null, variable: Variable];

export interface ComputeGradientsOptions {
  var_list?: Variable[];
}

export interface ApplyGradientsOptions {
  /** Incremented by one after the updates (TF-1's global step). */
  global_step?: Variable;
  name?: string;
}

export interface MinimizeOptions extends ComputeGradientsOptions, ApplyGradientsOptions {}

export abstract class Optimizer {
  /** slot name ('m', 'momentum', ...) → primary variable's op → slot variable. */
  private readonly slots = new Map<string, Map<Operation, Variable>>();

  protected constructor(
    readonly name: string,
    protected readonly learningRate: number | Tensor,
  ) {
    if (!(learningRate instanceof Tensor) && !Number.isFinite(learningRate)) {
      throw new InvalidArgumentError(`${name}: learning_rate must be a number or a Tensor, got ${String(learningRate)}`);
    }
  }

  /**
   * Adds the ops that compute the gradients of `loss` and apply them to `var_list` (every trainable Variable by default).
   * @example
   * ```ts
   * const train_step = tf.train.GradientDescentOptimizer(0.5).minimize(loss);
   * await sess.run(train_step, { feed_dict: [[x, xs], [y_, ys]] });
   * ```
   */
  minimize(loss: Tensor, options: MinimizeOptions = {}): Operation {
    checkKeys(`${this.name}.minimize`, options, ['var_list', 'global_step', 'name']);
    const pairs = this.compute_gradients(loss, { var_list: options.var_list });
    return this.apply_gradients(pairs, { global_step: options.global_step, name: options.name });
  }

  /**
   * The `[gradient, variable]` pairs of `loss` for `var_list` (every trainable Variable by default); the gradient is null where loss does not depend on it.
   * @example
   * ```ts
   * const opt = tf.train.GradientDescentOptimizer(0.1);
   * const pairs = opt.compute_gradients(loss);
   * const train_step = opt.apply_gradients(pairs);
   * ```
   */
  compute_gradients(loss: Tensor, options: ComputeGradientsOptions = {}): GradAndVar[] {
    checkKeys(`${this.name}.compute_gradients`, options, ['var_list']);
    if (!(loss instanceof Tensor)) throw new InvalidArgumentError(`${this.name}.compute_gradients: loss must be a Tensor, got ${String(loss)}`);
    const vars = options.var_list ?? trainable_variables(loss.graph);
    if (vars.length === 0) throw new InvalidArgumentError(`${this.name}.compute_gradients: no variables to optimize`);
    for (const v of vars) {
      if (!(v instanceof Tensor) || v.op.type !== 'VariableV2') {
        throw new InvalidArgumentError(`${this.name}.compute_gradients: var_list must hold Variables, got ${String(v)}`);
      }
    }
    const grads = gradients(loss, vars);
    return vars.map((v, i): GradAndVar => [grads[i], v]);
  }

  /**
   * An Operation that applies `[gradient, variable]` pairs (null gradients are skipped), e.g. after clipping them.
   * @example
   * ```ts
   * const opt = tf.train.MomentumOptimizer(0.01, 0.9);
   * const clipped = opt.compute_gradients(loss).map(([g, v]): tf.train.GradAndVar => [g && tf.minimum(g, 1), v]);
   * const train_step = opt.apply_gradients(clipped);
   * ```
   */
  apply_gradients(gradsAndVars: GradAndVar[], options: ApplyGradientsOptions = {}): Operation {
    checkKeys(`${this.name}.apply_gradients`, options, ['global_step', 'name']);
    const live = gradsAndVars.filter((p): p is [Tensor, Variable] => p[0] !== null);
    if (live.length === 0) {
      const names = gradsAndVars.map(([, v]) => `'${v.op.name}'`).join(', ');
      throw new InvalidArgumentError(`${this.name}: no gradients provided for any variable (${names}); does the loss depend on them?`);
    }
    const graph = live[0][1].graph;
    const name = options.name ?? this.name;
    // State first, outside any name scope or control dependency, so slots get TF's names (`W/Adam`)
    // and their initializers never run the update ops a caller wrapped minimize in.
    graph.stateScope('', () => this.createState(graph, live.map(([, v]) => v)));
    const updates = graph.nameScope(`${name}/update`, () => {
      this.prepare(graph);
      const applied = live.map(([g, v]) => this.applyDense(g, v).op);
      const after = graph.controlDependencies(applied, () => this.finish(graph).map((t) => t.op));
      const step = options.global_step;
      const increment = step ? graph.controlDependencies([...applied, ...after], () => assign(step, m.add(step, 1)).op) : null;
      return increment ? [...applied, ...after, increment] : [...applied, ...after];
    });
    return graph.createOp(NoOp, [], {}, { name, controlInputs: updates });
  }

  /** TF-1's slot names of this optimizer ('m', 'v' for Adam). */
  get_slot_names(): string[] {
    return [...this.slots.keys()];
  }

  get_slot(variable: Variable, slotName: string): Variable | null {
    return this.slots.get(slotName)?.get(variable.op) ?? null;
  }

  /** Creates the slots and other state the updates of `vars` need (idempotent). */
  protected abstract createState(graph: Graph, vars: Variable[]): void;

  /** Builds the update of one variable; returns the new value (an Assign's output). */
  protected abstract applyDense(grad: Tensor, variable: Variable): Tensor;

  /** Ops shared by all updates (Adam's bias-corrected rate), built before them. */
  protected prepare(_graph: Graph): void {}

  /** Ops that run after every update (Adam's beta power accumulators). */
  protected finish(_graph: Graph): Tensor[] {
    return [];
  }

  protected slotFor(variable: Variable, slotName: string): Variable {
    let bySlot = this.slots.get(slotName);
    if (!bySlot) {
      bySlot = new Map();
      this.slots.set(slotName, bySlot);
    }
    let slot = bySlot.get(variable.op);
    if (!slot) {
      slot = createSlot(variable, this.name);
      bySlot.set(variable.op, slot);
    }
    return slot;
  }

  protected learningRateTensor(graph: Graph): Tensor {
    return this.learningRate instanceof Tensor ? this.learningRate : toTensor(this.learningRate, 'float32', graph, 'learning_rate');
  }
}
