/**
 * What `tinyflow train --model X` trains: a zoo model by name, or a user's own model from a file (a
 * .ts/.js model file or a layer editor's .tfmodel.json), loaded and imported before training starts so
 * a bad file is reported before any data is read.
 */
import { MODELS, modelEntry, type BuiltModel, type ModelOptions, type OptimizerName } from '../../src-core/models';
import {
  LAYER_MODEL_SUFFIX, MODEL_FILE_EXTENSIONS, buildPreparedModel, loadModelSource, prepareUserModel, userModelDefaults, userModelName,
} from '../../src-core/models/model-file';
import type { UserModelSource } from '../../src-core/models/user-model';
import { UsageError } from '../usage';

export interface ChosenModel {
  /** The zoo name, the layer model's name or the model file's name. */
  name: string;
  description: string;
  defaultLearningRate: number;
  defaultOptimizer: OptimizerName;
  /** The images' [height, width] the model takes. */
  imageShape: [number, number];
  /** For a user's own model: how to build it (the zoo's entry builds itself). */
  build?: (options: ModelOptions) => BuiltModel;
  /** Saved with checkpoints as 'model_source', so eval, predict and export rebuild the model. */
  source: UserModelSource;
}

function looksLikeFile(value: string): boolean {
  const lower = value.toLowerCase();
  return lower.endsWith(LAYER_MODEL_SUFFIX) || MODEL_FILE_EXTENSIONS.some((ext) => lower.endsWith(ext)) || /[/\\]/.test(value);
}

export async function chooseModel(value: string): Promise<ChosenModel> {
  if (Object.hasOwn(MODELS, value)) {
    const entry = modelEntry(value);
    return {
      name: value, description: entry.description, defaultLearningRate: entry.defaultLearningRate, defaultOptimizer: entry.defaultOptimizer, imageShape: [28, 28],
      source: { kind: 'zoo', name: value },
    };
  }
  if (!looksLikeFile(value)) {
    throw new UsageError(`unknown model '${value}'; give one of ${Object.keys(MODELS).join(', ')}, a model file (${MODEL_FILE_EXTENSIONS.join(', ')}) or a layer model (${LAYER_MODEL_SUFFIX})`);
  }
  const source = await loadModelSource(value);
  const prepared = await prepareUserModel(source);
  const defaults = userModelDefaults(source);
  const input = prepared.kind === 'layers' ? prepared.model.input : prepared.kind === 'file' ? prepared.module.input : [784];
  return {
    name: userModelName(source),
    description: defaults.description,
    defaultLearningRate: defaults.learningRate,
    defaultOptimizer: defaults.optimizer,
    imageShape: input.length === 3 ? [input[0], input[1]] : [28, 28],
    build: (options) => buildPreparedModel(prepared, options),
    source,
  };
}

/** A file name made from a model's name (a layer model's name is the user's text). */
export function fileSafe(name: string): string {
  return name.replace(/\.(tfmodel\.json|m?ts|m?js)$/i, '').replace(/[^A-Za-z0-9._-]+/g, '-').slice(0, 64) || 'model';
}
