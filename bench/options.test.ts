/** Option parsing, planning, pass ratios and the sweep's cut-off: the bench's logic without running a peer. */
import { describe, expect, it } from 'vitest';
import { UsageError } from '../src-cli/usage';
import { PASS_CHOICES, parseBenchArgs } from './options';
import { runPeer, type Runner } from './peers/harness';
import type { PeerOutput, WorkloadPlan } from './protocol';
import { computePassRatios, computeRatios, type PeerResult } from './result';
import { SWEEP_BATCHES, planWorkloads } from './workloads/plan';

describe('parseBenchArgs', () => {
  it('runs every pass row by default, none with --quick unless asked', () => {
    expect(parseBenchArgs([]).passes).toEqual([...PASS_CHOICES]);
    expect(parseBenchArgs(['--quick']).passes).toEqual([]);
    expect(parseBenchArgs(['--quick', '--passes', 'fusion,all']).passes).toEqual(['fusion', 'all']);
    expect(parseBenchArgs(['--passes', 'none']).passes).toEqual([]);
    expect(parseBenchArgs(['--no-passes']).passes).toEqual([]);
  });

  it('rejects an unknown pass and contradictory flags', () => {
    expect(() => parseBenchArgs(['--passes', 'fusion,loopUnrolling'])).toThrow(UsageError);
    expect(() => parseBenchArgs(['--passes', 'fusion', '--no-passes'])).toThrow(UsageError);
  });

  it('takes --sweep and --peers none', () => {
    const o = parseBenchArgs(['--sweep', '--peers', 'none', '--backends', 'webgpu,wasm,cpu']);
    expect([o.sweep, o.peers, o.backends]).toEqual([true, [], ['webgpu', 'wasm', 'cpu']]);
    expect(parseBenchArgs([]).sweep).toBe(false);
  });
});

describe('planWorkloads', () => {
  it('plans dispatch with and without a readback per step', () => {
    const plans = planWorkloads({ workloads: ['dispatch'], repeats: 3, quick: false });
    expect(plans.map((p) => [p.id, p.readback ?? false])).toEqual([['dispatch', false], ['dispatch+read', true]]);
  });

  it('replaces the MLP and LeNet by their batch-size sweeps with --sweep', () => {
    const ids = planWorkloads({ workloads: ['seed', 'mlp', 'lenet'], repeats: 1, quick: false, sweep: true }).map((p) => p.id);
    expect(ids).toEqual(['seed', 'seed-fetch', ...SWEEP_BATCHES.map((b) => `mlp@${b}`), ...SWEEP_BATCHES.map((b) => `lenet@${b}`)]);
    const quick = planWorkloads({ workloads: ['mlp'], repeats: 1, quick: true, sweep: true });
    expect(quick.map((p) => [p.batch, p.sweep])).toEqual([[32, 'mlp'], [64, 'mlp']]);
  });
});

function peer(name: string, ms: Record<string, number>, extra: Partial<PeerResult> = {}): PeerResult {
  const measurements = Object.entries(ms).map(([id, m]) => ({ id, medianMs: m, minMs: m, maxMs: m, cpuMedianMs: m / 2, repeats: 1, stepsPerRepeat: 1 }));
  return { name, ours: name.startsWith('ours'), status: 'ok', output: { description: '', measurements, skipped: [], peakRssMiB: 1 }, ...extra };
}

describe('pass ratios', () => {
  it('compares each pass row to ours with every pass on, and keeps it out of the peer ratios', () => {
    const peers = [
      peer('ours-wasm', { seed: 2, mlp: 4 }),
      peer('ours-wasm -fusion', { seed: 3, mlp: 4 }, { baseline: 'ours-wasm' }),
      peer('tfjs-wasm', { seed: 1, mlp: 8 }),
    ];
    expect(computePassRatios(peers).map((r) => [r.workload, r.peer, r.ratio])).toEqual([['seed', 'ours-wasm -fusion', 1.5], ['mlp', 'ours-wasm -fusion', 1]]);
    expect(computeRatios(peers).map((r) => [r.workload, r.ours, r.ratio])).toEqual([['seed', 'ours-wasm', 2], ['mlp', 'ours-wasm', 0.5]]);
  });
});

describe('runPeer with a sweep', () => {
  it('skips the larger batch sizes once one takes a single step over the budget', async () => {
    const plan = (batch: number): WorkloadPlan => ({
      id: `mlp@${batch}`, kind: 'mlp', batch, n: 0, learningRate: 0.1, warmupSteps: 1, stepsPerRepeat: 2, repeats: 1, budgetMs: 50, flopsPerStep: 0, sweep: 'mlp',
    });
    const request = { data: { path: '', examples: 0 }, variant: 'fake', seed: 1, workloads: [plan(32), plan(64), plan(128)] };
    const built: number[] = [];
    const busy = (ms: number): Runner => ({
      step: () => new Promise((resolve) => setTimeout(resolve, ms)),
      sync: () => undefined,
      dispose: () => undefined,
    });
    let last: PeerOutput | undefined;
    await runPeer(request, 'fake', async (p) => {
      built.push(p.batch);
      return busy(p.batch === 32 ? 0 : 80);
    }, (o) => (last = o));
    expect(built).toEqual([32, 64]);
    expect(last?.measurements.map((m) => m.id)).toEqual(['mlp@32', 'mlp@64']);
    expect(last?.skipped.map((s) => s.id)).toEqual(['mlp@128']);
    expect(last?.skipped[0].reason).toMatch(/mlp@64 already took/);
    expect(last?.measurements.every((m) => m.peakRssMiB === undefined || m.peakRssMiB > 0)).toBe(true);
  });
});
