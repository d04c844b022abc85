/**
 * What the app needs to rebuild a session from a checkpoint (the model, the optimizer, the whole config,
 * the step and the loss/accuracy history) travels inside the checkpoint: one `__metadata__` entry of
 * `name.safetensors`, written by tf.train.Saver in the same atomic rename as the weights, so a crash can
 * never pair new weights with an old step. Checkpoints written before that kept it in a sidecar,
 * `name.tinyflow.json`, which is still read when the file itself carries none.
 */
import { readFile } from 'node:fs/promises';
import { z } from 'zod';
import { readSafetensorsMetadata } from '../../src-core/checkpoint/checkpoint-file';
import { HistorySchema, TrainConfigSchema } from '../../src-app-api/schemas';

export const CHECKPOINT_EXT = '.safetensors';
/** The `__metadata__` key whose value is the CheckpointMeta as JSON. */
export const STUDIO_META_KEY = 'tinyflow-studio';

export const CheckpointMetaSchema = z.strictObject({
  format: z.literal('tinyflow-studio-checkpoint'),
  version: z.literal(1),
  config: TrainConfigSchema,
  step: z.number().int().min(0),
  totalSteps: z.number().int().min(0),
  loss: z.number().finite().nullable(),
  testAccuracy: z.number().finite().nullable(),
  savedAt: z.string(),
  /** The charts' loss and accuracy points up to `step`; absent in checkpoints written before it existed. */
  history: HistorySchema.optional(),
});
export type CheckpointMeta = z.infer<typeof CheckpointMetaSchema>;

/** The `__metadata__` entries that carry `meta` (for Saver.save's `metadata` option). */
export function metaEntries(meta: CheckpointMeta): Record<string, string> {
  return { [STUDIO_META_KEY]: JSON.stringify(meta) };
}

/** The sidecar of the old two-file format: read for checkpoints written before, never written. */
export function sidecarPath(checkpointPath: string): string {
  const base = checkpointPath.endsWith(CHECKPOINT_EXT) ? checkpointPath.slice(0, -CHECKPOINT_EXT.length) : checkpointPath;
  return `${base}.tinyflow.json`;
}

export type MetaResult = { ok: true; meta: CheckpointMeta } | { ok: false; reason: string };

/**
 * The checkpoint's metadata, or why there is none: an unreadable or corrupt file, a bare safetensors file
 * (not one of ours), or metadata that fails the schema. Reads only the file's header, never its tensors.
 */
export async function readMetaResult(checkpointPath: string): Promise<MetaResult> {
  let entries: Record<string, string>;
  try {
    entries = await readSafetensorsMetadata(checkpointPath);
  } catch (error) {
    return { ok: false, reason: error instanceof Error ? error.message : String(error) };
  }
  const embedded = entries[STUDIO_META_KEY];
  if (embedded !== undefined) return parseMeta(embedded, `the '${STUDIO_META_KEY}' metadata of '${checkpointPath}'`);
  let sidecar: string;
  try {
    sidecar = await readFile(sidecarPath(checkpointPath), 'utf8');
  } catch {
    return { ok: false, reason: `'${checkpointPath}' is a safetensors file without tinyflow studio metadata (and has no sidecar ${sidecarPath(checkpointPath)})` };
  }
  return parseMeta(sidecar, `the sidecar ${sidecarPath(checkpointPath)}`);
}

/** The checkpoint's metadata, or null when it has none that is readable (see readMetaResult for why). */
export async function readMeta(checkpointPath: string): Promise<CheckpointMeta | null> {
  const result = await readMetaResult(checkpointPath);
  return result.ok ? result.meta : null;
}

function parseMeta(text: string, what: string): MetaResult {
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (error) {
    return { ok: false, reason: `${what} is not valid JSON (${error instanceof Error ? error.message : String(error)})` };
  }
  const parsed = CheckpointMetaSchema.safeParse(json);
  if (parsed.success) return { ok: true, meta: parsed.data };
  const issue = parsed.error.issues[0];
  return { ok: false, reason: `${what} is not a tinyflow studio checkpoint: ${issue.path.join('.') || 'value'}: ${issue.message}` };
}
