import { describe, it, expect } from 'vitest';
import { createCpuBackend } from '../../backends/cpu';
import { createWasmBackend } from '../../backends/wasm';
import { PEAK_FLOPS_PER_ITERATION } from '../../backends/wasm/peak';
import { planWorkloads } from './plan';
import { PEAK_ITERATIONS, peakRunner } from './peak';

describe('the peak workload', () => {
  it('is planned with its iterations as n and their flops (96 a loop iteration) as the step\'s', () => {
    const [quick] = planWorkloads({ workloads: ['peak'], repeats: 1, quick: true });
    expect(quick).toMatchObject({ id: 'peak', kind: 'peak', n: PEAK_ITERATIONS[1], flopsPerStep: PEAK_ITERATIONS[1] * PEAK_FLOPS_PER_ITERATION });
    const [full] = planWorkloads({ workloads: ['peak'], repeats: 3, quick: false });
    expect(full).toMatchObject({ n: PEAK_ITERATIONS[0], repeats: 3 });
  });

  it('runs on the wasm backend\'s threads and kernels, and is a skip naming the backend elsewhere', async () => {
    const [plan] = planWorkloads({ workloads: ['peak'], repeats: 1, quick: true });
    const cpu = createCpuBackend();
    let disposedCpu = false;
    expect(peakRunner(plan!, cpu, () => (disposedCpu = true))).toEqual({ id: 'peak', reason: expect.stringMatching(/wasm backend's kernels only, not cpu/) });
    expect(disposedCpu).toBe(true);

    const wasm = createWasmBackend({ threads: 2 });
    const runner = peakRunner(plan!, wasm, () => wasm.dispose());
    if (!('step' in runner)) throw new Error(runner.reason);
    expect(runner.note).toBe(`${wasm.capabilities.kernels} kernels, 2 threads`);
    await runner.step();
    await runner.step();
    runner.dispose();
  });
});
