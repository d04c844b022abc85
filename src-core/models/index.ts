/** The model zoo used by the CLI and the app; each entry builds its graph in the default graph. */
import { InvalidArgumentError } from '../errors';
import type { BuiltModel, ModelOptions } from './model';
import { buildCnn } from './cnn';
import { buildLenet } from './lenet';
import { buildMlp } from './mlp';
import type { OptimizerName } from './optimizer-choice';
import { buildSoftmaxRegression } from './softmax-regression';

export type { BuiltModel, ModelOptions, OptimizerName };
export { OPTIMIZER_NAMES, isOptimizerName } from './optimizer-choice';

export interface ModelEntry {
  description: string;
  defaultLearningRate: number;
  defaultOptimizer: OptimizerName;
  build(options: ModelOptions): BuiltModel;
}

export const MODELS: Record<string, ModelEntry> = {
  softmax: {
    description: "softmax regression, the seed's model (784 -> 10, plain gradient descent)",
    defaultLearningRate: 0.5,
    defaultOptimizer: 'sgd',
    build: buildSoftmaxRegression,
  },
  mlp: {
    description: "tinyflow's MLP with automatic layers (784 -> 100 ReLU -> 10, Adam)",
    defaultLearningRate: 0.005,
    defaultOptimizer: 'adam',
    build: buildMlp,
  },
  lenet: {
    description: "tinyflow's LeNet with automatic layers (conv 20 -> pool -> conv 50 -> pool -> 500 -> 10, tanh, NCHW, Adam)",
    defaultLearningRate: 0.002,
    defaultOptimizer: 'adam',
    build: buildLenet,
  },
  cnn: {
    description: 'a TF-1 CNN in the Deep MNIST tutorial style (conv 16 -> pool -> conv 32 -> pool -> 256 -> 10, ReLU, NHWC, Adam)',
    defaultLearningRate: 0.001,
    defaultOptimizer: 'adam',
    build: buildCnn,
  },
};

export function modelEntry(name: string): ModelEntry {
  // Own properties only: 'constructor', '__proto__' or 'toString' are names a user can send, not models.
  const entry = Object.hasOwn(MODELS, name) ? MODELS[name] : undefined;
  if (entry === undefined) throw new InvalidArgumentError(`unknown model '${name}'; known: ${Object.keys(MODELS).join(', ')}`);
  return entry;
}
