import { describe, it, expect } from 'vitest';
import { main as tinyflowSeed } from './mnist_softmax';
import { main as numpySeed } from './mnist_softmax_numpy';

describe("the seed's two programs", () => {
  it('both reach >= 0.90 test accuracy after 1,000 steps of 100, and their final W agree within 1e-3', async () => {
    const graphRun = await tinyflowSeed({ quiet: true });
    const numpyRun = numpySeed({ quiet: true });
    expect(graphRun.accuracy).toBeGreaterThanOrEqual(0.9);
    expect(numpyRun.accuracy).toBeGreaterThanOrEqual(0.9);
    expect(graphRun.W.shape).toEqual([784, 10]);
    expect(numpyRun.W.shape).toEqual([784, 10]);
    let maxDiff = 0;
    for (let i = 0; i < graphRun.W.size; i++) maxDiff = Math.max(maxDiff, Math.abs(graphRun.W.data[i] - numpyRun.W.data[i]));
    expect(maxDiff).toBeLessThan(1e-3);
    // Not a pair of zero matrices: the programs really trained.
    expect(Math.max(...Array.from(graphRun.W.data, Math.abs))).toBeGreaterThan(0.01);
  });
});
