import { beforeEach, describe, expect, it } from 'vitest';
import { createPinia, setActivePinia } from 'pinia';
import type { RequestChannel } from '../../src-app-api/channels';
import type { ApiClient } from '../../src-app-api/client';
import { parseResponse } from '../../src-app-api/wire';
import { setApiClient } from '../api';
import { useCheckpointStore } from './checkpoints';
import { useTrainingStore } from './training';

const info = { id: '0123456789abcdef', label: 'run-1.safetensors', model: 'mlp', step: 42, savedAt: '2026-01-01T00:00:00.000Z' };

/** A host that answers the checkpoint channels with canned replies and records what it was sent. */
function fakeHost(nativeDialogs: boolean): { client: ApiClient; sent: [RequestChannel, unknown][] } {
  const sent: [RequestChannel, unknown][] = [];
  const replies: Partial<Record<RequestChannel, unknown>> = {
    'checkpoint:list': { nativeDialogs, folder: nativeDialogs ? [] : [info], recent: [info] },
    'checkpoint:save': { checkpoint: info },
    'checkpoint:open': { checkpoint: info },
  };
  const client: ApiClient = {
    transport: 'in-process',
    async call(channel, payload) {
      sent.push([channel, payload]);
      return parseResponse(channel, replies[channel]);
    },
    on: () => () => undefined,
  };
  return { client, sent };
}

describe('checkpoint store', () => {
  beforeEach(() => setActivePinia(createPinia()));

  it('web host: saves by name into the folder, opens by name, and resets the charts to the opened model', async () => {
    const { client, sent } = fakeHost(false);
    setApiClient(client);
    const store = useCheckpointStore();
    const training = useTrainingStore();
    await store.refresh();
    expect(store.folder).toHaveLength(1);
    store.name = 'run-1';
    await store.save();
    expect(sent).toContainEqual(['checkpoint:save', { name: 'run-1' }]);
    expect(store.message).toBe('saved run-1.safetensors at step 42');
    training.loss = [[1, 2]];
    await store.open({ source: 'folder', name: 'run-1' });
    expect(training.loss).toEqual([]);
    expect(training.config.model).toBe('mlp');
    expect(store.message).toContain('paused at step 42');
    expect(store.error).toBeNull();
  });

  it('Electron: leaves the path to the native dialog (no name is sent)', async () => {
    const { client, sent } = fakeHost(true);
    setApiClient(client);
    const store = useCheckpointStore();
    await store.refresh();
    await store.save();
    expect(sent).toContainEqual(['checkpoint:save', { name: null }]);
    await store.open({ source: 'recent', id: info.id });
    expect(sent).toContainEqual(['checkpoint:open', { source: 'recent', id: info.id }]);
  });
});
