import { afterEach, describe, expect, it } from 'vitest';
import { createServer, type IncomingMessage, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import WebSocket from 'ws';
import { ApiSocketServer, checkUpgrade } from './api-socket';
import { isAllowedHost, isAllowedOrigin } from './http-policy';

const request = (url: string, headers: Record<string, string>): IncomingMessage => ({ url, headers }) as unknown as IncomingMessage;
const upgradeHeaders = (port: number): Record<string, string> => ({ host: `127.0.0.1:${port}`, upgrade: 'websocket', 'sec-websocket-key': 'k', origin: `http://127.0.0.1:${port}` });

describe('who may open the API socket', () => {
  it('accepts loopback Host names with our port only', () => {
    for (const h of ['127.0.0.1:8080', 'localhost:8080', '[::1]:8080', 'LOCALHOST:8080']) expect(isAllowedHost(h, 8080)).toBe(true);
    for (const h of [undefined, '', '127.0.0.1', '127.0.0.1:8081', 'evil.example:8080', '127.0.0.1.evil.example:8080', 'localhost:8080@evil', '0.0.0.0:8080']) expect(isAllowedHost(h, 8080)).toBe(false);
    expect(isAllowedHost('localhost', 80)).toBe(true);
    expect(isAllowedOrigin('http://localhost:8080', 8080)).toBe(true);
    for (const o of [undefined, 'null', 'http://evil.example', 'https://127.0.0.1:8080', 'http://127.0.0.1:8081', 'file://']) expect(isAllowedOrigin(o, 8080)).toBe(false);
  });

  it('refuses a bad target (400), a foreign Host (421), a wrong token (401) and a foreign Origin (403)', () => {
    const h = upgradeHeaders(5000);
    expect(checkUpgrade(request('/api?token=abc', h), 5000, 'abc')).toBeNull();
    expect(checkUpgrade(request('//[', h), 5000, 'abc')).toMatchObject({ status: 400 });
    expect(checkUpgrade(request('/other?token=abc', h), 5000, 'abc')).toMatchObject({ status: 400 });
    expect(checkUpgrade(request('/api?token=abc', { ...h, host: 'rebind.example:5000' }), 5000, 'abc')).toMatchObject({ status: 421 });
    expect(checkUpgrade(request('/api?token=abd', h), 5000, 'abc')).toMatchObject({ status: 401 });
    expect(checkUpgrade(request('/api?token=abc', { ...h, origin: 'http://evil.example' }), 5000, 'abc')).toMatchObject({ status: 403 });
  });
});

describe('the API socket server', () => {
  let server: Server | null = null;
  afterEach(() => server?.close());

  it('stops reading a client with maxInFlight requests unanswered, and reads on as they are answered', async () => {
    const held: Array<() => void> = [];
    let port = 0;
    const api = new ApiSocketServer({
      port: () => port,
      token: 't',
      limits: { maxMessageBytes: 64 * 1024, maxInFlight: 4, maxUnreadOutputBytes: 1 << 20 },
      onMessage: (text) => new Promise((resolve) => held.push(() => resolve(text))),
    });
    server = createServer();
    server.on('upgrade', (req, socket, head) => api.handleUpgrade(req, socket, head));
    await new Promise<void>((r) => server!.listen(0, '127.0.0.1', () => r()));
    port = (server.address() as AddressInfo).port;
    const client = new WebSocket(`ws://127.0.0.1:${port}/api?token=t`, { origin: `http://127.0.0.1:${port}` });
    await new Promise((ok, fail) => client.once('open', ok).once('error', fail));
    let replies = 0;
    client.on('message', () => replies++);
    // 400 messages of 16 kB: 6.4 MB, far more than the socket buffers hold once the host stops reading.
    const body = 'x'.repeat(16_000);
    for (let i = 0; i < 400; i++) client.send(body);
    await new Promise((r) => setTimeout(r, 500));
    // Reading stops at 4 unanswered; frames already read from the socket's current chunk still arrive (a few at most).
    expect(held.length).toBeGreaterThanOrEqual(4);
    expect(held.length).toBeLessThan(40);
    for (const end = Date.now() + 20_000; replies < 400 && Date.now() < end; await new Promise((r) => setTimeout(r, 5))) {
      for (const release of held.splice(0)) release();
    }
    expect(replies).toBe(400);
    client.close();
    api.close();
  });
});
