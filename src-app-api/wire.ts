/**
 * The envelopes every transport carries (Electron IPC, the worker's MessagePort, the WebSocket) and the
 * validation that every receiver runs on arrival. Rejections name the channel and the offending field.
 */
import { z } from 'zod';
import { isRequestChannel, type EventChannel, type RequestChannel } from './channels';
import { API, EVENTS, type EventPayload, type Req, type Res } from './schemas';

export interface RequestEnvelope {
  kind: 'request';
  id: number;
  channel: RequestChannel;
  payload: unknown;
}
export type ResponseEnvelope = { kind: 'response'; id: number; ok: true; result: unknown } | { kind: 'response'; id: number; ok: false; error: string };
export interface EventEnvelope {
  kind: 'event';
  channel: EventChannel;
  payload: unknown;
}
export type ServerMessage = ResponseEnvelope | EventEnvelope;

const RequestShape = z.strictObject({ kind: z.literal('request'), id: z.number().int().min(0), channel: z.string().max(64), payload: z.unknown() });

export class ApiValidationError extends Error {
  constructor(readonly channel: string, detail: string) {
    super(`IPC '${channel}': rejected: ${detail}`);
    this.name = 'ApiValidationError';
  }
}

function describe(error: z.ZodError): string {
  return error.issues.map((i) => `${i.path.length ? i.path.join('.') : '(payload)'}: ${i.message}`).join('; ');
}

/** Validates a raw request envelope and its payload against the channel's schema. */
export function parseRequest(raw: unknown): RequestEnvelope {
  const shape = RequestShape.safeParse(raw);
  const channelName = typeof raw === 'object' && raw !== null && 'channel' in raw ? String((raw as { channel: unknown }).channel).slice(0, 64) : '?';
  if (!shape.success) throw new ApiValidationError(channelName, `malformed envelope: ${describe(shape.error)}`);
  const { id, channel, payload } = shape.data;
  if (!isRequestChannel(channel)) throw new ApiValidationError(channel, 'unknown channel');
  return { kind: 'request', id, channel, payload: parsePayload(channel, payload) };
}

export function parsePayload<C extends RequestChannel>(channel: C, payload: unknown): Req<C> {
  const r = API[channel].request.safeParse(payload);
  if (!r.success) throw new ApiValidationError(channel, describe(r.error));
  return r.data as Req<C>;
}

export function parseResponse<C extends RequestChannel>(channel: C, result: unknown): Res<C> {
  const r = API[channel].response.safeParse(result);
  if (!r.success) throw new ApiValidationError(channel, `bad response: ${describe(r.error)}`);
  return r.data as Res<C>;
}

export function parseEvent<E extends EventChannel>(channel: E, payload: unknown): EventPayload<E> {
  const r = EVENTS[channel].safeParse(payload);
  if (!r.success) throw new ApiValidationError(channel, `bad event: ${describe(r.error)}`);
  return r.data as EventPayload<E>;
}

export function errorMessage(e: unknown): string {
  return e instanceof Error ? e.message : String(e);
}
