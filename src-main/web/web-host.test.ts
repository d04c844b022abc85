import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { connect, type Socket } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startWebHost, type WebHost } from './web-host';

/** A client frame: FIN + opcode, masked as RFC 6455 requires of clients. */
function clientFrame(opcode: number, text: string): Buffer {
  const payload = Buffer.from(text);
  const mask = Buffer.from([1, 2, 3, 4]);
  const len = payload.length;
  const head = len < 126 ? Buffer.from([0x80 | opcode, 0x80 | len]) : Buffer.from([0x80 | opcode, 0x80 | 126, len >> 8, len & 255]);
  return Buffer.concat([head, mask, Buffer.from(payload.map((b, i) => b ^ mask[i & 3]))]);
}

function open(host: WebHost, token: string, origin: string): Promise<{ socket: Socket; status: string }> {
  return new Promise((resolve) => {
    const socket = connect(host.port, '127.0.0.1', () => {
      socket.write(`GET /api?token=${token} HTTP/1.1\r\nHost: 127.0.0.1\r\nUpgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nSec-WebSocket-Version: 13\r\nOrigin: ${origin}\r\n\r\n`);
    });
    socket.once('data', (d) => resolve({ socket, status: d.toString().split('\r\n')[0] }));
  });
}

/** Reads one unmasked server text frame. */
function nextText(socket: Socket): Promise<string> {
  return new Promise((resolve) => {
    let buf = Buffer.alloc(0);
    const onData = (d: Buffer) => {
      buf = Buffer.concat([buf, d]);
      let len = buf[1] & 0x7f;
      let off = 2;
      if (len === 126) [len, off] = [buf.readUInt16BE(2), 4];
      else if (len === 127) [len, off] = [Number(buf.readBigUInt64BE(2)), 10];
      if (buf.length < off + len) return;
      socket.off('data', onData);
      resolve(buf.subarray(off, off + len).toString());
    };
    socket.on('data', onData);
  });
}

/** One raw HTTP/1.1 request (bytes as given, no client-side URL parsing); resolves to the status line. */
function rawRequest(port: number, request: string): Promise<string> {
  return new Promise((resolve, reject) => {
    let text = '';
    const socket = connect(port, '127.0.0.1', () => socket.write(request));
    socket.on('data', (d) => (text += d.toString('latin1')));
    socket.on('error', reject);
    socket.on('close', () => resolve(text.split('\r\n')[0]));
    socket.setTimeout(5000, () => socket.destroy(new Error('no answer in 5 s')));
  });
}

describe('web host', () => {
  let host: WebHost;
  beforeAll(async () => {
    const dir = mkdtempSync(join(tmpdir(), 'renderer-'));
    writeFileSync(join(dir, 'index.html'), '<!doctype html><title>t</title>');
    // Never the user's own ~/.tinyflow-studio: checkpoints and the autosave go to a temp folder.
    host = await startWebHost({ rendererDir: dir, home: mkdtempSync(join(tmpdir(), 'studio-home-')) });
  });
  afterAll(() => host.close());

  it('serves the renderer with a CSP and refuses paths outside it', async () => {
    const res = await fetch(`http://127.0.0.1:${host.port}/`);
    expect(res.status).toBe(200);
    expect(res.headers.get('content-security-policy')).toContain("script-src 'self' 'wasm-unsafe-eval'");
    expect((await fetch(`http://127.0.0.1:${host.port}/..%2f..%2fetc/passwd`)).status).toBeGreaterThanOrEqual(403);
  });

  it('answers 400 to the paths that used to kill it (/%, /%E0%A4%A, //[), in GET and upgrade requests, and keeps serving', async () => {
    for (const path of ['/%', '/%E0%A4%A', '//[']) {
      expect(await rawRequest(host.port, `GET ${path} HTTP/1.1\r\nHost: 127.0.0.1:${host.port}\r\nConnection: close\r\n\r\n`)).toBe('HTTP/1.1 400 Bad Request');
      const upgrade = `GET ${path} HTTP/1.1\r\nHost: 127.0.0.1:${host.port}\r\nUpgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nSec-WebSocket-Version: 13\r\n\r\n`;
      expect(await rawRequest(host.port, upgrade)).toBe('HTTP/1.1 400 Bad Request');
    }
    expect((await fetch(`http://127.0.0.1:${host.port}/`)).status).toBe(200);
  });

  it('checks the token and the Origin before upgrading', async () => {
    const good = `http://127.0.0.1:${host.port}`;
    expect((await open(host, 'wrong', good)).status).toContain('401');
    expect((await open(host, host.token, 'http://evil.example')).status).toContain('403');
    const ok = await open(host, host.token, good);
    expect(ok.status).toContain('101');
    ok.socket.destroy();
  });

  it('answers typed requests over RFC 6455 frames, rejecting bad ones by channel', async () => {
    const { socket } = await open(host, host.token, `http://127.0.0.1:${host.port}`);
    socket.write(clientFrame(1, JSON.stringify({ kind: 'request', id: 1, channel: 'train:set-backend', payload: { backend: 42 } })));
    expect(JSON.parse(await nextText(socket))).toMatchObject({ id: 1, ok: false, error: expect.stringContaining("IPC 'train:set-backend'") });
    socket.write(clientFrame(1, 'not json'));
    expect(JSON.parse(await nextText(socket))).toMatchObject({ ok: false });
    socket.write(clientFrame(1, JSON.stringify({ kind: 'request', id: 2, channel: 'app:info', payload: {} })));
    expect(JSON.parse(await nextText(socket))).toMatchObject({ id: 2, ok: true, result: { backends: expect.arrayContaining(['cpu']) } });
    socket.write(clientFrame(1, JSON.stringify({ kind: 'request', id: 3, channel: 'checkpoint:open', payload: { source: 'folder', name: '../../etc/passwd' } })));
    expect(JSON.parse(await nextText(socket))).toMatchObject({ id: 3, ok: false, error: expect.stringContaining("IPC 'checkpoint:open': rejected: name") });
    socket.write(clientFrame(1, JSON.stringify({ kind: 'request', id: 4, channel: 'checkpoint:list', payload: {} })));
    expect(JSON.parse(await nextText(socket))).toMatchObject({ id: 4, ok: true, result: { nativeDialogs: false, folder: [], recent: [] } });
    socket.destroy();
  });
});
