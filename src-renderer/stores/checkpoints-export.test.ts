/** Export ONNX… in the checkpoint store: what it asks the host for, and what the user reads back. */
import { beforeEach, describe, expect, it } from 'vitest';
import { createPinia, setActivePinia } from 'pinia';
import type { RequestChannel } from '../../src-app-api/channels';
import type { ApiClient } from '../../src-app-api/client';
import { parsePayload, parseResponse } from '../../src-app-api/wire';
import { setApiClient } from '../api';
import { useCheckpointStore } from './checkpoints';

/** A host that validates requests as the real router does, and answers export with `answer` (or its error). */
function host(nativeDialogs: boolean, answer: () => unknown): { client: ApiClient; sent: [RequestChannel, unknown][] } {
  const sent: [RequestChannel, unknown][] = [];
  const client: ApiClient = {
    transport: 'in-process',
    async call(channel, payload) {
      sent.push([channel, payload]);
      parsePayload(channel, payload);
      if (channel === 'checkpoint:list') return parseResponse(channel, { nativeDialogs, folder: [], recent: [] });
      await new Promise((r) => setTimeout(r, 5));
      return parseResponse(channel, answer());
    },
    on: () => () => undefined,
  };
  return { client, sent };
}

describe('checkpoint store: Export ONNX…', () => {
  beforeEach(() => setActivePinia(createPinia()));

  it('web host: exports by name once per click burst and shows where the file went', async () => {
    const { client, sent } = host(false, () => ({ path: '/home/u/.tinyflow-studio/exports/digits.onnx', model: 'lenet', bytes: 2048 }));
    setApiClient(client);
    const store = useCheckpointStore();
    await store.refresh();
    store.name = 'digits';
    await Promise.all([store.exportOnnx(), store.exportOnnx()]);
    expect(sent.filter(([c]) => c === 'checkpoint:export-onnx')).toEqual([['checkpoint:export-onnx', { name: 'digits' }]]);
    expect(store.exportMessage).toBe('exported lenet as ONNX (2.0 KiB) to /home/u/.tinyflow-studio/exports/digits.onnx');
    expect(store.exportError).toBeNull();
    expect(store.exporting).toBe(false);
  });

  it('a name with a path separator is refused in words, and the message is cleared', async () => {
    const { client } = host(false, () => ({ path: '/x/a.onnx', model: 'mlp', bytes: 10 }));
    setApiClient(client);
    const store = useCheckpointStore();
    await store.refresh();
    await store.exportOnnx();
    expect(store.exportMessage).not.toBeNull();
    store.name = '../evil';
    await store.exportOnnx();
    expect(store.exportError).toContain("IPC 'checkpoint:export-onnx': rejected: name: a checkpoint name is 1-64 letters");
    expect(store.exportMessage).toBeNull();
  });

  it("shows the worker's error (no session yet) next to the button; Electron sends no name; a cancelled dialog says nothing", async () => {
    let fail = true;
    const { client, sent } = host(true, () => {
      if (fail) throw new Error('checkpoint:export-onnx: no model is loaded; start training or open a checkpoint first');
      return { path: null, model: null, bytes: 0 };
    });
    setApiClient(client);
    const store = useCheckpointStore();
    await store.refresh();
    await store.exportOnnx();
    expect(sent).toContainEqual(['checkpoint:export-onnx', { name: null }]);
    expect(store.exportError).toBe('checkpoint:export-onnx: no model is loaded; start training or open a checkpoint first');
    fail = false;
    await store.exportOnnx();
    expect(store.exportError).toBeNull();
    expect(store.exportMessage).toBeNull();
  });
});
