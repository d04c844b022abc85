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
  /** A pass-off row (ours with some compiler pass switched off): the all-passes-on peer it is compared to. */
  baseline?: string;
  /** Ours on a software WebGPU adapter (llvmpipe, SwiftShader): the adapter's description. */
  softwareAdapter?: string;
}

/** A pass-off row against ours with every pass on: > 1 means the pass makes that workload this many times faster. */
export interface PassRatio {
  workload: string;
  peer: string;
  baseline: string;
  /** Wall-clock medians, the pass-off row over the baseline's. */
  ratio: number;
  cpuRatio: number;
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
  options: { quick: boolean; repeats: number; workloads: string[]; backends: string[]; passes?: string[]; sweep?: boolean };
  data: { examples: number; seed: number; sha256: string };
  workloads: WorkloadPlan[];
  peers: PeerResult[];
  ratios: Ratio[];
  /** Absent in results written before pass rows existed. */
  passRatios?: PassRatio[];
}

/** Each pass-off row against its all-passes-on baseline, per workload both measured. */
export function computePassRatios(peers: readonly PeerResult[]): PassRatio[] {
  const ratios: PassRatio[] = [];
  for (const p of peers) {
    const base = p.baseline === undefined ? undefined : peers.find((q) => q.name === p.baseline);
    if (!p.output || !base?.output) continue;
    for (const m of p.output.measurements) {
      const b = base.output.measurements.find((x) => x.id === m.id);
      if (b) ratios.push({ workload: m.id, peer: p.name, baseline: base.name, ratio: m.medianMs / b.medianMs, cpuRatio: m.cpuMedianMs / b.cpuMedianMs });
    }
  }
  return ratios;
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
    // Pass-off rows are compared to ours (computePassRatios), not to the peers.
    if (!p.ours || !p.output || p.baseline !== undefined) continue;
    for (const m of p.output.measurements) {
      const b = best.get(m.id);
      if (b) ratios.push({ workload: m.id, ours: p.name, bestPeer: b.peer, ratio: m.medianMs / b.ms, cpuRatio: m.cpuMedianMs / b.cpuMs });
    }
  }
  return ratios;
}
