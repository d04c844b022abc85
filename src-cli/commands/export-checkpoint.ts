/**
 * A checkpoint as a model the CLI (and the app's host) can run or export: the model its metadata names
 * ('model_source': a zoo name, a layer model or a model file's text; else the studio metadata's model;
 * else the one the caller gives for a bare checkpoint), rebuilt in its own graph, with the weights read
 * from the file. Only the model's own variables are read; optimizer slots stay on disk. `exportCheckpointToOnnx` is what `tinyflow export` and the app's Export button call.
 */
import * as tf from '../../src-core';
import { MODELS, type BuiltModel } from '../../src-core/models';
import { buildPreparedModel, prepareUserModel, userModelDefaults, userModelName, type PreparedModel } from '../../src-core/models/model-file';
import { modelSourceFromMetadata, type UserModelSource } from '../../src-core/models/user-model';
import { readSafetensorsFile, readSafetensorsMetadata } from '../../src-core/checkpoint/checkpoint-file';
import { exportOnnx } from '../../src-core/export';
import { InvalidArgumentError, NotFoundError } from '../../src-core/errors';
import { readMetaResult, type CheckpointMeta } from '../../src-main/checkpoints/meta';
import { existsSync } from 'node:fs';

export interface CheckpointModel {
  path: string;
  /** The zoo name, the layer model's name or the model file's name. */
  modelName: string;
  /** What the model was built from (a zoo name for checkpoints without 'model_source'). */
  source: UserModelSource;
  /** The studio metadata, or null for a checkpoint without it (the model was given by name). */
  meta: CheckpointMeta | null;
  graph: tf.Graph;
  model: BuiltModel;
  /** The images' height and width the model takes (its flat input is height·width). */
  imageShape: [number, number];
  /** The model's own Variables (weights and batch norm's moving statistics; no optimizer slots). */
  variables: tf.Tensor[];
  /** The model's weights by Variable name, as stored in the file. */
  weights: Map<string, tf.NDArray>;
}

/** The Variables `outputs` read: the model's own, not the optimizer's slots nor anything the loss adds. */
function variablesRead(outputs: readonly tf.Tensor[]): tf.Tensor[] {
  const seen = new Set<tf.Operation>();
  const stack = outputs.map((t) => t.op);
  const found: tf.Operation[] = [];
  while (stack.length > 0) {
    const op = stack.pop() as tf.Operation;
    if (seen.has(op)) continue;
    seen.add(op);
    if (op.type === 'VariableV2') found.push(op);
    for (const t of op.inputs) stack.push(t.op);
  }
  return found.sort((a, b) => a.id - b.id).map((op) => op.outputs[0]);
}

/**
 * The checkpoint's model: its 'model_source' metadata (written by the studio and by train --save), else
 * the studio metadata's zoo model, else `modelName` (a bare checkpoint of a zoo model).
 */
async function checkpointSource(path: string, entries: Record<string, string>, meta: CheckpointMeta | null, reason: string, modelName: string | undefined): Promise<UserModelSource> {
  const stored = entries.model_source;
  let source: UserModelSource | null = stored === undefined ? null : modelSourceFromMetadata(stored, `checkpoint '${path}'`);
  if (source === null && meta !== null) source = meta.config.userModel ?? { kind: 'zoo', name: meta.config.model };
  if (source !== null) {
    const name = userModelName(source);
    if (modelName !== undefined && (source.kind !== 'zoo' || modelName !== name)) {
      throw new InvalidArgumentError(`checkpoint '${path}' holds model '${name}', not '${modelName}' (leave --model out: the checkpoint names its model)`);
    }
    return source;
  }
  if (modelName !== undefined) return { kind: 'zoo', name: modelName };
  throw new InvalidArgumentError(`${reason}; give the model with --model NAME (${Object.keys(MODELS).join(', ')})`);
}

/** The class count the checkpoint records, when it records a valid one. */
function recordedClasses(entries: Record<string, string>): number | undefined {
  const n = Number(entries.num_classes);
  return Number.isSafeInteger(n) && n >= 2 ? n : undefined;
}

/** Loads `path`; `modelName` is needed only when the file names no model, and must agree when it does. */
export async function loadCheckpointModel(path: string, modelName?: string): Promise<CheckpointModel> {
  if (!existsSync(path)) throw new NotFoundError(`checkpoint '${path}' does not exist`);
  // A corrupt or truncated file is reported as such (DataLossError), not as "give --model".
  const entries = await readSafetensorsMetadata(path);
  const metaResult = await readMetaResult(path);
  const meta = metaResult.ok ? metaResult.meta : null;
  const source = await checkpointSource(path, entries, meta, metaResult.ok ? '' : metaResult.reason, modelName);
  const name = userModelName(source);
  const prepared = await prepareUserModel(source);
  const numClasses = recordedClasses(entries);
  const graph = new tf.Graph();
  const { model, variables } = graph.as_default(() => {
    const built = buildPreparedModel(prepared, { learningRate: userModelDefaults(source).learningRate, ...(numClasses === undefined ? {} : { numClasses }) });
    return { model: built, variables: variablesRead([built.logits]) };
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
  return { path, modelName: name, source, meta, graph, model, imageShape: imageShapeOf(prepared), variables, weights };
}

/** The images' [height, width] a prepared model takes: its input's, or 28×28 for a flat 784 or the zoo. */
function imageShapeOf(prepared: PreparedModel): [number, number] {
  const input = prepared.kind === 'layers' ? prepared.model.input : prepared.kind === 'file' ? prepared.module.input : null;
  return input !== null && input.length === 3 ? [input[0], input[1]] : [28, 28];
}

/** The feeds that put the checkpoint's weights into a session's run (Variables can be fed like placeholders). */
export function weightFeeds(loaded: CheckpointModel): [tf.Tensor, tf.NDArray][] {
  return loaded.variables.map((v) => [v, loaded.weights.get(v.op.name) as tf.NDArray]);
}

const INFERENCE = tf.NDArray.from(false);

/** Besides the images: a user model's training flag, false (dropout off, batch norm's moving statistics). */
export function inferenceFeeds(loaded: CheckpointModel): [tf.Tensor, tf.NDArray][] {
  return loaded.model.training === undefined ? [] : [[loaded.model.training, INFERENCE]];
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
    constants: inferenceFeeds(loaded),
    graphName: loaded.modelName,
    producerVersion: options.producerVersion,
  });
}
