/**
 * Writes and reads a session checkpoint in the worker: the variables (weights and optimizer slots) go
 * through the model's tf.train.Saver, the rest through the sidecar. The sidecar is written second, so a
 * crash in between leaves new weights with the previous step count, never a sidecar without weights.
 */
import { writeFileAtomic } from '../../src-core/checkpoint/checkpoint-file';
import { readMeta, sidecarPath, type CheckpointMeta } from '../checkpoints/meta';
import type { ModelRuntime } from './model-runtime';

export async function writeCheckpoint(runtime: ModelRuntime, path: string, meta: CheckpointMeta): Promise<void> {
  await runtime.saver.save(runtime.session, path);
  await writeFileAtomic(sidecarPath(path), [new TextEncoder().encode(`${JSON.stringify(meta, null, 2)}\n`)]);
}

export async function readCheckpointMeta(path: string): Promise<CheckpointMeta> {
  const meta = await readMeta(path);
  if (meta === null) throw new Error(`checkpoint '${path}': its sidecar ${sidecarPath(path)} is missing or not a tinyflow studio checkpoint`);
  return meta;
}
