/**
 * The speed targets of issue 17, read off one bench run as ratios: each met or missed, and by how
 * much. A target whose rows did not run (a peer unavailable, a workload not chosen) says what is
 * missing instead of a number.
 */
import type { Measurement, WorkloadPlan } from './protocol';
import type { BenchResult } from './result';

/**
 * Ours-wasm's LeNet step before issue 17's work, the baseline of the LeNet target: the committed
 * full default run of 2026-11-25 (bench/results/latest.md at a476b6a, load average 1.04).
 */
export const LENET_BASELINE = { ms: 114, date: '2026-11-25', peer: 'ours-wasm' } as const;

/** The register-only multiply-add peak's workload (our wasm backend, GFLOP/s): ids starting with this. */
export const PEAK_WORKLOAD = 'peak';

export interface Target {
  /** What is compared, in words: 'seed: ours-wasm / numpy-openblas steps/s'. */
  name: string;
  /** The ratio that meets the target (at least). */
  goal: number;
  /** The measured ratio, or null when a row it needs is missing. */
  ratio: number | null;
  /** met / missed, or 'not measured' with why. */
  verdict: string;
}

function measurement(result: BenchResult, peer: string, id: string): Measurement | undefined {
  return result.peers.find((p) => p.name === peer)?.output?.measurements.find((m) => m.id === id);
}

function missingRow(result: BenchResult, peer: string, id: string): string {
  const p = result.peers.find((x) => x.name === peer);
  if (!p) return `${peer} did not run`;
  if (p.status !== 'ok') return `${peer} ${p.status}${p.reason ? `: ${p.reason}` : ''}`;
  const skip = p.output?.skipped.find((s) => s.id === id);
  if (skip) return `${peer} skipped ${id}: ${skip.reason}`;
  return `${peer} has no ${id} row`;
}

function judge(name: string, goal: number, ratio: number): Target {
  const verdict = ratio >= goal
    ? `met (${ratio.toFixed(2)}× against ${goal}×)`
    : `missed by ${((1 - ratio / goal) * 100).toFixed(0)}%: ${ratio.toFixed(2)}× against ${goal}× (ours needs ${(goal / ratio).toFixed(2)}× its speed)`;
  return { name, goal, ratio, verdict };
}

/** ours' steps/s over the other's on `id` (their ms over ours). */
function speedRatio(result: BenchResult, name: string, goal: number, ours: string, other: string, id: string): Target {
  const a = measurement(result, ours, id);
  const b = measurement(result, other, id);
  if (!a || !b) return { name, goal, ratio: null, verdict: `not measured: ${!a ? missingRow(result, ours, id) : missingRow(result, other, id)}` };
  return judge(name, goal, b.medianMs / a.medianMs);
}

function gflops(plan: WorkloadPlan, m: Measurement): number {
  return plan.flopsPerStep / (m.medianMs * 1e6);
}

function peakTarget(result: BenchResult): Target {
  const name = 'matmul1024: ours-wasm GFLOP/s / the measured multiply-add peak of every core';
  const goal = 0.9;
  const product = result.workloads.find((w) => w.id === 'matmul1024');
  const peak = result.workloads.find((w) => w.id.startsWith(PEAK_WORKLOAD) && w.flopsPerStep > 0);
  const m = product && measurement(result, 'ours-wasm', product.id);
  const p = peak && measurement(result, 'ours-wasm', peak.id);
  if (!product || !m) return { name, goal, ratio: null, verdict: `not measured: ${product ? missingRow(result, 'ours-wasm', product.id) : 'matmul1024 was not in this run'}` };
  if (!peak || !p) return { name, goal, ratio: null, verdict: `not measured: ${peak ? missingRow(result, 'ours-wasm', peak.id) : 'no peak workload in this run'}` };
  const t = judge(name, goal, gflops(product, m) / gflops(peak, p));
  return { ...t, verdict: `${t.verdict}; ${gflops(product, m).toFixed(1)} of ${gflops(peak, p).toFixed(1)} GFLOP/s` };
}

function lenetTarget(result: BenchResult): Target {
  const name = `lenet: ours-wasm steps/s / its ${LENET_BASELINE.date} baseline (${LENET_BASELINE.ms} ms/step)`;
  const goal = 1.5;
  const m = measurement(result, LENET_BASELINE.peer, 'lenet');
  if (!m) return { name, goal, ratio: null, verdict: `not measured: ${missingRow(result, LENET_BASELINE.peer, 'lenet')}` };
  const t = judge(name, goal, LENET_BASELINE.ms / m.medianMs);
  return { ...t, verdict: `${t.verdict}; ${m.medianMs.toFixed(1)} ms/step` };
}

export function computeTargets(result: BenchResult): Target[] {
  return [
    speedRatio(result, 'seed: ours-wasm / numpy-openblas steps/s (assign as a target)', 1.0, 'ours-wasm', 'numpy-openblas', 'seed'),
    speedRatio(result, 'seed-fetch: ours-wasm / numpy-openblas steps/s (W fetched every step)', 1.0, 'ours-wasm', 'numpy-openblas', 'seed-fetch'),
    speedRatio(result, 'mlp: ours-wasm / numpy-openblas steps/s', 0.8, 'ours-wasm', 'numpy-openblas', 'mlp'),
    peakTarget(result),
    lenetTarget(result),
    speedRatio(result, 'seed: ours-cpu / tfjs-cpu steps/s', 5.0, 'ours-cpu', 'tfjs-cpu', 'seed'),
  ];
}

/** The targets as a table: target, goal, measured ratio, verdict. */
export function targetsTable(result: BenchResult): { header: string[]; rows: string[][] } {
  return {
    header: ['target', 'goal', 'measured', 'verdict'],
    rows: computeTargets(result).map((t) => [t.name, `≥ ${t.goal}×`, t.ratio === null ? '-' : `${t.ratio.toFixed(2)}×`, t.verdict]),
  };
}
