/**
 * The 'peak' workload (issue 17: matmul 1024³ at ≥ 90% of the measured multiply-add peak): a step
 * is plan.n iterations of backends/wasm/peak.ts's register-only loop, split evenly over as many
 * threads as the wasm backend's matmuls use (its capabilities.threads), all started together. Ours
 * on wasm only: the figure is the ceiling of that backend's kernels, which bench/targets.ts sets the
 * matmul1024 row against.
 */
import type { Backend } from '../../backends';
import type { WasmCapabilities } from '../../backends/wasm';
import { FmaPeakThreads, PEAK_FLOPS_PER_ITERATION } from '../../backends/wasm/peak';
import type { Runner } from '../peers/harness';
import type { Skip, WorkloadPlan } from '../protocol';

/** Iterations a step runs in all, [full, quick]: about 70 ms at 100 GFLOP/s. Divisible by every power-of-two thread count. */
export const PEAK_ITERATIONS: [number, number] = [2 ** 26, 2 ** 22];

/** The plan's flops per step. */
export function peakFlops(iterations: number): number {
  return iterations * PEAK_FLOPS_PER_ITERATION;
}

function wasmCapabilities(backend: Backend): WasmCapabilities | null {
  const caps = backend.capabilities as Partial<WasmCapabilities>;
  return backend.name === 'wasm' && typeof caps.kernels === 'string' && typeof caps.threads === 'number' ? (caps as WasmCapabilities) : null;
}

/** The peak runner for ours on wasm; a skip saying why for any other backend. */
export function peakRunner(plan: WorkloadPlan, backend: Backend, dispose: () => void): Runner | Skip {
  const caps = wasmCapabilities(backend);
  if (caps === null) {
    dispose();
    return { id: plan.id, reason: `the multiply-add peak is measured for the wasm backend's kernels only, not ${backend.name}` };
  }
  const peak = new FmaPeakThreads(caps.threads, caps.kernels);
  // A thread count that does not divide plan.n runs a few iterations more than counted: it can only understate the peak.
  const perThread = Math.ceil(plan.n / caps.threads);
  return {
    note: `${caps.kernels} kernels, ${caps.threads} thread${caps.threads === 1 ? '' : 's'}`,
    step: () => peak.run(perThread).then(() => undefined),
    sync: () => undefined,
    dispose: () => {
      void peak.dispose();
      dispose();
    },
  };
}
