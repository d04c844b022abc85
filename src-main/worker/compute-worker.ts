/**
 * The compute worker's entry (a Node worker_thread): hosts src-core and the backend registry, validates
 * every request on arrival, answers heartbeats. The Electron main process and the web host both spawn
 * this same module.
 */
import { parentPort, workerData } from 'node:worker_threads';
import { isHostChannel } from '../../src-app-api/channels';
import { errorMessage, parseRequest, type ServerMessage } from '../../src-app-api/wire';
import { decodeNonFinite, encodeNonFinite } from '../../src-app-api/wire-codec';
import { parseInternal, WorkerDataSchema } from '../../src-app-api/worker-api';
import { ComputeEngine, NO_AUTOSAVE, type WorkerChannel } from './engine';
import type { HostToWorker, WorkerToHost } from './worker-protocol';

if (parentPort === null) throw new Error('compute-worker must run as a worker_thread');
const port = parentPort;
// Every envelope is encoded (NaN, ±Infinity tagged) like on the other transports; see wire-codec.ts.
const post = (message: WorkerToHost | ServerMessage): void => port.postMessage(encodeNonFinite(message));

// No workerData (an older host, a test): run without autosaving rather than refuse to start.
const options = workerData === undefined || workerData === null ? NO_AUTOSAVE : WorkerDataSchema.parse(workerData);
const engine = new ComputeEngine((channel, payload) => post({ kind: 'event', channel, payload }), options);

port.on('message', (encoded: HostToWorker) => {
  const raw = decodeNonFinite(encoded) as HostToWorker;
  if (typeof raw === 'object' && raw !== null && raw.kind === 'ping') {
    post({ kind: 'pong', seq: raw.seq });
    return;
  }
  void handle(raw);
});

async function handle(raw: unknown): Promise<void> {
  const id = typeof raw === 'object' && raw !== null && 'id' in raw && typeof raw.id === 'number' ? raw.id : -1;
  try {
    if (typeof raw === 'object' && raw !== null && 'kind' in raw && raw.kind === 'internal') {
      const internal = parseInternal(raw);
      post({ kind: 'response', id, ok: true, result: await engine.handleInternal(internal.channel, internal.payload) });
      return;
    }
    // Validated again here: the worker trusts no sender, and a bad message must not take it down.
    const request = parseRequest(raw);
    if (isHostChannel(request.channel)) throw new Error(`IPC '${request.channel}': answered by the host, not the worker`);
    const channel = request.channel as WorkerChannel;
    const result = await engine.handle(channel, request.payload as never);
    post({ kind: 'response', id, ok: true, result });
  } catch (e) {
    post({ kind: 'response', id, ok: false, error: errorMessage(e) });
  }
}

post({ kind: 'ready' });
