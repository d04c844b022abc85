/**
 * The web host: the built renderer on 127.0.0.1 plus the typed API over a WebSocket at /api. The
 * socket needs the random token of the printed URL and an Origin equal to this server's own; every
 * message is validated by the shared router before it reaches the compute worker.
 */
import { randomBytes, timingSafeEqual } from 'node:crypto';
import { createServer, type IncomingMessage } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Duplex } from 'node:stream';
import type { EventChannel } from '../../src-app-api/channels';
import type { EventPayload } from '../../src-app-api/schemas';
import type { EventEnvelope } from '../../src-app-api/wire';
import { autosaveBeforeExit, checkpointHandlers } from '../checkpoints/host-handlers';
import { AUTOSAVE_MS, CheckpointLibrary, studioHome } from '../checkpoints/library';
import { ApiRouter } from '../router';
import { spawnComputeWorker } from '../worker/spawn-worker';
import { WorkerSupervisor } from '../worker/supervisor';
import { serveStatic } from './static-files';
import { handshakeResponse, WebSocketConnection } from './websocket';

export interface WebHostOptions {
  rendererDir: string;
  /** 0 picks a free port. */
  port?: number;
  /** The user-data directory (checkpoints, autosave, recent files); default: studioHome(). */
  home?: string;
  autosaveMs?: number;
}

export interface WebHost {
  url: string;
  port: number;
  token: string;
  supervisor: WorkerSupervisor;
  close(): Promise<void>;
}

export async function startWebHost(options: WebHostOptions): Promise<WebHost> {
  const token = randomBytes(24).toString('hex');
  const clients = new Set<WebSocketConnection>();
  const broadcast = <E extends EventChannel>(channel: E, payload: EventPayload<E>): void => {
    const text = JSON.stringify({ kind: 'event', channel, payload } satisfies EventEnvelope);
    for (const c of clients) c.send(text);
  };
  const library = new CheckpointLibrary(options.home ?? studioHome());
  library.ensureFolders();
  const { autosavePath } = library;
  const supervisor = new WorkerSupervisor({
    spawn: () => spawnComputeWorker({ autosavePath, autosaveMs: options.autosaveMs ?? AUTOSAVE_MS }),
    onEvent: broadcast,
    autosavePath,
    restoreOnStart: true,
  });
  const router = new ApiRouter(supervisor, {
    // No native dialogs in a browser: the Train view's text field is the way to give a folder, and
    // checkpoints live in the checkpoints folder under the user-data directory.
    'dialog:pick-data-dir': async () => ({ path: null }),
    ...checkpointHandlers(supervisor, library, null),
  });

  let port = 0;
  const server = createServer((req, res) => {
    serveStatic(options.rendererDir, port, req, res).catch((e: unknown) => {
      console.error(`tinyflow studio: ${req.method} ${req.url}: ${String(e)}`);
      if (!res.headersSent) res.writeHead(500, { 'Content-Type': 'text/plain' });
      res.end();
    });
  });
  server.on('upgrade', (req: IncomingMessage, socket: Duplex) => {
    let refusal: string | null;
    try {
      refusal = checkUpgrade(req, port, token);
    } catch {
      refusal = '400 Bad Request';
    }
    if (refusal !== null) {
      socket.end(`HTTP/1.1 ${refusal}\r\nConnection: close\r\n\r\n`);
      return;
    }
    // Small request/response frames: without TCP_NODELAY, Nagle + delayed ACK can add ~40 ms per prediction.
    if ('setNoDelay' in socket && typeof socket.setNoDelay === 'function') socket.setNoDelay(true);
    socket.write(handshakeResponse(String(req.headers['sec-websocket-key'])));
    const connection = new WebSocketConnection(
      socket,
      (text) => void onText(text).then((reply) => connection.send(reply)),
      () => clients.delete(connection),
    );
    clients.add(connection);
  });
  const onText = async (text: string): Promise<string> => {
    let raw: unknown;
    try {
      raw = JSON.parse(text);
    } catch {
      return JSON.stringify({ kind: 'response', id: -1, ok: false, error: 'IPC: rejected: the message is not JSON' });
    }
    return JSON.stringify(await router.handleRaw(raw));
  };

  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port ?? 0, '127.0.0.1', () => resolve());
  });
  port = (server.address() as AddressInfo).port;
  return {
    url: `http://127.0.0.1:${port}/?token=${token}`,
    port,
    token,
    supervisor,
    async close() {
      for (const c of clients) c.close(1001);
      await autosaveBeforeExit(supervisor, autosavePath);
      await supervisor.close();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}

/** null when the upgrade may proceed, else the HTTP status line to refuse it with. */
export function checkUpgrade(req: IncomingMessage, port: number, token: string): string | null {
  const url = new URL(req.url ?? '/', 'http://127.0.0.1');
  if (url.pathname !== '/api' || req.headers.upgrade?.toLowerCase() !== 'websocket' || !req.headers['sec-websocket-key']) return '400 Bad Request';
  const given = Buffer.from(url.searchParams.get('token') ?? '');
  const expected = Buffer.from(token);
  if (given.length !== expected.length || !timingSafeEqual(given, expected)) return '401 Unauthorized';
  const origin = req.headers.origin;
  if (origin !== `http://127.0.0.1:${port}` && origin !== `http://localhost:${port}`) return '403 Forbidden';
  return null;
}
