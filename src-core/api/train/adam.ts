/**
 * tf.train.AdamOptimizer, TF-1's ApplyAdam with the bias correction folded into the rate:
 *   lr_t = lr · sqrt(1 − β2^t) / (1 − β1^t)
 *   m ← β1 · m + (1 − β1) · g;   v ← β2 · v + (1 − β2) · g²
 *   var ← var − lr_t · m / (sqrt(v) + ε)
 * β1^t and β2^t are the variables `beta1_power` and `beta2_power` (starting at β1, β2), multiplied by β
 * after every step's updates.
 */
import { InvalidArgumentError } from '../../errors';
import type { Graph } from '../../graph/graph';
import type { Tensor } from '../../graph/tensor';
import * as m from '../math-core';
import { checkKeys } from '../options';
import { assign, type Variable } from '../variables';
import { Optimizer } from './optimizer';
import { createScalarState } from './slots';

export interface AdamOptions {
  learning_rate?: number | Tensor;
  beta1?: number;
  beta2?: number;
  epsilon?: number;
  name?: string;
  use_locking?: boolean;
}

interface BetaPowers {
  beta1Power: Variable;
  beta2Power: Variable;
}

export class Adam extends Optimizer {
  private readonly beta1: number;
  private readonly beta2: number;
  private readonly epsilon: number;
  /** One pair of accumulators per graph, shared by every variable (as in TF-1). */
  private readonly powers = new Map<Graph, BetaPowers>();
  private lrT: Tensor | null = null;

  constructor(learningRate: number | Tensor = 0.001, options: AdamOptions = {}) {
    checkKeys('AdamOptimizer', options, ['learning_rate', 'beta1', 'beta2', 'epsilon', 'name', 'use_locking']);
    super(options.name ?? 'Adam', options.learning_rate ?? learningRate);
    this.beta1 = options.beta1 ?? 0.9;
    this.beta2 = options.beta2 ?? 0.999;
    this.epsilon = options.epsilon ?? 1e-8;
    for (const [key, value] of [['beta1', this.beta1], ['beta2', this.beta2], ['epsilon', this.epsilon]] as const) {
      if (!Number.isFinite(value)) throw new InvalidArgumentError(`AdamOptimizer: ${key} must be a number, got ${String(value)}`);
    }
  }

  protected createState(graph: Graph, vars: Variable[]): void {
    if (!this.powers.has(graph)) {
      this.powers.set(graph, {
        beta1Power: createScalarState(graph, 'beta1_power', this.beta1),
        beta2Power: createScalarState(graph, 'beta2_power', this.beta2),
      });
    }
    for (const v of vars) {
      this.slotFor(v, 'm');
      this.slotFor(v, 'v');
    }
  }

  protected override prepare(graph: Graph): void {
    const { beta1Power, beta2Power } = this.powersOf(graph);
    const lr = this.learningRateTensor(graph);
    this.lrT = m.div(m.mul(lr, m.sqrt(m.sub(1, beta2Power))), m.sub(1, beta1Power), 'learning_rate_t');
  }

  protected applyDense(grad: Tensor, variable: Variable): Tensor {
    const mSlot = this.slotFor(variable, 'm');
    const vSlot = this.slotFor(variable, 'v');
    const mT = assign(mSlot, m.add(m.mul(mSlot, this.beta1), m.mul(grad, 1 - this.beta1)));
    const vT = assign(vSlot, m.add(m.mul(vSlot, this.beta2), m.mul(m.square(grad), 1 - this.beta2)));
    const step = m.div(m.mul(this.lrT as Tensor, mT), m.add(m.sqrt(vT), this.epsilon));
    return assign(variable, m.sub(variable, step));
  }

  protected override finish(graph: Graph): Tensor[] {
    const { beta1Power, beta2Power } = this.powersOf(graph);
    return [assign(beta1Power, m.mul(beta1Power, this.beta1)), assign(beta2Power, m.mul(beta2Power, this.beta2))];
  }

  /** Adam's accumulators `beta1_power` and `beta2_power` in `graph` (after a minimize there). */
  get_beta_accumulators(graph: Graph): [Variable, Variable] {
    const { beta1Power, beta2Power } = this.powersOf(graph);
    return [beta1Power, beta2Power];
  }

  private powersOf(graph: Graph): BetaPowers {
    const p = this.powers.get(graph);
    if (!p) throw new InvalidArgumentError(`${this.name}: no beta accumulators in this graph yet; call minimize or apply_gradients first`);
    return p;
  }
}
