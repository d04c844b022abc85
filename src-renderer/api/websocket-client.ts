/**
 * The ApiClient over the web host's WebSocket: request/response by id, events pushed by the host.
 * Requests made before the socket opens wait for it.
 */
import type { EventChannel } from '../../src-app-api/channels';
import type { ApiClient } from '../../src-app-api/client';
import type { EventEnvelope, RequestEnvelope, ResponseEnvelope } from '../../src-app-api/wire';
import { decodeNonFinite, encodeNonFinite } from '../../src-app-api/wire-codec';

export function websocketClient(url: string, onClosed: (reason: string) => void): ApiClient {
  const socket = new WebSocket(url);
  const opened = new Promise<void>((resolve, reject) => {
    socket.addEventListener('open', () => resolve());
    socket.addEventListener('error', () => reject(new Error(`cannot connect to ${url.replace(/token=\w+/, 'token=…')}`)));
  });
  const pending = new Map<number, { resolve: (v: unknown) => void; reject: (e: Error) => void }>();
  const listeners = new Map<EventChannel, Set<(payload: unknown) => void>>();
  let nextId = 1;

  socket.addEventListener('message', (event: MessageEvent<string>) => {
    // NaN and ±Infinity travel tagged (JSON has none); see wire-codec.ts.
    const message = decodeNonFinite(JSON.parse(event.data)) as ResponseEnvelope | EventEnvelope;
    if (message.kind === 'event') {
      for (const l of listeners.get(message.channel) ?? []) l(message.payload);
      return;
    }
    const p = pending.get(message.id);
    if (!p) return;
    pending.delete(message.id);
    if (message.ok) p.resolve(message.result);
    else p.reject(new Error(message.error));
  });
  socket.addEventListener('close', () => {
    for (const p of pending.values()) p.reject(new Error('the connection to the web host closed'));
    pending.clear();
    onClosed('the connection to the web host closed; reload the page');
  });

  return {
    transport: 'websocket',
    async call(channel, payload) {
      await opened;
      const id = nextId++;
      const envelope: RequestEnvelope = { kind: 'request', id, channel, payload };
      return new Promise((resolve, reject) => {
        pending.set(id, { resolve: resolve as (v: unknown) => void, reject });
        socket.send(JSON.stringify(encodeNonFinite(envelope)));
      });
    },
    on(channel, listener) {
      const set = listeners.get(channel) ?? new Set();
      listeners.set(channel, set);
      const l = listener as (payload: unknown) => void;
      set.add(l);
      return () => void set.delete(l);
    },
  };
}
