/**
 * Test plumbing for the web host's socket, at the byte level (a WebSocket library would refuse to send
 * the malformed frames the tests need): raw upgrades, client frames with any bits set, and a reader of
 * the server's frames.
 */
import { connect, type Socket } from 'node:net';

export interface FrameSpec {
  opcode: number;
  payload?: Buffer | string;
  fin?: boolean;
  /** The three RSV bits, 0..7. */
  rsv?: number;
  /** Clients must mask (RFC 6455 §5.1); false sends an unmasked frame. */
  masked?: boolean;
  /** Declares this payload length instead of the real one (for oversized-frame headers). */
  declaredLength?: bigint;
}

const MASK = Buffer.from([0x37, 0xfa, 0x21, 0x3d]);

export function clientFrame(spec: FrameSpec): Buffer {
  const payload = typeof spec.payload === 'string' ? Buffer.from(spec.payload) : (spec.payload ?? Buffer.alloc(0));
  const masked = spec.masked ?? true;
  const length = spec.declaredLength ?? BigInt(payload.length);
  const first = ((spec.fin ?? true) ? 0x80 : 0) | ((spec.rsv ?? 0) << 4) | (spec.opcode & 0x0f);
  const maskBit = masked ? 0x80 : 0;
  let head: Buffer;
  if (length < 126n) head = Buffer.from([first, maskBit | Number(length)]);
  else if (length < 65536n) {
    head = Buffer.from([first, maskBit | 126, 0, 0]);
    head.writeUInt16BE(Number(length), 2);
  } else {
    head = Buffer.alloc(10);
    head[0] = first;
    head[1] = maskBit | 127;
    head.writeBigUInt64BE(length, 2);
  }
  if (!masked) return Buffer.concat([head, payload]);
  const body = Buffer.alloc(payload.length);
  for (let i = 0; i < payload.length; i++) body[i] = payload[i] ^ MASK[i & 3];
  return Buffer.concat([head, MASK, body]);
}

export const textFrame = (text: string): Buffer => clientFrame({ opcode: 1, payload: text });

export interface ServerFrame {
  opcode: number;
  payload: Buffer;
}

export interface RawClient {
  socket: Socket;
  /** The HTTP status line of the upgrade answer. */
  status: string;
  /** Resolves to the next server frame, or null once the connection ends. */
  next(): Promise<ServerFrame | null>;
  /** Resolves to the close code the server sent (null: it hung up without a close frame), skipping other frames. */
  closeCode(): Promise<number | null>;
}

export function upgradeRequest(port: number, token: string, headers: Record<string, string> = {}): string {
  const all: Record<string, string> = {
    Host: `127.0.0.1:${port}`,
    Upgrade: 'websocket',
    Connection: 'Upgrade',
    'Sec-WebSocket-Key': 'dGhlIHNhbXBsZSBub25jZQ==',
    'Sec-WebSocket-Version': '13',
    Origin: `http://127.0.0.1:${port}`,
    ...headers,
  };
  return `GET /api?token=${token} HTTP/1.1\r\n${Object.entries(all).map(([k, v]) => `${k}: ${v}\r\n`).join('')}\r\n`;
}

/** Opens a raw upgrade; resolves once the server answered the handshake. */
export function rawClient(port: number, token: string, headers: Record<string, string> = {}): Promise<RawClient> {
  return new Promise((resolve, reject) => {
    const socket = connect(port, '127.0.0.1', () => socket.write(upgradeRequest(port, token, headers)));
    let buf = Buffer.alloc(0);
    let status: string | null = null;
    let ended = false;
    const waiters: Array<() => void> = [];
    const wake = (): void => {
      for (const w of waiters.splice(0)) w();
    };
    socket.on('error', (e) => (status === null ? reject(e) : undefined));
    socket.on('close', () => {
      ended = true;
      if (status === null) resolve(client(''));
      wake();
    });
    socket.on('data', (d: Buffer) => {
      buf = Buffer.concat([buf, d]);
      if (status === null) {
        const end = buf.indexOf('\r\n\r\n');
        if (end < 0) return;
        status = buf.subarray(0, buf.indexOf('\r\n')).toString('latin1');
        buf = buf.subarray(end + 4);
        resolve(client(status));
      }
      wake();
    });
    const parse = (): ServerFrame | null => {
      if (buf.length < 2) return null;
      let len = buf[1] & 0x7f;
      let off = 2;
      if (len === 126) {
        if (buf.length < 4) return null;
        [len, off] = [buf.readUInt16BE(2), 4];
      } else if (len === 127) {
        if (buf.length < 10) return null;
        [len, off] = [Number(buf.readBigUInt64BE(2)), 10];
      }
      if (buf.length < off + len) return null;
      const frame = { opcode: buf[0] & 0x0f, payload: Buffer.from(buf.subarray(off, off + len)) };
      buf = buf.subarray(off + len);
      return frame;
    };
    const client = (s: string): RawClient => {
      const next = async (): Promise<ServerFrame | null> => {
        for (;;) {
          const frame = parse();
          if (frame !== null) return frame;
          if (ended) return null;
          await new Promise<void>((r) => waiters.push(r));
        }
      };
      return {
        socket,
        status: s,
        next,
        async closeCode() {
          for (;;) {
            const frame = await next();
            if (frame === null) return null;
            if (frame.opcode === 8) return frame.payload.length >= 2 ? frame.payload.readUInt16BE(0) : 1005;
          }
        },
      };
    };
  });
}

/** One raw HTTP request (bytes exactly as given); resolves to the whole answer, headers and body. */
export function rawHttp(port: number, request: string | Buffer, timeoutMs = 5000): Promise<string> {
  return new Promise((resolve, reject) => {
    let text = '';
    const socket = connect(port, '127.0.0.1', () => socket.write(request));
    socket.on('data', (d) => (text += d.toString('latin1')));
    socket.on('error', (e: NodeJS.ErrnoException) => (e.code === 'ECONNRESET' || e.code === 'EPIPE' ? resolve(text) : reject(e)));
    socket.on('close', () => resolve(text));
    socket.setTimeout(timeoutMs, () => socket.destroy(new Error(`no answer in ${timeoutMs} ms`)));
  });
}
