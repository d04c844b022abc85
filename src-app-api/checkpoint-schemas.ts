/**
 * The checkpoint part of the typed API. The renderer never names a file system path: it names a
 * checkpoint (web host: a file in the checkpoints folder), an id the host handed out (recent files), or
 * asks for a native dialog (Electron), and the host keeps the real paths to itself.
 */
import { z } from 'zod';

/** Letters, digits, '-' and '_' only: no dots and no separators, so no traversal and no hidden files. */
export const CHECKPOINT_NAME = /^[A-Za-z0-9][A-Za-z0-9_-]{0,63}$/;
export const CheckpointNameSchema = z
  .string()
  .regex(CHECKPOINT_NAME, 'a checkpoint name is 1-64 letters, digits, "-" or "_", starting with a letter or digit (no dots, no slashes)');

/** A recent file's id: a hash of its path, so the renderer can name it without seeing the path. */
export const CheckpointIdSchema = z.string().regex(/^[0-9a-f]{16}$/, 'a checkpoint id is 16 hex digits');

export const OptimizerSchema = z.enum(['sgd', 'momentum', 'adam']);
export type OptimizerChoice = z.infer<typeof OptimizerSchema>;

export const CheckpointInfoSchema = z.strictObject({
  id: CheckpointIdSchema,
  /** The file name without its folder, for display. */
  label: z.string().max(4096),
  model: z.string(),
  step: z.number().int().min(0),
  savedAt: z.string(),
});
export type CheckpointInfo = z.infer<typeof CheckpointInfoSchema>;

export const CheckpointSaveRequest = z.strictObject({
  /** Web host: required, the file is `<name>.safetensors` in the checkpoints folder. Electron: the dialog's suggestion. */
  name: CheckpointNameSchema.nullable(),
});

export const CheckpointOpenRequest = z.discriminatedUnion('source', [
  z.strictObject({ source: z.literal('dialog') }),
  z.strictObject({ source: z.literal('folder'), name: CheckpointNameSchema }),
  z.strictObject({ source: z.literal('recent'), id: CheckpointIdSchema }),
]);
export type CheckpointOpen = z.infer<typeof CheckpointOpenRequest>;

/** A file in the checkpoints folder that could not be listed, and why (file names only, never paths). */
export const SkippedCheckpointSchema = z.strictObject({
  label: z.string().max(4096),
  reason: z.string().max(1000),
});
export type SkippedCheckpoint = z.infer<typeof SkippedCheckpointSchema>;
export const MAX_SKIPPED_LISTED = 100;

export const CheckpointListResponse = z.strictObject({
  /** Whether this host shows native dialogs (Electron) or works with the checkpoints folder (web host). */
  nativeDialogs: z.boolean(),
  folder: z.array(CheckpointInfoSchema),
  recent: z.array(CheckpointInfoSchema).max(10),
  /** Folder files left out of `folder` (unreadable, corrupt, not a studio checkpoint); absent from older hosts. */
  skipped: z.array(SkippedCheckpointSchema).max(MAX_SKIPPED_LISTED).optional(),
});

/** What the renderer learns when a checkpoint or an autosave was restored into the worker. */
export const RestoredSchema = z.strictObject({ step: z.number().int().min(0), source: z.enum(['checkpoint', 'autosave']), label: z.string() });
export type Restored = z.infer<typeof RestoredSchema>;
