/**
 * The web host's API socket at /api, on the `ws` library: ws does the RFC 6455 framing and its checks
 * (RSV bits, control frames, orphan continuations, UTF-8 → close 1002 / 1007, oversized → 1009); this
 * module decides who may upgrade (token, Origin, Host) and keeps one slow or hostile client from
 * growing the host's memory: a bound on each message, on the requests a client has in flight (reading
 * pauses above it, so TCP pushes back) and on its unread output (the client is dropped above it).
 */
import { timingSafeEqual } from 'node:crypto';
import type { IncomingMessage } from 'node:http';
import type { Duplex } from 'node:stream';
import { WebSocketServer, type RawData, type WebSocket } from 'ws';
import { isAllowedHost, isAllowedOrigin } from './http-policy';

/**
 * The largest legitimate message is `predict` / `userset:add`: 784 numbers of at most 24 JSON
 * characters plus a comma (~19.6 kB) in a ~150-byte envelope. 64 KiB leaves three times that.
 */
export const MAX_MESSAGE_BYTES = 64 * 1024;
/** Requests one client may have unanswered before the host stops reading its socket. */
export const MAX_IN_FLIGHT = 32;
/** Output one client may leave unread (beyond the kernel's buffers) before it is dropped; a few of the largest replies (inspect:snapshot, ~0.3 MB). */
export const MAX_UNREAD_OUTPUT_BYTES = 4 * 1024 * 1024;

export interface ApiSocketLimits {
  maxMessageBytes: number;
  maxInFlight: number;
  maxUnreadOutputBytes: number;
}

export const DEFAULT_LIMITS: ApiSocketLimits = { maxMessageBytes: MAX_MESSAGE_BYTES, maxInFlight: MAX_IN_FLIGHT, maxUnreadOutputBytes: MAX_UNREAD_OUTPUT_BYTES };

/** The status an upgrade is refused with, or null when it may proceed. */
export type UpgradeRefusal = { status: number; reason: string } | null;

/** Token in the query, our own Origin, a loopback Host with our port (against DNS rebinding). */
export function checkUpgrade(req: IncomingMessage, port: number, token: string): UpgradeRefusal {
  let url: URL;
  try {
    url = new URL(req.url ?? '/', 'http://127.0.0.1');
  } catch {
    return { status: 400, reason: 'malformed request target' };
  }
  if (url.pathname !== '/api' || req.headers.upgrade?.toLowerCase() !== 'websocket' || !req.headers['sec-websocket-key']) {
    return { status: 400, reason: 'not a WebSocket upgrade to /api' };
  }
  if (!isAllowedHost(req.headers.host, port)) return { status: 421, reason: 'the Host header does not name this host' };
  const given = Buffer.from(url.searchParams.get('token') ?? '');
  const expected = Buffer.from(token);
  if (given.length !== expected.length || !timingSafeEqual(given, expected)) return { status: 401, reason: 'missing or wrong token' };
  if (!isAllowedOrigin(req.headers.origin, port)) return { status: 403, reason: 'the Origin is not this host' };
  return null;
}

export interface ApiSocketOptions {
  port: () => number;
  token: string;
  /** Answers one text message; must not reject (the router turns every error into a reply). */
  onMessage: (text: string) => Promise<string>;
  limits?: ApiSocketLimits;
  /** A connection dropped by the host, and why (logged by the caller). */
  onDrop?: (reason: string) => void;
}

export class ApiSocketServer {
  private readonly wss: WebSocketServer;
  private readonly clients = new Set<WebSocket>();
  private readonly limits: ApiSocketLimits;

  constructor(private readonly options: ApiSocketOptions) {
    this.limits = options.limits ?? DEFAULT_LIMITS;
    // perMessageDeflate off: a compressed frame could inflate far past maxPayload's wire size.
    this.wss = new WebSocketServer({ noServer: true, maxPayload: this.limits.maxMessageBytes, perMessageDeflate: false, clientTracking: false });
  }

  get size(): number {
    return this.clients.size;
  }

  /** The http server's 'upgrade' handler: refuses with a status line, or hands the socket to ws. Never throws. */
  handleUpgrade(req: IncomingMessage, socket: Duplex, head: Buffer): void {
    // Until ws owns the socket nothing listens for its errors; a reset here must not become an uncaught 'error'.
    socket.on('error', () => socket.destroy());
    try {
      const refusal = checkUpgrade(req, this.options.port(), this.options.token);
      if (refusal !== null) {
        const body = `${refusal.reason}\n`;
        socket.end(`HTTP/1.1 ${refusal.status} ${STATUS_TEXT[refusal.status]}\r\nConnection: close\r\nContent-Type: text/plain\r\nContent-Length: ${Buffer.byteLength(body)}\r\n\r\n${body}`);
        return;
      }
      // Small request/response frames: without TCP_NODELAY, Nagle + delayed ACK can add ~40 ms per prediction.
      if ('setNoDelay' in socket && typeof socket.setNoDelay === 'function') socket.setNoDelay(true);
      this.wss.handleUpgrade(req, socket, head, (ws) => this.accept(ws));
    } catch (e) {
      this.options.onDrop?.(`upgrade failed: ${String(e)}`);
      socket.destroy();
    }
  }

  send(ws: WebSocket, text: string): void {
    if (ws.readyState !== ws.OPEN) return;
    if (ws.bufferedAmount > this.limits.maxUnreadOutputBytes) {
      this.drop(ws, 'its unread output passed the bound');
      return;
    }
    ws.send(text);
  }

  broadcast(text: string): void {
    for (const ws of this.clients) this.send(ws, text);
  }

  close(code = 1001): void {
    for (const ws of this.clients) ws.close(code, 'the host is closing');
    this.wss.close();
  }

  private accept(ws: WebSocket): void {
    this.clients.add(ws);
    let inFlight = 0;
    // ws reports protocol violations here after closing with the matching code; without a listener they would be thrown.
    ws.on('error', () => undefined);
    ws.on('close', () => this.clients.delete(ws));
    // ws answers pings itself; a client that pings without reading the pongs is dropped like any other.
    ws.on('ping', () => {
      if (ws.bufferedAmount > this.limits.maxUnreadOutputBytes) this.drop(ws, 'its unread output passed the bound');
    });
    ws.on('message', (data: RawData, isBinary: boolean) => {
      if (isBinary) {
        ws.close(1003, 'text messages only');
        return;
      }
      const text = Buffer.isBuffer(data) ? data.toString('utf8') : Buffer.concat(Array.isArray(data) ? data : [Buffer.from(data)]).toString('utf8');
      if (++inFlight >= this.limits.maxInFlight) ws.pause();
      void this.options.onMessage(text)
        .catch((e: unknown) => JSON.stringify({ kind: 'response', id: -1, ok: false, error: `IPC: internal error: ${String(e)}` }))
        .then((reply) => {
          if (--inFlight < this.limits.maxInFlight && ws.isPaused) ws.resume();
          this.send(ws, reply);
        });
    });
  }

  private drop(ws: WebSocket, reason: string): void {
    this.options.onDrop?.(`dropped a client: ${reason}`);
    // terminate, not close: a close frame would queue behind the output it is not reading.
    ws.terminate();
    this.clients.delete(ws);
  }
}

const STATUS_TEXT: Record<number, string> = { 400: 'Bad Request', 401: 'Unauthorized', 403: 'Forbidden', 421: 'Misdirected Request' };
