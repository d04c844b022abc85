import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { MAX_MESSAGE_BYTES } from './api-socket';
import { startWebHost, type WebHost } from './web-host';
import { clientFrame, rawClient, rawHttp, textFrame, type RawClient } from './ws-test-support';

const get = (port: number, path: string, host = `127.0.0.1:${port}`): string => `GET ${path} HTTP/1.1\r\nHost: ${host}\r\nConnection: close\r\n\r\n`;
const statusOf = (answer: string): string => answer.split('\r\n')[0];

async function reply(client: RawClient): Promise<Record<string, unknown>> {
  for (;;) {
    const frame = await client.next();
    if (frame === null) throw new Error('the connection closed before a reply');
    if (frame.opcode !== 1) continue;
    const message = JSON.parse(frame.payload.toString()) as Record<string, unknown>;
    if (message.kind === 'response') return message;
  }
}

describe('web host', () => {
  let host: WebHost;
  const logged: string[] = [];
  beforeAll(async () => {
    const dir = mkdtempSync(join(tmpdir(), 'renderer-'));
    writeFileSync(join(dir, 'index.html'), '<!doctype html><title>t</title>');
    // Never the user's own ~/.tinyflow-studio: checkpoints and the autosave go to a temp folder.
    host = await startWebHost({ rendererDir: dir, home: mkdtempSync(join(tmpdir(), 'studio-home-')), log: (l) => logged.push(l) });
  });
  afterAll(() => host.close());

  const open = (headers: Record<string, string> = {}, token = host.token): Promise<RawClient> => rawClient(host.port, token, headers);

  it('serves the renderer with a CSP and refuses paths outside it', async () => {
    const res = await fetch(`http://127.0.0.1:${host.port}/`);
    expect(res.status).toBe(200);
    expect(res.headers.get('content-security-policy')).toContain("script-src 'self' 'wasm-unsafe-eval'");
    expect((await fetch(`http://127.0.0.1:${host.port}/..%2f..%2fetc/passwd`)).status).toBeGreaterThanOrEqual(403);
  });

  it('sends the security headers with every answer: the page, 404, 405 and 400', async () => {
    const answers = [
      await fetch(`http://127.0.0.1:${host.port}/?token=${host.token}`),
      await fetch(`http://127.0.0.1:${host.port}/missing.js`),
      await fetch(`http://127.0.0.1:${host.port}/`, { method: 'POST', body: 'x' }),
    ];
    expect(answers.map((a) => a.status)).toEqual([200, 404, 405]);
    for (const a of answers) {
      expect(a.headers.get('content-security-policy')).toContain("frame-ancestors 'none'");
      expect(a.headers.get('x-content-type-options')).toBe('nosniff');
      expect(a.headers.get('x-frame-options')).toBe('DENY');
      expect(a.headers.get('referrer-policy')).toBe('no-referrer');
      expect(a.headers.get('cross-origin-opener-policy')).toBe('same-origin');
      expect(a.headers.get('cross-origin-resource-policy')).toBe('same-origin');
      expect(a.headers.get('cache-control')).toBe('no-store');
    }
    const bad = await rawHttp(host.port, get(host.port, '/%'));
    expect(bad).toMatch(/^HTTP\/1\.1 400 /);
    expect(bad).toMatch(/\r\nx-frame-options: DENY\r\n/i);
  });

  it('answers 400 to the paths that used to kill it (/%, /%E0%A4%A, //[), in GET and upgrade requests, and keeps serving', async () => {
    for (const path of ['/%', '/%E0%A4%A', '//[']) {
      expect(statusOf(await rawHttp(host.port, get(host.port, path)))).toBe('HTTP/1.1 400 Bad Request');
      const upgrade = `GET ${path} HTTP/1.1\r\nHost: 127.0.0.1:${host.port}\r\nUpgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nSec-WebSocket-Version: 13\r\n\r\n`;
      expect(statusOf(await rawHttp(host.port, upgrade))).toBe('HTTP/1.1 400 Bad Request');
    }
    expect((await fetch(`http://127.0.0.1:${host.port}/`)).status).toBe(200);
  });

  it("answers what Node's HTTP parser refuses (huge headers 431, a bad method or version 400) with the security headers", async () => {
    const huge = await rawHttp(host.port, `GET / HTTP/1.1\r\nHost: 127.0.0.1:${host.port}\r\nX-Big: ${'x'.repeat(20_000)}\r\n\r\n`);
    expect(statusOf(huge)).toBe('HTTP/1.1 431 Request Header Fields Too Large');
    expect(huge).toMatch(/\r\nX-Content-Type-Options: nosniff\r\n/i);
    expect(statusOf(await rawHttp(host.port, `G\x00T / HTTP/1.1\r\nHost: 127.0.0.1:${host.port}\r\n\r\n`))).toBe('HTTP/1.1 400 Bad Request');
    expect(statusOf(await rawHttp(host.port, `GET / HTTP/9.9\r\nHost: 127.0.0.1:${host.port}\r\n\r\n`))).toMatch(/^HTTP\/1\.1 (400|505) /);
    expect((await fetch(`http://127.0.0.1:${host.port}/`)).status).toBe(200);
  });

  it('refuses a Host header other than its own loopback names (DNS rebinding), for pages and the socket', async () => {
    expect(statusOf(await rawHttp(host.port, get(host.port, '/', `rebind.example:${host.port}`)))).toBe('HTTP/1.1 421 Misdirected Request');
    expect(statusOf(await rawHttp(host.port, get(host.port, '/', '127.0.0.1:1')))).toBe('HTTP/1.1 421 Misdirected Request');
    expect(statusOf(await rawHttp(host.port, `GET / HTTP/1.1\r\nConnection: close\r\n\r\n`))).toMatch(/^HTTP\/1\.1 4\d\d/);
    for (const name of ['127.0.0.1', 'localhost', '[::1]']) expect(statusOf(await rawHttp(host.port, get(host.port, '/', `${name}:${host.port}`)))).toBe('HTTP/1.1 200 OK');
    // The right token and Origin do not make up for a foreign Host.
    expect((await open({ Host: `rebind.example:${host.port}` })).status).toContain('421');
  });

  it('checks the token and the Origin before upgrading', async () => {
    const good = `http://127.0.0.1:${host.port}`;
    expect((await open({ Origin: good }, 'wrong')).status).toContain('401');
    expect((await open({ Origin: 'http://evil.example' })).status).toContain('403');
    const ok = await open({ Origin: good });
    expect(ok.status).toContain('101');
    ok.socket.destroy();
  });

  it('answers typed requests over RFC 6455 frames, rejecting bad ones by channel', async () => {
    const client = await open();
    client.socket.write(textFrame(JSON.stringify({ kind: 'request', id: 1, channel: 'train:set-backend', payload: { backend: 42 } })));
    expect(await reply(client)).toMatchObject({ id: 1, ok: false, error: expect.stringContaining("IPC 'train:set-backend'") });
    client.socket.write(textFrame('not json'));
    expect(await reply(client)).toMatchObject({ ok: false });
    client.socket.write(textFrame(JSON.stringify({ kind: 'request', id: 2, channel: 'app:info', payload: {} })));
    expect(await reply(client)).toMatchObject({ id: 2, ok: true, result: { backends: expect.arrayContaining(['cpu']) } });
    client.socket.write(textFrame(JSON.stringify({ kind: 'request', id: 3, channel: 'checkpoint:open', payload: { source: 'folder', name: '../../etc/passwd' } })));
    expect(await reply(client)).toMatchObject({ id: 3, ok: false, error: expect.stringContaining("IPC 'checkpoint:open': rejected: name") });
    client.socket.write(textFrame(JSON.stringify({ kind: 'request', id: 4, channel: 'checkpoint:list', payload: {} })));
    expect(await reply(client)).toMatchObject({ id: 4, ok: true, result: { nativeDialogs: false, folder: [], recent: [] } });
    client.socket.destroy();
  });

  it('closes with the RFC 6455 code on each protocol violation', async () => {
    const cases: Array<[string, Buffer, number]> = [
      ['RSV bits without an extension', clientFrame({ opcode: 1, payload: '{}', rsv: 4 }), 1002],
      ['a fragmented ping', clientFrame({ opcode: 9, payload: 'x', fin: false }), 1002],
      ['a ping over 125 bytes', clientFrame({ opcode: 9, payload: Buffer.alloc(126) }), 1002],
      ['an orphan continuation', clientFrame({ opcode: 0, payload: 'x' }), 1002],
      ['a reserved opcode', clientFrame({ opcode: 3, payload: 'x' }), 1002],
      ['an unmasked frame', clientFrame({ opcode: 1, payload: '{}', masked: false }), 1002],
      ['invalid UTF-8', clientFrame({ opcode: 1, payload: Buffer.from([0x7b, 0xc3, 0x28, 0x7d]) }), 1007],
      ['invalid UTF-8 split over fragments', Buffer.concat([clientFrame({ opcode: 1, payload: Buffer.from([0xe2, 0x82]), fin: false }), clientFrame({ opcode: 0, payload: Buffer.from([0x41]) })]), 1007],
      ['a frame declaring 2^62 bytes', clientFrame({ opcode: 1, declaredLength: 1n << 62n }), 1009],
      ['a message over maxPayload', clientFrame({ opcode: 1, payload: Buffer.alloc(MAX_MESSAGE_BYTES + 1, 0x20) }), 1009],
      ['fragments adding up past maxPayload', Buffer.concat([clientFrame({ opcode: 1, payload: Buffer.alloc(MAX_MESSAGE_BYTES - 10, 0x20), fin: false }), clientFrame({ opcode: 0, payload: Buffer.alloc(20, 0x20) })]), 1009],
      ['a binary message', clientFrame({ opcode: 2, payload: Buffer.from([1, 2, 3]) }), 1003],
    ];
    const seen: Array<[string, number | null]> = [];
    for (const [name, bytes] of cases) {
      const client = await open();
      client.socket.write(bytes);
      seen.push([name, await client.closeCode()]);
      client.socket.destroy();
    }
    expect(seen).toEqual(cases.map(([name, , code]) => [name, code]));
  });

  it('accepts the largest legitimate message (a predict with 784 of the longest JSON numbers) under maxPayload', async () => {
    const longest = 0.0000012345678901234567; // 24 characters in JSON
    const text = JSON.stringify({ kind: 'request', id: 9, channel: 'predict', payload: { pixels: new Array<number>(784).fill(longest), saliency: true } });
    expect(text.length).toBeLessThan(MAX_MESSAGE_BYTES / 3);
    const client = await open();
    client.socket.write(textFrame(text));
    // No model is trained here: the answer is the worker's error, but an answer, on an open socket.
    expect(await reply(client)).toMatchObject({ id: 9 });
    client.socket.destroy();
  });

  it('ends a flood of 200,000 empty continuation frames at once (the old server re-summed every fragment: O(n²)) and still reassembles 10,000', async () => {
    const empty = clientFrame({ opcode: 0, fin: false });
    const message = (id: number, fragments: number): Buffer =>
      Buffer.concat([
        clientFrame({ opcode: 1, payload: `{"kind":"request","id":${id},`, fin: false }),
        Buffer.concat(new Array<Buffer>(fragments).fill(empty)),
        clientFrame({ opcode: 0, payload: '"channel":"app:info","payload":{}}' }),
      ]);
    const flood = await open();
    const started = Date.now();
    flood.socket.write(message(76, 200_000));
    // ws allows 16,384 fragments per message (1008 past that); the quadratic server spent ~14 s on 200,000.
    expect(await flood.closeCode()).toBe(1008);
    expect(Date.now() - started).toBeLessThan(2000);
    flood.socket.destroy();
    const fragmented = await open();
    fragmented.socket.write(message(77, 10_000));
    expect(await reply(fragmented)).toMatchObject({ id: 77, ok: true });
    fragmented.socket.destroy();
  });

  /** Writes `batch` to a client that never reads until the host hangs up on it (or 30 s pass); resolves to whether it did. */
  async function floodUntilDropped(client: RawClient, batch: Buffer): Promise<boolean> {
    client.socket.pause(); // never reads
    client.socket.on('error', () => undefined);
    let closed = false;
    client.socket.once('close', () => (closed = true));
    for (const end = Date.now() + 30_000; !closed && Date.now() < end; ) {
      client.socket.write(batch);
      await new Promise<void>((resolve) => setTimeout(resolve, client.socket.writableLength > 1 << 20 ? 50 : 0));
    }
    return closed;
  }

  it('drops a client that pings without reading the pongs (ws: 60 pongs pending)', async () => {
    const ping = clientFrame({ opcode: 9, payload: Buffer.alloc(125, 7) });
    expect(await floodUntilDropped(await open(), Buffer.concat(new Array<Buffer>(1000).fill(ping)))).toBe(true);
  }, 60_000);

  it('drops a client that sends requests without reading the replies once its unread output passes the bound, and keeps answering others', async () => {
    const request = textFrame(JSON.stringify({ kind: 'request', id: 1, channel: 'app:info', payload: {} }));
    expect(await floodUntilDropped(await open(), Buffer.concat(new Array<Buffer>(500).fill(request)))).toBe(true);
    expect(logged.some((l) => l.includes('unread output passed the bound'))).toBe(true);
    const other = await open();
    other.socket.write(textFrame(JSON.stringify({ kind: 'request', id: 5, channel: 'app:info', payload: {} })));
    expect(await reply(other)).toMatchObject({ id: 5, ok: true });
    other.socket.destroy();
  }, 60_000);
});
