/**
 * A bench run: makes the shared data, starts each peer's process in turn with the same plan, and
 * gathers their answers with the machine's description and each of ours' ratio to the best peer.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { synthesize, writeDataset } from './data';
import { describeMachine } from './machine';
import type { BenchOptions } from './options';
import { listPeers } from './peers/list';
import { PASS_BACKENDS, PASS_WORKLOADS } from './options';
import type { PeerRequest, Skip, WorkloadKind, WorkloadPlan } from './protocol';
import { passPeerName, type PeerSpec } from './peers/list';
import { computePassRatios, computeRatios, type BenchResult, type PeerResult } from './result';
import { runPeerProcess } from './spawn';
import { planWorkloads } from './workloads/plan';

/** Divisible by every batch size (100, 128, 50): each batch is whole. 3,200 examples are 10 MB. */
const EXAMPLES = 3200;
const DATA_SEED = 20151109;
const INIT_SEED = 1;
/** A peer process that runs longer than this is stopped and reported failed (what it finished is kept). */
const PEER_TIMEOUT_MS = 240_000;
/** The sweep runs twelve training workloads per backend, LeNet up to batch 1024: more time per peer. */
const SWEEP_PEER_TIMEOUT_MS = 480_000;

/**
 * Workloads a peer leaves out of a default run, and why: tfjs-cpu's LeNet takes minutes for its one
 * step (179 s at 13:39 UTC on 2026-11-25, over the 240 s peer limit under load), most of a run's time
 * for a figure that does not change. Naming the workloads (--workloads) runs them.
 */
const SLOW_BY_DEFAULT: Record<string, { kind: WorkloadKind; reason: string }[]> = {
  'tfjs-cpu': [{ kind: 'lenet', reason: 'not run by default: one step takes about 3 minutes on 2 cores (name lenet in --workloads to run it)' }],
};

function defaultSkips(spec: PeerSpec, workloads: readonly WorkloadPlan[], options: BenchOptions): Skip[] {
  if (options.workloadsNamed) return [];
  const slow = SLOW_BY_DEFAULT[spec.name] ?? [];
  return workloads.flatMap((w) => slow.filter((s) => s.kind === w.kind).map((s) => ({ id: w.id, reason: s.reason })));
}

/**
 * The plans a peer runs: a pass row only its kinds, and neither the sweep (it is about batch size, not
 * passes) nor 'seed-fetch' (the seed's plan with one more readback: the passes are the seed's).
 */
function plansFor(spec: PeerSpec, workloads: readonly WorkloadPlan[]): WorkloadPlan[] {
  if (spec.kinds === undefined) return [...workloads];
  const kinds = spec.kinds;
  return workloads.filter((w) => kinds.includes(w.kind) && w.sweep === undefined && w.fetchAssign !== true);
}

/**
 * A pass-rows process answers for its control and each variant: one result per row, the control
 * being the baseline of the others. The process's figures (time, peak RSS) cover all of them, so
 * only the control keeps them.
 */
function expandVariants(spec: PeerSpec, result: PeerResult): PeerResult[] {
  const variants = result.output?.variants;
  if (!variants || !result.output) return [result];
  const { variants: _answered, ...control } = result.output;
  return [
    { ...result, output: control },
    ...variants.map((v): PeerResult => ({
      name: passPeerName(spec.variant, v.label), ours: true, status: result.status, baseline: result.name,
      output: { description: `${control.description}, ${v.label === 'all' ? 'every compiler pass' : v.label} off`, measurements: v.measurements, skipped: v.skipped, peakRssMiB: control.peakRssMiB },
    })),
  ];
}

function requestFor(spec: PeerSpec, path: string, workloads: readonly WorkloadPlan[]): PeerRequest {
  return {
    data: { path, examples: EXAMPLES }, variant: spec.variant, seed: INIT_SEED, workloads: plansFor(spec, workloads),
    ...(spec.optimizations !== undefined ? { optimizations: spec.optimizations } : {}),
    ...(spec.variants !== undefined ? { variants: spec.variants } : {}),
    ...(spec.softwareAdapter !== undefined ? { anyAdapter: true } : {}),
  };
}

export async function runBench(options: BenchOptions, progress: (line: string) => void = () => undefined): Promise<BenchResult> {
  const startedAt = new Date().toISOString();
  const machine = describeMachine();
  const workloads = planWorkloads(options);
  // Dawn (webgpu) is loaded in this parent process only when webgpu is named or every backend is probed;
  // the peers load only what their own backend needs.
  const passRows = { passes: options.passes, backends: PASS_BACKENDS, kinds: PASS_WORKLOADS.filter((k) => options.workloads.includes(k)) };
  const specs = (await listPeers(options.backends, options.peers, passRows)).filter((s) => plansFor(s, workloads).length > 0);
  const dir = mkdtempSync(join(tmpdir(), 'tinyflow-bench-'));
  try {
    const path = join(dir, 'mnist-shaped.f32');
    const sha256 = writeDataset(path, synthesize(EXAMPLES, DATA_SEED));
    const peers: PeerResult[] = [];
    for (const spec of specs) {
      progress(`bench: ${spec.name}${spec.unavailable ? ` unavailable (${spec.unavailable})` : ' ...'}`);
      const skips = defaultSkips(spec, workloads, options);
      const request = requestFor(spec, path, workloads);
      request.workloads = request.workloads.filter((w) => !skips.some((s) => s.id === w.id));
      const ran = await runPeerProcess(spec, request, options.sweep ? SWEEP_PEER_TIMEOUT_MS : PEER_TIMEOUT_MS);
      const result = ran.output && skips.length > 0 ? { ...ran, output: { ...ran.output, skipped: [...ran.output.skipped, ...skips] } } : ran;
      if (result.status === 'failed') progress(`bench: ${spec.name} failed: ${result.reason}`);
      else if (result.processSeconds !== undefined) progress(`bench: ${spec.name} done in ${result.processSeconds.toFixed(1)} s`);
      peers.push(...expandVariants(spec, result));
    }
    return {
      schema: 1,
      startedAt,
      finishedAt: new Date().toISOString(),
      machine: { ...machine, loadAverageEnd: describeMachine().loadAverageEnd },
      options: {
        quick: options.quick, repeats: options.repeats, workloads: options.workloads, backends: options.backends,
        passes: options.passes, sweep: options.sweep,
      },
      data: { examples: EXAMPLES, seed: DATA_SEED, sha256 },
      workloads,
      peers,
      ratios: computeRatios(peers),
      passRatios: computePassRatios(peers),
    };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
