/**
 * Writes and reads a session checkpoint in the worker: the variables (weights and optimizer slots) and
 * the session's metadata (config, step, curves) go through the model's tf.train.Saver as one file, one
 * atomic rename, so a crash at any point leaves either the old checkpoint or the new one, whole.
 */
import { unlink } from 'node:fs/promises';
import { metaEntries, readMetaResult, sidecarPath, type CheckpointMeta } from '../checkpoints/meta';
import type { ModelRuntime } from './model-runtime';
import { modelSourceToMetadata, type UserModelSource } from '../../src-core/models/user-model';

/**
 * The keys `tinyflow export / eval / predict --checkpoint` read beside the weights: the model (its source
 * for a user's own model, so it can be rebuilt without the studio) and its class count.
 */
function modelEntries(runtime: ModelRuntime, meta: CheckpointMeta): Record<string, string> {
  const source: UserModelSource = meta.config.userModel ?? { kind: 'zoo', name: meta.config.model };
  return { model: runtime.name, num_classes: String(runtime.numClasses), model_source: modelSourceToMetadata(source) };
}

export async function writeCheckpoint(runtime: ModelRuntime, path: string, meta: CheckpointMeta): Promise<void> {
  await runtime.saver.save(runtime.session, path, { metadata: { ...modelEntries(runtime, meta), ...metaEntries(meta) } });
  // A sidecar left by the old two-file format no longer describes this file (the embedded metadata wins
  // anyway); removing it keeps a folder from looking like it holds two formats.
  await unlink(sidecarPath(path)).catch(() => undefined);
}

export async function readCheckpointMeta(path: string): Promise<CheckpointMeta> {
  const result = await readMetaResult(path);
  if (!result.ok) throw new Error(`checkpoint '${path}' cannot be opened: ${result.reason}`);
  return result.meta;
}
