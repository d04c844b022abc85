/** The model zoo used by the CLI and the app; each entry builds its graph in the default graph. */
import { InvalidArgumentError } from '../errors';
import type { BuiltModel, ModelOptions } from './model';
import { buildFromSpec } from './build';
import type { OptimizerName } from './optimizer-choice';
import { MODEL_SPECS } from './spec';

export type { BuiltModel, ModelOptions, OptimizerName };
export { OPTIMIZER_NAMES, isOptimizerName } from './optimizer-choice';
export { DEFAULT_NUM_CLASSES, MODEL_SPECS, layerShapes, withClasses, type LayerSpec, type ModelSpec } from './spec';
export { modelCode, type CodeOptions } from './code';

export interface ModelEntry {
  description: string;
  defaultLearningRate: number;
  defaultOptimizer: OptimizerName;
  build(options: ModelOptions): BuiltModel;
}

/** Every zoo model, built from its spec (spec.ts): the same data the shown code is generated from. */
export const MODELS: Record<string, ModelEntry> = Object.fromEntries(
  Object.entries(MODEL_SPECS).map(([name, spec]) => [
    name,
    {
      description: spec.description,
      defaultLearningRate: spec.defaultLearningRate,
      defaultOptimizer: spec.defaultOptimizer,
      build: (options: ModelOptions) => buildFromSpec(name, spec, options),
    },
  ]),
);

export function modelEntry(name: string): ModelEntry {
  // Own properties only: 'constructor', '__proto__' or 'toString' are names a user can send, not models.
  const entry = Object.hasOwn(MODELS, name) ? MODELS[name] : undefined;
  if (entry === undefined) throw new InvalidArgumentError(`unknown model '${name}'; known: ${Object.keys(MODELS).join(', ')}`);
  return entry;
}
