/**
 * The sidecar that travels with every checkpoint: `name.safetensors` holds the variables (written by
 * tf.train.Saver, whose `__metadata__` carries only its own format tag), `name.tinyflow.json` holds what
 * the app needs to rebuild the session: the model, the optimizer, the whole config, the step and the loss/accuracy history.
 */
import { readFile } from 'node:fs/promises';
import { z } from 'zod';
import { HistorySchema, TrainConfigSchema } from '../../src-app-api/schemas';

export const CHECKPOINT_EXT = '.safetensors';

export const CheckpointMetaSchema = z.strictObject({
  format: z.literal('tinyflow-studio-checkpoint'),
  version: z.literal(1),
  config: TrainConfigSchema,
  step: z.number().int().min(0),
  totalSteps: z.number().int().min(0),
  loss: z.number().finite().nullable(),
  testAccuracy: z.number().finite().nullable(),
  savedAt: z.string(),
  /** The charts' loss and accuracy points up to `step`; absent in sidecars written before it existed. */
  history: HistorySchema.optional(),
});
export type CheckpointMeta = z.infer<typeof CheckpointMetaSchema>;

export function sidecarPath(checkpointPath: string): string {
  const base = checkpointPath.endsWith(CHECKPOINT_EXT) ? checkpointPath.slice(0, -CHECKPOINT_EXT.length) : checkpointPath;
  return `${base}.tinyflow.json`;
}

/** The checkpoint's sidecar, or null when it is missing or not one of ours (a bare safetensors file). */
export async function readMeta(checkpointPath: string): Promise<CheckpointMeta | null> {
  try {
    const parsed = CheckpointMetaSchema.safeParse(JSON.parse(await readFile(sidecarPath(checkpointPath), 'utf8')));
    return parsed.success ? parsed.data : null;
  } catch {
    return null;
  }
}
