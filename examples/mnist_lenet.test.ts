import { describe, it, expect } from 'vitest';
import { main as lenet } from './mnist_lenet';
import { skipUnlessLong } from './long-tests';

// main() picks the wasm backend where it initialises (it is registered and builds in Node): about 10×
// the cpu backend's speed on these convolutions, which keeps the short run within a test's time.
describe("tinyflow's LeNet (shapeless placeholder, inferred weight shapes, run-time flatten)", () => {
  it('learns: >= 0.85 test accuracy after 25 steps of 100', async () => {
    const run = await lenet({ steps: 25, quiet: true });
    expect(run.steps).toBe(25);
    expect(run.accuracy).toBeGreaterThanOrEqual(0.85);
  }, 180_000);

  it('reaches >= 0.95 with the default run (300 steps of 100)', async (ctx) => {
    skipUnlessLong(ctx, 'the full LeNet run takes several minutes');
    const run = await lenet({ quiet: true });
    expect(run.steps).toBe(300);
    expect(run.accuracy).toBeGreaterThanOrEqual(0.95);
  }, 1_800_000);
});
