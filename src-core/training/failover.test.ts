/**
 * The trainer the CLI and the app share notices when its session moved off a lost GPU device: the
 * model reports the new backend and the event (what the app's Train view shows), and trains on.
 */
import { afterAll, describe, expect, it } from 'vitest';
import { registerBackend, unregisterBackend } from '../../backends';
import { createWebGpuBackendAsync, type WebGpuBackend } from '../../backends/webgpu';
import { get_mnist } from '../datasets';
import { NDArray } from '../ndarray';
import { TrainableModel } from './trainable';

// The built-in webgpu refuses software adapters; this test runs on whichever adapter there is.
let created: WebGpuBackend | null = null;
let reason: string | null = null;
try {
  (await createWebGpuBackendAsync()).dispose();
  registerBackend('webgpu-any', async () => (created = await createWebGpuBackendAsync()), { priority: 30 });
} catch (e) {
  reason = e instanceof Error ? e.message : String(e);
  console.log(`trainer failover test skipped: ${reason}`);
}
afterAll(() => void unregisterBackend('webgpu-any'));

const data = get_mnist({ flatten: true, onehot: true });
const batch = (i: number): [NDArray, NDArray] => {
  const n = 32;
  const rows = (a: NDArray, width: number) => new NDArray((a.data as Float32Array).slice(i * n * width, (i + 1) * n * width), [n, width]);
  return [rows(data.train.images, 784), rows(data.train.labels, 10)];
};

describe.skipIf(reason !== null)('TrainableModel after a lost device', () => {
  it('reports the move and keeps training on the next backend', { timeout: 120_000 }, async () => {
    const model = new TrainableModel({ model: 'softmax', backend: 'webgpu-any', optimizer: 'adam', learningRate: 0.01 }, () => null);
    await model.initialize();
    const losses: number[] = [];
    for (let i = 0; i < 25; i++) losses.push(await model.trainStep(...batch(i)));
    await new Promise((resolve) => setTimeout(resolve, 200));
    (created as WebGpuBackend).ctx.device.destroy();
    for (let i = 25; i < 40; i++) losses.push(await model.trainStep(...batch(i)));
    expect(model.lastFailover?.from).toBe('webgpu');
    expect(model.backend).toBe(model.lastFailover?.to);
    // The next backend by priority after the one it was asked for: not a new device of the same kind.
    expect(['webgpu', 'webgpu-any']).not.toContain(model.backend);
    expect(model.lastFailover?.missing).toEqual([]);
    expect(losses.every(Number.isFinite)).toBe(true);
    expect(losses.slice(-5).reduce((a, b) => a + b) / 5).toBeLessThan(losses.slice(0, 5).reduce((a, b) => a + b) / 5);
    model.close();
  });
});

if (reason !== null) it.skip(`trainer failover (no WebGPU adapter: ${reason})`, () => undefined);
