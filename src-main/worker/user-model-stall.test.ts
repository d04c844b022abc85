/**
 * The last line of defence against user code that never returns: a model file that builds in its
 * time-limited check thread but loops forever when the compute worker builds it (its loop depends on
 * state the check thread does not share). The worker then stops answering heartbeats; the supervisor
 * reports the stall, fails the train:start naming the channel, starts a fresh worker, and that worker
 * answers and trains again.
 */
import { afterAll, describe, expect, it } from 'vitest';
import type { TrainConfig, WorkerStatus } from '../../src-app-api/schemas';
import { spawnComputeWorker } from './spawn-worker';
import { WorkerSupervisor } from './supervisor';

const statuses: WorkerStatus[] = [];
const supervisor = new WorkerSupervisor({
  spawn: () => spawnComputeWorker(),
  onEvent: (channel, payload) => channel === 'worker:status' && statuses.push(payload as WorkerStatus),
  heartbeatMs: 250,
  stallMs: 4000,
});
afterAll(() => supervisor.close());

// Loops only outside the check thread, whose workerData holds the model being checked.
const source = `export default (tf, x) => {
  const data = process.getBuiltinModule('node:worker_threads').workerData;
  while (!(data !== null && typeof data === 'object' && 'model' in data)) {}
  return tf.matmul(x, tf.Variable(tf.zeros([784, 10])));
};
`;
const config: TrainConfig = { model: 'sly.js', backend: 'cpu', dataDir: null, optimizer: 'adam', learningRate: 0.001, batchSize: 50, epochs: 1, steps: 5, userModel: { kind: 'file', fileName: 'sly.js', source } };

describe('a model file that hangs the compute worker', () => {
  it('is reported as a stall, the request fails naming train:start, and a fresh worker takes over', async () => {
    await expect(supervisor.request('train:start', config)).rejects.toThrow("IPC 'train:start': the compute worker did not answer for 4 s; the request was lost, please retry");
    expect(statuses[0]).toMatchObject({ state: 'stalled', restarts: 1 });
    for (let i = 0; i < 400 && !statuses.some((s) => s.state === 'ready'); i++) await new Promise((r) => setTimeout(r, 25));
    expect(statuses.some((s) => s.state === 'ready')).toBe(true);
    await expect(supervisor.request('train:start', { ...config, model: 'softmax', optimizer: 'sgd', learningRate: 0.5, userModel: null })).resolves.toEqual({ ok: true });
  }, 120_000);
});
