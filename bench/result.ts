/** The shape of a bench run's results: what `--json` prints and bench/results/<timestamp>.json holds. */
import type { Machine } from './machine';
import type { PeerOutput, WorkloadPlan } from './protocol';

export interface PeerResult {
  /** 'ours-cpu', 'tfjs-wasm', 'numpy-openblas', ... */
  name: string;
  /** One of tinyflow's backends, as opposed to a library we compare against. */
  ours: boolean;
  status: 'ok' | 'unavailable' | 'failed';
  /** Why it is unavailable or how it failed. */
  reason?: string;
  /** Wall-clock seconds of the whole peer process, start-up included. */
  processSeconds?: number;
  output?: PeerOutput;
}

/** One of ours against the fastest peer on one workload: ratio > 1 means ours is that many times slower. */
export interface Ratio {
  workload: string;
  ours: string;
  /** The peer with the lowest wall-clock median. */
  bestPeer: string;
  /** Wall-clock medians, ours over the best peer's. */
  ratio: number;
  /**
   * CPU-time medians, ours over that peer's: steadier than wall clock on a loaded machine, but it
   * counts every thread, so it flatters nothing multi-threaded (OpenBLAS uses all cores).
   */
  cpuRatio: number;
}

export interface BenchResult {
  schema: 1;
  startedAt: string;
  finishedAt: string;
  machine: Machine;
  options: { quick: boolean; repeats: number; workloads: string[]; backends: string[] };
  data: { examples: number; seed: number; sha256: string };
  workloads: WorkloadPlan[];
  peers: PeerResult[];
  ratios: Ratio[];
}

/** The best (lowest median ms per step) non-ours peer per workload, and each of ours against it. */
export function computeRatios(peers: readonly PeerResult[]): Ratio[] {
  const best = new Map<string, { peer: string; ms: number; cpuMs: number }>();
  for (const p of peers) {
    if (p.ours || !p.output) continue;
    for (const m of p.output.measurements) {
      const current = best.get(m.id);
      if (!current || m.medianMs < current.ms) best.set(m.id, { peer: p.name, ms: m.medianMs, cpuMs: m.cpuMedianMs });
    }
  }
  const ratios: Ratio[] = [];
  for (const p of peers) {
    if (!p.ours || !p.output) continue;
    for (const m of p.output.measurements) {
      const b = best.get(m.id);
      if (b) ratios.push({ workload: m.id, ours: p.name, bestPeer: b.peer, ratio: m.medianMs / b.ms, cpuRatio: m.cpuMedianMs / b.cpuMs });
    }
  }
  return ratios;
}
