/** The optimizers a zoo model can be trained with, by the names the CLI and the app use. */
import { InvalidArgumentError } from '../errors';
import { AdamOptimizer, GradientDescentOptimizer, MomentumOptimizer, type Optimizer } from '../api/train';

import { OPTIMIZER_NAMES, type OptimizerName } from './optimizer-names';

export { OPTIMIZER_NAMES, type OptimizerName };

/** Momentum's coefficient for `momentum` (the usual 0.9). */
export const MOMENTUM = 0.9;

export function isOptimizerName(name: string): name is OptimizerName {
  return (OPTIMIZER_NAMES as readonly string[]).includes(name);
}

export function makeOptimizer(name: OptimizerName, learningRate: number): Optimizer {
  switch (name) {
    case 'sgd':
      return GradientDescentOptimizer(learningRate);
    case 'momentum':
      return MomentumOptimizer(learningRate, MOMENTUM);
    case 'adam':
      return AdamOptimizer(learningRate);
    default:
      throw new InvalidArgumentError(`unknown optimizer '${String(name)}'; available: ${OPTIMIZER_NAMES.join(', ')}`);
  }
}

/** A sensible rate per optimizer, for when a model is trained with another optimizer than its own. */
export const DEFAULT_LEARNING_RATES: Record<OptimizerName, number> = { sgd: 0.1, momentum: 0.01, adam: 0.001 };
