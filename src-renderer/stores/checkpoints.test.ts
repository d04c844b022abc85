import { beforeEach, describe, expect, it } from 'vitest';
import { createPinia, setActivePinia } from 'pinia';
import type { EventChannel, RequestChannel } from '../../src-app-api/channels';
import type { ApiClient } from '../../src-app-api/client';
import type { Progress, TrainConfig } from '../../src-app-api/schemas';
import { parseEvent, parseResponse } from '../../src-app-api/wire';
import { setApiClient } from '../api';
import { useCheckpointStore } from './checkpoints';
import { useTrainingStore } from './training';

const info = { id: '0123456789abcdef', label: 'run-1.safetensors', model: 'mlp', step: 42, savedAt: '2026-01-01T00:00:00.000Z' };

const savedConfig: TrainConfig = { model: 'mlp', backend: 'cpu', dataDir: null, optimizer: 'momentum', learningRate: 0.07, batchSize: 64, epochs: 9, steps: null };

/** What the worker emits while it restores `info`: the saved config, step and curves, marked as a series reset. */
const restoredProgress: Progress = {
  state: 'paused', config: savedConfig, model: 'mlp', backend: 'cpu', step: 42, totalSteps: 1125, epoch: 42 / 125,
  loss: 0.4, testAccuracy: 0.88, examplesPerSecond: 0, etaSeconds: null,
  lossPoints: [[10, 1.9], [30, 0.7], [42, 0.4]], accuracyPoints: [[40, 0.88]], seriesReset: true, error: null,
  restored: { step: 42, source: 'checkpoint', label: 'run-1.safetensors' }, failover: null, divergence: null, autosaveError: null,
};

/**
 * A host that answers the checkpoint channels with canned replies and records what it was sent; opening
 * a checkpoint emits the restore's progress message first, in the order the real worker sends them.
 */
function fakeHost(nativeDialogs: boolean): { client: ApiClient; sent: [RequestChannel, unknown][] } {
  const sent: [RequestChannel, unknown][] = [];
  const replies: Partial<Record<RequestChannel, unknown>> = {
    'checkpoint:list': { nativeDialogs, folder: nativeDialogs ? [] : [info], recent: [info] },
    'checkpoint:save': { checkpoint: info },
    'checkpoint:open': { checkpoint: info },
  };
  const listeners: ((payload: unknown) => void)[] = [];
  const client: ApiClient = {
    transport: 'in-process',
    async call(channel, payload) {
      sent.push([channel, payload]);
      if (channel === 'checkpoint:open') for (const l of listeners) l(parseEvent('train:progress', restoredProgress));
      return parseResponse(channel, replies[channel]);
    },
    on(channel: EventChannel, listener) {
      if (channel === 'train:progress') listeners.push(listener as (payload: unknown) => void);
      return () => undefined;
    },
  };
  return { client, sent };
}

describe('checkpoint store', () => {
  beforeEach(() => setActivePinia(createPinia()));

  it('web host: saves by name into the folder, opens by name, and shows the opened session: config and curves', async () => {
    const { client, sent } = fakeHost(false);
    setApiClient(client);
    const store = useCheckpointStore();
    const training = useTrainingStore();
    training.subscribe(null);
    await store.refresh();
    expect(store.folder).toHaveLength(1);
    store.name = 'run-1';
    await store.save();
    expect(sent).toContainEqual(['checkpoint:save', { name: 'run-1' }]);
    expect(store.message).toBe('saved run-1.safetensors at step 42');
    training.loss = [[1, 2]];
    await store.open({ source: 'folder', name: 'run-1' });
    // The chart continues from the saved history (not the previous run's points, not an empty chart).
    expect(training.loss).toEqual([[10, 1.9], [30, 0.7], [42, 0.4]]);
    expect(training.accuracy).toEqual([[40, 0.88]]);
    // A checkpoint from before user models has no userModel: the form holds null (a zoo model) for it.
    expect({ ...training.config }).toEqual({ ...savedConfig, userModel: null });
    expect(training.progress?.step).toBe(42);
    expect(store.message).toBe('opened run-1.safetensors at step 42');
    // "press Resume" is shown while the opened session is still paused (CheckpointPanel), not after a resume.
    expect(store.openedPaused).toBe(true);
    expect(store.error).toBeNull();

    // Training on after the restore extends the restored curve rather than restarting it.
    training.apply({ ...restoredProgress, state: 'running', step: 50, lossPoints: [[50, 0.35]], accuracyPoints: [], seriesReset: false });
    expect(training.loss.map(([step]) => step)).toEqual([10, 30, 42, 50]);
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
