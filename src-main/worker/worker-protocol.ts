/** The host ↔ worker control messages that ride beside the API envelopes of src-app-api/wire.ts. */
import type { RequestEnvelope } from '../../src-app-api/wire';
import type { InternalEnvelope } from '../../src-app-api/worker-api';

export type HostToWorker = RequestEnvelope | InternalEnvelope | { kind: 'ping'; seq: number };
export type WorkerToHost = { kind: 'pong'; seq: number } | { kind: 'ready' };
