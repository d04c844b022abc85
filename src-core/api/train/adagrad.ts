/**
 * tf.train.AdagradOptimizer(learning_rate, {initial_accumulator_value = 0.1}), TF-1's ApplyAdagrad:
 *   accum ← accum + g²                 (slot `accumulator`, starting at initial_accumulator_value)
 *   var   ← var − lr · g / sqrt(accum)  (no epsilon: the positive start keeps the root away from 0)
 */
import { InvalidArgumentError } from '../../errors';
import type { Graph } from '../../graph/graph';
import type { Tensor } from '../../graph/tensor';
import * as m from '../math-core';
import { checkKeys, describeValue } from '../options';
import { assign, type Variable } from '../variables';
import { FilledSlotOptimizer } from './filled-slots';

export interface AdagradOptions {
  learning_rate?: number | Tensor;
  initial_accumulator_value?: number;
  name?: string;
  use_locking?: boolean;
}

export class Adagrad extends FilledSlotOptimizer {
  private readonly initial: number;
  private lr: Tensor | null = null;

  constructor(learningRate: number | Tensor | undefined, options: AdagradOptions = {}) {
    checkKeys('AdagradOptimizer', options, ['learning_rate', 'initial_accumulator_value', 'name', 'use_locking']);
    const lr = options.learning_rate ?? learningRate;
    if (lr === undefined) throw new InvalidArgumentError('AdagradOptimizer: learning_rate is required');
    super(options.name ?? 'Adagrad', lr);
    this.initial = options.initial_accumulator_value ?? 0.1;
    // TF-1 refuses a non-positive start: the first step would divide by sqrt(g²) or by zero.
    if (typeof this.initial !== 'number' || !Number.isFinite(this.initial) || this.initial <= 0) {
      throw new InvalidArgumentError(`AdagradOptimizer: initial_accumulator_value must be positive, got ${describeValue(this.initial)}`);
    }
  }

  protected createState(_graph: Graph, vars: Variable[]): void {
    for (const v of vars) this.filledSlot(v, 'accumulator', this.initial);
  }

  protected override prepare(graph: Graph): void {
    this.lr = this.learningRateTensor(graph);
  }

  protected applyDense(grad: Tensor, variable: Variable): Tensor {
    const accum = this.filledSlot(variable, 'accumulator', this.initial);
    const accT = assign(accum, m.add(accum, m.square(grad)));
    return assign(variable, m.sub(variable, m.div(m.mul(this.lr as Tensor, grad), m.sqrt(accT))));
  }
}
