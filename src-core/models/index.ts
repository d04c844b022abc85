/** The model zoo used by the CLI and the app; each entry builds its graph in the default graph. */
import { InvalidArgumentError } from '../errors';
import type { BuiltModel, ModelOptions } from './model';
import { buildSoftmaxRegression } from './softmax-regression';

export type { BuiltModel, ModelOptions };

export interface ModelEntry {
  description: string;
  defaultLearningRate: number;
  build(options: ModelOptions): BuiltModel;
}

export const MODELS: Record<string, ModelEntry> = {
  softmax: {
    description: "softmax regression, the seed's model (784 -> 10, plain gradient descent)",
    defaultLearningRate: 0.5,
    build: buildSoftmaxRegression,
  },
};

export function modelEntry(name: string): ModelEntry {
  const entry = MODELS[name];
  if (!entry) throw new InvalidArgumentError(`unknown model '${name}'; available: ${Object.keys(MODELS).join(', ')}`);
  return entry;
}
