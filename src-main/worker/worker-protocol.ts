/** The host ↔ worker control messages that ride beside the API envelopes of src-app-api/wire.ts. */
import type { RequestEnvelope } from '../../src-app-api/wire';

export type HostToWorker = RequestEnvelope | { kind: 'ping'; seq: number };
export type WorkerToHost = { kind: 'pong'; seq: number } | { kind: 'ready' };
