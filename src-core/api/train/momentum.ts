/**
 * tf.train.MomentumOptimizer, TF-1's ApplyMomentum:
 *   accum ← momentum · accum + grad
 *   var   ← var − lr · accum                              (plain)
 *   var   ← var − lr · grad − lr · momentum · accum       (use_nesterov)
 */
import { InvalidArgumentError } from '../../errors';
import type { Graph } from '../../graph/graph';
import type { Tensor } from '../../graph/tensor';
import * as m from '../math-core';
import { checkKeys } from '../options';
import { assign, type Variable } from '../variables';
import { Optimizer } from './optimizer';

export interface MomentumOptions {
  name?: string;
  use_nesterov?: boolean;
  use_locking?: boolean;
}

export class Momentum extends Optimizer {
  private readonly useNesterov: boolean;
  private lr: Tensor | null = null;

  constructor(learningRate: number | Tensor, private readonly momentum: number, options: MomentumOptions = {}) {
    checkKeys('MomentumOptimizer', options, ['name', 'use_nesterov', 'use_locking']);
    super(options.name ?? 'Momentum', learningRate);
    if (!Number.isFinite(momentum)) throw new InvalidArgumentError(`MomentumOptimizer: momentum must be a number, got ${String(momentum)}`);
    this.useNesterov = options.use_nesterov ?? false;
  }

  protected createState(_graph: Graph, vars: Variable[]): void {
    for (const v of vars) this.slotFor(v, 'momentum');
  }

  protected override prepare(graph: Graph): void {
    this.lr = this.learningRateTensor(graph);
  }

  protected applyDense(grad: Tensor, variable: Variable): Tensor {
    const lr = this.lr as Tensor;
    const accum = this.slotFor(variable, 'momentum');
    const newAccum = assign(accum, m.add(m.mul(accum, this.momentum), grad));
    const step = this.useNesterov
      ? m.add(m.mul(grad, lr), m.mul(m.mul(newAccum, this.momentum), lr))
      : m.mul(newAccum, lr);
    return assign(variable, m.sub(variable, step));
  }
}
