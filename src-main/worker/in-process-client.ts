/**
 * An ApiClient that runs the real ComputeEngine in this process, validating payloads exactly as the
 * router does. For the renderer stores' tests and for scripts: no worker, no socket, same contract.
 */
import { isHostChannel, type EventChannel } from '../../src-app-api/channels';
import type { ApiClient } from '../../src-app-api/client';
import { parsePayload, parseResponse } from '../../src-app-api/wire';
import { ComputeEngine, type WorkerChannel } from './engine';

export function inProcessClient(): ApiClient & { engine: ComputeEngine } {
  const listeners = new Map<EventChannel, Set<(payload: unknown) => void>>();
  const engine = new ComputeEngine((channel, payload) => {
    for (const l of listeners.get(channel) ?? []) l(payload);
  });
  return {
    transport: 'in-process',
    engine,
    async call(channel, payload) {
      if (channel === 'dialog:pick-data-dir') return parseResponse(channel, { path: null });
      if (channel === 'model:save') return parseResponse(channel, { path: null, download: true });
      // Checkpoint files belong to a host (it picks and keeps the paths); there is none in-process.
      if (channel === 'checkpoint:list') return parseResponse(channel, { nativeDialogs: false, folder: [], recent: [] });
      if (isHostChannel(channel)) throw new Error(`IPC '${channel}': the in-process client has no host to keep checkpoint files`);
      const request = parsePayload(channel, payload);
      return parseResponse(channel, await engine.handle(channel as WorkerChannel, request as never));
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
