/**
 * A studio checkpoint as a model the CLI (and the app's host) can run or export: the model named in the
 * checkpoint's studio metadata (or given by the caller for a bare `tinyflow train --save` file), built in
 * its own graph, with the weights read from the file. Only the weights are read; optimizer slots stay on
 * disk. `exportCheckpointToOnnx` is what `tinyflow export` and the app's Export button call.
 */
import * as tf from '../../src-core';
import { modelEntry, MODELS, type BuiltModel } from '../../src-core/models';
import { readSafetensorsFile, readSafetensorsMetadata } from '../../src-core/checkpoint/checkpoint-file';
import { exportOnnx } from '../../src-core/export';
import { InvalidArgumentError, NotFoundError } from '../../src-core/errors';
import { readMetaResult, type CheckpointMeta } from '../../src-main/checkpoints/meta';
import { existsSync } from 'node:fs';

export interface CheckpointModel {
  path: string;
  modelName: string;
  /** The studio metadata, or null for a checkpoint without it (the model was given by name). */
  meta: CheckpointMeta | null;
  graph: tf.Graph;
  model: BuiltModel;
  /** The model's weights by Variable name, as stored in the file. */
  weights: Map<string, tf.NDArray>;
}

/** Loads `path`; `modelName` is needed only when the file has no studio metadata, and must agree when it has. */
export async function loadCheckpointModel(path: string, modelName?: string): Promise<CheckpointModel> {
  if (!existsSync(path)) throw new NotFoundError(`checkpoint '${path}' does not exist`);
  // A corrupt or truncated file is reported as such (DataLossError), not as "give --model".
  await readSafetensorsMetadata(path);
  const metaResult = await readMetaResult(path);
  const meta = metaResult.ok ? metaResult.meta : null;
  let name: string;
  if (meta !== null) {
    name = meta.config.model;
    if (modelName !== undefined && modelName !== name) {
      throw new InvalidArgumentError(`checkpoint '${path}' holds model '${name}', not '${modelName}' (leave --model out: the checkpoint names its model)`);
    }
  } else if (modelName !== undefined) {
    name = modelName;
  } else {
    throw new InvalidArgumentError(`${metaResult.ok ? '' : metaResult.reason}; give the model with --model NAME (${Object.keys(MODELS).join(', ')})`);
  }
  const entry = modelEntry(name);
  const graph = new tf.Graph();
  const { model, variables } = graph.as_default(() => {
    const built = entry.build({ learningRate: entry.defaultLearningRate });
    return { model: built, variables: tf.trainable_variables() };
  });
  const names = variables.map((v) => v.op.name);
  const { tensors } = await readSafetensorsFile(path, { names });
  const weights = new Map<string, tf.NDArray>();
  for (const v of variables) {
    const value = tensors.get(v.op.name);
    const shape = v.shape as number[];
    if (value === undefined) {
      throw new InvalidArgumentError(`checkpoint '${path}' has no tensor '${v.op.name}' (shape [${shape.join(', ')}]) that model '${name}' needs; is it a checkpoint of '${name}'?`);
    }
    if (value.dtype !== 'float32' || value.shape.length !== shape.length || value.shape.some((d, i) => d !== shape[i])) {
      throw new InvalidArgumentError(
        `checkpoint '${path}': tensor '${v.op.name}' is ${value.dtype} [${value.shape.join(', ')}], model '${name}' needs float32 [${shape.join(', ')}]`,
      );
    }
    weights.set(v.op.name, value);
  }
  return { path, modelName: name, meta, graph, model, weights };
}

/** The feeds that put the checkpoint's weights into a session's run (Variables can be fed like placeholders). */
export function weightFeeds(loaded: CheckpointModel): [tf.Tensor, tf.NDArray][] {
  const variables = loaded.graph.as_default(() => tf.trainable_variables());
  return variables.map((v) => [v, loaded.weights.get(v.op.name) as tf.NDArray]);
}

export interface ExportCheckpointOptions {
  /** For a checkpoint without studio metadata. */
  model?: string;
  producerVersion?: string;
}

/** The ONNX bytes of a checkpoint's model: input `x` → `logits`, `probabilities`. */
export async function exportCheckpointToOnnx(path: string, options: ExportCheckpointOptions = {}): Promise<Uint8Array> {
  const loaded = await loadCheckpointModel(path, options.model);
  return exportOnnx({
    input: loaded.model.x,
    outputs: { logits: loaded.model.logits, probabilities: loaded.model.probabilities },
    variables: loaded.weights,
    graphName: loaded.modelName,
    producerVersion: options.producerVersion,
  });
}
