import { describe, it, expect } from 'vitest';
import { main as deep } from './mnist_deep_tf1';
import { skipUnlessLong } from './long-tests';

// main() picks the wasm backend where it initialises (it is registered and builds in Node).
describe('TF-1\'s "Deep MNIST for experts", short, line by line', () => {
  it('reaches >= 0.90 test accuracy after 300 steps of 50 with Adam 1e-4 (about 55 s of CPU on wasm)', async () => {
    const run = await deep({ steps: 300, quiet: true });
    expect(run.backend).toBe('wasm');
    expect(run.steps).toBe(300);
    // The tutorial's printout: training accuracy on the batch every 100 steps, rising.
    expect(run.trainAccuracies.map(([step]) => step)).toEqual([0, 100, 200]);
    expect(run.trainAccuracies[2][1]).toBeGreaterThan(run.trainAccuracies[0][1]);
    expect(run.accuracy).toBeGreaterThanOrEqual(0.9);
  }, 1_200_000);

  it('keeps improving: >= 0.91 after 400 steps', async (ctx) => {
    skipUnlessLong(ctx, 'a longer Deep MNIST run');
    const run = await deep({ steps: 400, quiet: true });
    expect(run.accuracy).toBeGreaterThanOrEqual(0.91);
  }, 1_800_000);
});
