/**
 * tf.train.RMSPropOptimizer(learning_rate, {decay = 0.9, momentum = 0, epsilon = 1e-10, centered}),
 * TF-1's ApplyRMSProp / ApplyCenteredRMSProp:
 *   ms  ← decay · ms + (1 − decay) · g²                       (slot `rms`, starting at 1 as in TF-1)
 *   mg  ← decay · mg + (1 − decay) · g                        (slot `mg`, centered only, from 0)
 *   mom ← momentum · mom + lr · g / sqrt(ms − mg² + ε)        (slot `momentum`, from 0; no mg² uncentered)
 *   var ← var − mom
 * ε sits inside the square root, as TF-1 has it.
 */
import { InvalidArgumentError } from '../../errors';
import type { Graph } from '../../graph/graph';
import type { Tensor } from '../../graph/tensor';
import * as m from '../math-core';
import { checkKeys, describeValue } from '../options';
import { assign, type Variable } from '../variables';
import { FilledSlotOptimizer } from './filled-slots';

export interface RMSPropOptions {
  learning_rate?: number | Tensor;
  decay?: number;
  momentum?: number;
  epsilon?: number;
  centered?: boolean;
  name?: string;
  use_locking?: boolean;
}

export class RMSProp extends FilledSlotOptimizer {
  private readonly decay: number;
  private readonly momentum: number;
  private readonly epsilon: number;
  private readonly centered: boolean;
  private lr: Tensor | null = null;

  constructor(learningRate: number | Tensor | undefined, options: RMSPropOptions = {}) {
    checkKeys('RMSPropOptimizer', options, ['learning_rate', 'decay', 'momentum', 'epsilon', 'centered', 'name', 'use_locking']);
    const lr = options.learning_rate ?? learningRate;
    if (lr === undefined) throw new InvalidArgumentError('RMSPropOptimizer: learning_rate is required');
    super(options.name ?? 'RMSProp', lr);
    this.decay = options.decay ?? 0.9;
    this.momentum = options.momentum ?? 0;
    this.epsilon = options.epsilon ?? 1e-10;
    this.centered = options.centered ?? false;
    for (const [key, value] of [['decay', this.decay], ['momentum', this.momentum], ['epsilon', this.epsilon]] as const) {
      if (typeof value !== 'number' || !Number.isFinite(value) || value < 0) {
        throw new InvalidArgumentError(`RMSPropOptimizer: ${key} must be a number >= 0, got ${describeValue(value)}`);
      }
    }
    if (typeof this.centered !== 'boolean') throw new InvalidArgumentError(`RMSPropOptimizer: centered must be a boolean, got ${describeValue(this.centered)}`);
  }

  protected createState(_graph: Graph, vars: Variable[]): void {
    // TF-1's creation order, which fixes the slot names: rms (RMSProp), mg, then momentum.
    for (const v of vars) {
      this.filledSlot(v, 'rms', 1);
      if (this.centered) this.filledSlot(v, 'mg', 0);
      this.filledSlot(v, 'momentum', 0);
    }
  }

  protected override prepare(graph: Graph): void {
    this.lr = this.learningRateTensor(graph);
  }

  protected applyDense(grad: Tensor, variable: Variable): Tensor {
    const rho = this.decay;
    const ms = this.filledSlot(variable, 'rms', 1);
    const mom = this.filledSlot(variable, 'momentum', 0);
    const msT = assign(ms, m.add(m.mul(ms, rho), m.mul(m.square(grad), 1 - rho)));
    let denom = msT;
    if (this.centered) {
      const mg = this.filledSlot(variable, 'mg', 0);
      const mgT = assign(mg, m.add(m.mul(mg, rho), m.mul(grad, 1 - rho)));
      denom = m.sub(msT, m.square(mgT));
    }
    const step = m.div(m.mul(this.lr as Tensor, grad), m.sqrt(m.add(denom, this.epsilon)));
    const momT = assign(mom, m.add(m.mul(mom, this.momentum), step));
    return assign(variable, m.sub(variable, momT));
  }
}
