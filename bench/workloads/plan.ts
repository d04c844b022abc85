/**
 * The workloads' sizes and step counts, in one place: the parent sizes every workload and hands the
 * plan to each peer, so no peer can run a different amount of work. Step counts are scaled down from
 * the workloads' nominal lengths (the seed trains 1,000 steps) so that a full run of every peer stays
 * within about five minutes on a 2-core machine; results are per step, so the counts change the
 * noise, not the numbers.
 */
import type { WorkloadKind, WorkloadPlan } from '../protocol';
import { PEAK_ITERATIONS, peakFlops } from './peak';

export const MATMUL_SIZES = [256, 512, 1024];

interface Sizing {
  warmup: number;
  steps: number;
  budgetMs: number;
}

/** [full, quick] warm-up and timed steps per repetition. */
const SIZING: Record<WorkloadKind, [Sizing, Sizing]> = {
  // The seed's own 1,000 steps as warm-up, then 3 × 300 timed, the same for every peer: steady state.
  // A seed step is ~0.15 ms, and after 200 warm-up steps V8 was still tiering up ours-wasm's kernels
  // and session code in background threads (0.32 ms a step alone, CPU time above wall time, against
  // 0.15 ms in the pass-rows process, whose nine configurations had warmed it up).
  seed: [{ warmup: 1000, steps: 300, budgetMs: 8_000 }, { warmup: 5, steps: 20, budgetMs: 2_000 }],
  mlp: [{ warmup: 50, steps: 40, budgetMs: 8_000 }, { warmup: 2, steps: 5, budgetMs: 2_000 }],
  matmul: [{ warmup: 1, steps: 1, budgetMs: 6_000 }, { warmup: 1, steps: 1, budgetMs: 2_000 }],
  lenet: [{ warmup: 1, steps: 2, budgetMs: 15_000 }, { warmup: 1, steps: 1, budgetMs: 3_000 }],
  // Dispatches are microseconds each: many per repetition, or the timer and the one readback dominate.
  dispatch: [{ warmup: 100, steps: 1000, budgetMs: 3_000 }, { warmup: 5, steps: 20, budgetMs: 1_000 }],
  // ~70 ms a step (peak.ts): the warm-up tiers the loop up to optimised code.
  peak: [{ warmup: 3, steps: 3, budgetMs: 3_000 }, { warmup: 1, steps: 1, budgetMs: 1_000 }],
};

/** Batch sizes of `--sweep` (the WebGPU issue's): where a GPU backend starts to beat the CPU ones. */
export const SWEEP_BATCHES = [32, 64, 128, 256, 512, 1024];

/**
 * Sweep sizing: short, since there are six batch sizes per model, and a budget per batch size after
 * which the larger ones are skipped (see WorkloadPlan.sweep).
 */
const SWEEP_SIZING: Partial<Record<WorkloadKind, [Sizing, Sizing]>> = {
  mlp: [{ warmup: 2, steps: 10, budgetMs: 4_000 }, { warmup: 1, steps: 2, budgetMs: 1_000 }],
  lenet: [{ warmup: 1, steps: 1, budgetMs: 6_000 }, { warmup: 1, steps: 1, budgetMs: 1_000 }],
};

/** Elements of the dispatch workload's operands: small enough that the op itself costs next to nothing. */
export const DISPATCH_ELEMENTS = 16;
/** Round trips (dispatch + readback) per repetition: each waits for the device, so far fewer fit. */
const READBACK_STEPS: [number, number] = [100, 10];

/** The matmul step count for size n: bigger products take longer, so fewer of them give the same time. */
function matmulSteps(n: number, quick: boolean): number {
  if (quick) return 1;
  return n <= 256 ? 20 : n <= 512 ? 4 : 1;
}

export interface PlanOptions {
  workloads: readonly WorkloadKind[];
  repeats: number;
  quick: boolean;
  /** MLP and LeNet at every SWEEP_BATCHES size ('mlp@32', ...) instead of their one usual batch size. */
  sweep?: boolean;
}

const LEARNING_RATES: Partial<Record<WorkloadKind, number>> = { seed: 0.5, mlp: 0.1, lenet: 0.01 };

function sweepPlans(kind: 'mlp' | 'lenet', repeats: number, quick: boolean): WorkloadPlan[] {
  const sizing = SWEEP_SIZING[kind];
  if (!sizing) return [];
  const { warmup, steps, budgetMs } = sizing[quick ? 1 : 0];
  return (quick ? SWEEP_BATCHES.slice(0, 2) : SWEEP_BATCHES).map((batch) => ({
    id: `${kind}@${batch}`, kind, batch, n: 0, learningRate: LEARNING_RATES[kind] ?? 0.01,
    warmupSteps: warmup, stepsPerRepeat: steps, repeats, budgetMs, flopsPerStep: 0, sweep: kind,
  }));
}

export function planWorkloads({ workloads, repeats, quick, sweep = false }: PlanOptions): WorkloadPlan[] {
  const plans: WorkloadPlan[] = [];
  for (const kind of workloads) {
    const { warmup, steps, budgetMs } = SIZING[kind][quick ? 1 : 0];
    const base = { kind, n: 0, warmupSteps: warmup, stepsPerRepeat: steps, repeats, budgetMs, flopsPerStep: 0 };
    if (sweep && (kind === 'mlp' || kind === 'lenet')) {
      plans.push(...sweepPlans(kind, repeats, quick));
      continue;
    }
    if (kind === 'seed') {
      plans.push({ ...base, id: 'seed', batch: 100, learningRate: 0.5 });
      plans.push({ ...base, id: 'seed-fetch', batch: 100, learningRate: 0.5, fetchAssign: true });
    }
    if (kind === 'mlp') plans.push({ ...base, id: 'mlp', batch: 128, learningRate: 0.1 });
    if (kind === 'lenet') plans.push({ ...base, id: 'lenet', batch: 50, learningRate: 0.01 });
    if (kind === 'dispatch') {
      const n = DISPATCH_ELEMENTS;
      plans.push({ ...base, id: 'dispatch', batch: 0, n, learningRate: 0 });
      plans.push({ ...base, id: 'dispatch+read', batch: 0, n, learningRate: 0, stepsPerRepeat: READBACK_STEPS[quick ? 1 : 0], readback: true });
    }
    if (kind === 'peak') {
      const n = PEAK_ITERATIONS[quick ? 1 : 0];
      plans.push({ ...base, id: 'peak', batch: 0, n, learningRate: 0, flopsPerStep: peakFlops(n) });
    }
    if (kind === 'matmul') {
      for (const n of quick ? MATMUL_SIZES.slice(0, 1) : MATMUL_SIZES) {
        plans.push({ ...base, id: `matmul${n}`, batch: 0, n, learningRate: 0, stepsPerRepeat: matmulSteps(n, quick), flopsPerStep: 2 * n ** 3 });
      }
    }
  }
  return plans;
}
