/**
 * Picks the transport once: the Electron preload bridge when present, else the web host's WebSocket
 * (token from the page URL). Stores call `apiClient()`; tests install an in-process client instead.
 */
import type { ApiClient } from '../../src-app-api/client';
import { electronClient } from './electron-client';
import { websocketClient } from './websocket-client';

let client: ApiClient | null = null;
let closedListener: (reason: string) => void = () => undefined;

export function setApiClient(c: ApiClient): void {
  client = c;
}

export function onTransportClosed(listener: (reason: string) => void): void {
  closedListener = listener;
}

export function apiClient(): ApiClient {
  if (client) return client;
  if (typeof window !== 'undefined' && window.tinyflow) {
    client = electronClient(window.tinyflow);
  } else {
    const token = new URLSearchParams(location.search).get('token') ?? '';
    client = websocketClient(`ws://${location.host}/api?token=${encodeURIComponent(token)}`, (reason) => closedListener(reason));
  }
  return client;
}
