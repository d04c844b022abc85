/**
 * The web host: the built renderer on 127.0.0.1 plus the typed API over a WebSocket at /api. The
 * socket needs the random token of the printed URL, an Origin equal to this server's own and a
 * loopback Host; every message is validated by the shared router before it reaches the compute worker.
 * No request can take the host down: every handler's failure is answered (400 / 404 / 500).
 */
import { randomBytes } from 'node:crypto';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo, Socket } from 'node:net';
import type { Duplex } from 'node:stream';
import type { EventChannel } from '../../src-app-api/channels';
import type { EventPayload } from '../../src-app-api/schemas';
import type { EventEnvelope } from '../../src-app-api/wire';
import { decodeNonFinite, encodeNonFinite } from '../../src-app-api/wire-codec';
import { autosaveBeforeExit, checkpointHandlers } from '../checkpoints/host-handlers';
import { AUTOSAVE_MS, CheckpointLibrary, studioHome } from '../checkpoints/library';
import { onnxExportHandlers } from '../checkpoints/onnx-export-handler';
import { ApiRouter } from '../router';
import { spawnComputeWorker } from '../worker/spawn-worker';
import { WorkerSupervisor } from '../worker/supervisor';
import { ApiSocketServer, type ApiSocketLimits } from './api-socket';
import { acquireHomeLock } from './home-lock';
import { isAllowedHost, securityHeaders } from './http-policy';
import { answer, serveStatic } from './static-files';

export interface WebHostOptions {
  rendererDir: string;
  /** 0 picks a free port. */
  port?: number;
  /** The user-data directory (checkpoints, autosave, recent files); default: studioHome(). */
  home?: string;
  autosaveMs?: number;
  /** The API socket's bounds; default: DEFAULT_LIMITS (tests shrink them to reach them quickly). */
  limits?: ApiSocketLimits;
  /** Where the host reports what it refused or dropped; default: stderr. */
  log?: (line: string) => void;
}

export interface WebHost {
  url: string;
  port: number;
  token: string;
  home: string;
  supervisor: WorkerSupervisor;
  /** Pauses, autosaves, stops the worker, closes the server and releases the home's lock. Safe to call twice. */
  close(): Promise<void>;
  /** Releases the home's lock now, synchronously (a process 'exit' handler); close() does it too. */
  releaseLock(): void;
}

/** Slow or half-sent requests give up their socket after these (the defaults are minutes). */
const HEADERS_TIMEOUT_MS = 10_000;
const REQUEST_TIMEOUT_MS = 30_000;
const MAX_CONNECTIONS = 512;

export async function startWebHost(options: WebHostOptions): Promise<WebHost> {
  const log = options.log ?? ((line: string) => console.error(`tinyflow studio: ${line}`));
  const home = options.home ?? studioHome();
  const library = new CheckpointLibrary(home);
  library.ensureFolders();
  // Before the worker starts: a second host on this home must not restore (and then overwrite) the first's autosave.
  const lock = acquireHomeLock(home, 'web');
  try {
    return await listen(options, home, library, log, lock);
  } catch (e) {
    lock.release();
    throw e;
  }
}

async function listen(
  options: WebHostOptions,
  home: string,
  library: CheckpointLibrary,
  log: (line: string) => void,
  lock: ReturnType<typeof acquireHomeLock>,
): Promise<WebHost> {
  const token = randomBytes(24).toString('hex');
  let port = 0;
  const api: ApiSocketServer = new ApiSocketServer({
    port: () => port,
    token,
    limits: options.limits,
    onDrop: log,
    onMessage: async (text): Promise<string> => {
      let raw: unknown;
      try {
        raw = decodeNonFinite(JSON.parse(text));
      } catch {
        return JSON.stringify({ kind: 'response', id: -1, ok: false, error: 'IPC: rejected: the message is not JSON' });
      }
      return JSON.stringify(encodeNonFinite(await apiRouter.handleRaw(raw)));
    },
  });
  const { autosavePath } = library;
  const supervisor: WorkerSupervisor = new WorkerSupervisor({
    spawn: () => spawnComputeWorker({ autosavePath, autosaveMs: options.autosaveMs ?? AUTOSAVE_MS }),
    onEvent: <E extends EventChannel>(channel: E, payload: EventPayload<E>) => api.broadcast(JSON.stringify(encodeNonFinite({ kind: 'event', channel, payload } satisfies EventEnvelope))),
    autosavePath,
    restoreOnStart: true,
  });
  const apiRouter: ApiRouter = new ApiRouter(supervisor, {
    // No native dialogs in a browser: the Train view's text field is the way to give a folder, and
    // checkpoints live in the checkpoints folder under the user-data directory.
    'dialog:pick-data-dir': async () => ({ path: null }),
    ...checkpointHandlers(supervisor, library, null),
    ...onnxExportHandlers(supervisor, home, null),
    // The page saves a model itself (a download): the browser asks where, as it does for any file.
    'model:save': async () => ({ path: null, download: true }),
  });

  const server = createServer({ headersTimeout: HEADERS_TIMEOUT_MS, requestTimeout: REQUEST_TIMEOUT_MS }, (req, res) => onRequest(req, res));
  server.maxConnections = MAX_CONNECTIONS;
  const onRequest = (req: IncomingMessage, res: ServerResponse): void => {
    try {
      if (!isAllowedHost(req.headers.host, port)) {
        answer(res, port, 421, 'the Host header does not name this host');
        return;
      }
      serveStatic(options.rendererDir, port, req, res).catch((e: unknown) => failed(req, res, e));
    } catch (e) {
      failed(req, res, e);
    }
  };
  const failed = (req: IncomingMessage, res: ServerResponse, e: unknown): void => {
    log(`${String(req.method).slice(0, 16)} ${String(req.url).slice(0, 200)}: ${String(e)}`);
    answer(res, port, 500, 'internal error');
  };
  server.on('upgrade', (req: IncomingMessage, socket: Duplex, head: Buffer) => api.handleUpgrade(req, socket, head));
  // Requests Node's parser rejects (bad method, huge headers, truncated, timed out): answer and hang up.
  server.on('clientError', (error: NodeJS.ErrnoException, socket: Socket) => {
    if (!socket.writable || error.code === 'ECONNRESET') {
      socket.destroy();
      return;
    }
    const status = error.code === 'HPE_HEADER_OVERFLOW' ? 431 : error.code === 'ERR_HTTP_REQUEST_TIMEOUT' ? 408 : 400;
    const headers = Object.entries(securityHeaders(port)).map(([k, v]) => `${k}: ${String(v)}\r\n`).join('');
    socket.end(`HTTP/1.1 ${status} ${status === 431 ? 'Request Header Fields Too Large' : status === 408 ? 'Request Timeout' : 'Bad Request'}\r\n${headers}Connection: close\r\nContent-Length: 0\r\n\r\n`);
  });

  try {
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(options.port ?? 0, '127.0.0.1', () => resolve());
    });
  } catch (e) {
    await supervisor.close();
    throw e;
  }
  server.on('error', (e) => log(`server error: ${String(e)}`));
  port = (server.address() as AddressInfo).port;
  lock.setUrl(`http://127.0.0.1:${port}/`);
  let closing: Promise<void> | null = null;
  return {
    url: `http://127.0.0.1:${port}/?token=${token}`,
    port,
    token,
    home,
    supervisor,
    close() {
      closing ??= (async () => {
        api.close(1001);
        try {
          await autosaveBeforeExit(supervisor, autosavePath);
          await supervisor.close();
        } finally {
          server.closeAllConnections();
          await new Promise<void>((resolve) => server.close(() => resolve()));
          lock.release();
        }
      })();
      return closing;
    },
    releaseLock: () => lock.release(),
  };
}
