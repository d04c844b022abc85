import { describe, it, expect } from 'vitest';
import { main as cnn } from './mnist_cnn_tf1';
import { skipUnlessLong } from './long-tests';

// main() picks the wasm backend where it initialises (it is registered and builds in Node).
describe('the TF-1 tutorial-style NHWC conv net', () => {
  it('learns: >= 0.85 test accuracy after 100 steps of 50', async () => {
    const run = await cnn({ steps: 100, quiet: true });
    expect(run.steps).toBe(100);
    expect(run.accuracy).toBeGreaterThanOrEqual(0.85);
  }, 180_000);

  it('reaches >= 0.95 with the default run (500 steps of 50)', async (ctx) => {
    skipUnlessLong(ctx, 'the full conv-net run takes minutes');
    const run = await cnn({ quiet: true });
    expect(run.steps).toBe(500);
    expect(run.accuracy).toBeGreaterThanOrEqual(0.95);
  }, 1_800_000);
});
