/** tf.train.GradientDescentOptimizer: var ← var − lr · grad. */
import type { Graph } from '../../graph/graph';
import type { Tensor } from '../../graph/tensor';
import * as m from '../math-core';
import { checkKeys } from '../options';
import { assign, type Variable } from '../variables';
import { Optimizer } from './optimizer';

export interface GradientDescentOptions {
  name?: string;
  /** Accepted for TF-1 compatibility; updates are always applied in order. */
  use_locking?: boolean;
}

export class GradientDescent extends Optimizer {
  private lr: Tensor | null = null;

  constructor(learningRate: number | Tensor, options: GradientDescentOptions = {}) {
    checkKeys('GradientDescentOptimizer', options, ['name', 'use_locking']);
    super(options.name ?? 'GradientDescent', learningRate);
  }

  protected createState(): void {}

  protected override prepare(graph: Graph): void {
    this.lr = this.learningRateTensor(graph);
  }

  protected applyDense(grad: Tensor, variable: Variable): Tensor {
    return assign(variable, m.sub(variable, m.mul(this.lr as Tensor, grad)));
  }
}
