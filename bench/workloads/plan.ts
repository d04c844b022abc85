/**
 * The workloads' sizes and step counts, in one place: the parent sizes every workload and hands the
 * plan to each peer, so no peer can run a different amount of work. Step counts are scaled down from
 * the workloads' nominal lengths (the seed trains 1,000 steps) so that a full run of every peer stays
 * within about five minutes on a 2-core machine; results are per step, so the counts change the
 * noise, not the numbers.
 */
import type { WorkloadKind, WorkloadPlan } from '../protocol';

export const MATMUL_SIZES = [256, 512, 1024];

interface Sizing {
  warmup: number;
  steps: number;
  budgetMs: number;
}

/** [full, quick] warm-up and timed steps per repetition. */
const SIZING: Record<WorkloadKind, [Sizing, Sizing]> = {
  // 50 warm-up + 3 × 300 timed: about the seed's 1,000 steps.
  seed: [{ warmup: 50, steps: 300, budgetMs: 8_000 }, { warmup: 5, steps: 20, budgetMs: 2_000 }],
  mlp: [{ warmup: 10, steps: 40, budgetMs: 8_000 }, { warmup: 2, steps: 5, budgetMs: 2_000 }],
  matmul: [{ warmup: 1, steps: 1, budgetMs: 6_000 }, { warmup: 1, steps: 1, budgetMs: 2_000 }],
  lenet: [{ warmup: 1, steps: 2, budgetMs: 15_000 }, { warmup: 1, steps: 1, budgetMs: 3_000 }],
};

/** The matmul step count for size n: bigger products take longer, so fewer of them give the same time. */
function matmulSteps(n: number, quick: boolean): number {
  if (quick) return 1;
  return n <= 256 ? 20 : n <= 512 ? 4 : 1;
}

export interface PlanOptions {
  workloads: readonly WorkloadKind[];
  repeats: number;
  quick: boolean;
}

export function planWorkloads({ workloads, repeats, quick }: PlanOptions): WorkloadPlan[] {
  const plans: WorkloadPlan[] = [];
  for (const kind of workloads) {
    const { warmup, steps, budgetMs } = SIZING[kind][quick ? 1 : 0];
    const base = { kind, n: 0, warmupSteps: warmup, stepsPerRepeat: steps, repeats, budgetMs, flopsPerStep: 0 };
    if (kind === 'seed') plans.push({ ...base, id: 'seed', batch: 100, learningRate: 0.5 });
    if (kind === 'mlp') plans.push({ ...base, id: 'mlp', batch: 128, learningRate: 0.1 });
    if (kind === 'lenet') plans.push({ ...base, id: 'lenet', batch: 50, learningRate: 0.01 });
    if (kind === 'matmul') {
      for (const n of quick ? MATMUL_SIZES.slice(0, 1) : MATMUL_SIZES) {
        plans.push({ ...base, id: `matmul${n}`, batch: 0, n, learningRate: 0, stepsPerRepeat: matmulSteps(n, quick), flopsPerStep: 2 * n ** 3 });
      }
    }
  }
  return plans;
}
