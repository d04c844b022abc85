/**
 * The host → worker messages that the renderer can never send: writing and loading checkpoints by path.
 * They ride in their own envelope kind ('internal'), which neither the router nor the preload forwards, so
 * only the main process or the web host (which chose the path) can ask the worker to touch a file.
 */
import { z } from 'zod';
import { RestoredSchema } from './checkpoint-schemas';

const path = z.string().min(1).max(4096);
const Saved = z.strictObject({ model: z.string(), step: z.number().int().min(0), savedAt: z.string() });

export const INTERNAL_API = {
  'checkpoint:write': { request: z.strictObject({ path }), response: Saved },
  /** Rebuilds the checkpoint's model, restores its variables and step; `resume` continues training at once. */
  'checkpoint:load': {
    request: z.strictObject({ path, source: RestoredSchema.shape.source, label: z.string().max(4096), resume: z.boolean() }),
    response: Saved,
  },
  /** Writes the session's inference graph and current weights as ONNX to `path`. */
  'checkpoint:export-onnx': { request: z.strictObject({ path }), response: z.strictObject({ model: z.string(), bytes: z.number().int().min(1) }) },
} as const;

export type InternalChannel = keyof typeof INTERNAL_API;
export type InternalReq<C extends InternalChannel> = z.infer<(typeof INTERNAL_API)[C]['request']>;
export type InternalRes<C extends InternalChannel> = z.infer<(typeof INTERNAL_API)[C]['response']>;

export interface InternalEnvelope {
  kind: 'internal';
  id: number;
  channel: InternalChannel;
  payload: unknown;
}

const InternalShape = z.strictObject({
  kind: z.literal('internal'),
  id: z.number().int().min(0),
  channel: z.enum(Object.keys(INTERNAL_API) as [InternalChannel, ...InternalChannel[]]),
  payload: z.unknown(),
});

/** Validates an internal envelope and its payload; the error names the channel like the public API's. */
export function parseInternal(raw: unknown): { id: number; channel: InternalChannel; payload: InternalReq<InternalChannel> } {
  const shape = InternalShape.safeParse(raw);
  if (!shape.success) throw new Error(`worker: rejected a malformed internal message: ${shape.error.issues.map((i) => i.message).join('; ')}`);
  const { id, channel, payload } = shape.data;
  const r = INTERNAL_API[channel].request.safeParse(payload);
  if (!r.success) throw new Error(`IPC '${channel}': rejected: ${r.error.issues.map((i) => `${i.path.join('.') || '(payload)'}: ${i.message}`).join('; ')}`);
  return { id, channel, payload: r.data };
}

export function parseInternalResponse<C extends InternalChannel>(channel: C, result: unknown): InternalRes<C> {
  const r = INTERNAL_API[channel].response.safeParse(result);
  if (!r.success) throw new Error(`IPC '${channel}': bad response: ${r.error.message}`);
  return r.data as InternalRes<C>;
}

/** What a host hands the worker thread at spawn (its `workerData`), validated when the worker starts. */
export const WorkerDataSchema = z.strictObject({
  /** Where the worker autosaves the running session; null turns autosaving off. */
  autosavePath: path.nullable(),
  autosaveMs: z.number().int().min(100).max(3_600_000),
});
export type WorkerData = z.infer<typeof WorkerDataSchema>;
