import { describe, it, expect } from 'vitest';
import { main as beginners } from './mnist_beginners_tf1';

describe('TF-1\'s "MNIST for ML beginners", line by line', () => {
  it('reaches >= 0.90 test accuracy after the tutorial\'s 1,000 steps of 100 (cpu, about 15 s), in an InteractiveSession', async () => {
    const run = await beginners({ quiet: true });
    expect(run.steps).toBe(1000);
    expect(run.accuracy).toBeGreaterThanOrEqual(0.9);
  }, 300_000);
});
