import { describe, it, expect } from 'vitest';
import { main as mlp } from './mnist_mlp_auto_shape_inference';

describe("tinyflow's MLP with automatic shape inference", () => {
  it('learns: >= 0.85 test accuracy after 300 steps of 100', async () => {
    const run = await mlp({ steps: 300, epochs: 1, quiet: true });
    expect(run.steps).toBe(300);
    expect(run.accuracy).toBeGreaterThanOrEqual(0.85);
  });

  it("reaches >= 0.93 after tinyflow's 2 epochs of 600 steps (about 15 s on one core)", async () => {
    const run = await mlp({ quiet: true });
    expect(run.steps).toBe(1200);
    expect(run.accuracy).toBeGreaterThanOrEqual(0.93);
  }, 120_000);
});
