/** Issue 17's targets read off a bench result: ratios, met or missed and by how much, or why not measured. */
import { describe, expect, it } from 'vitest';
import type { WorkloadPlan } from './protocol';
import type { BenchResult, PeerResult } from './result';
import { formatMarkdown, formatText } from './report';
import { LENET_BASELINE, computeTargets } from './targets';

function peer(name: string, ms: Record<string, number>, extra: Partial<PeerResult> = {}): PeerResult {
  const measurements = Object.entries(ms).map(([id, m]) => ({ id, medianMs: m, minMs: m, maxMs: m, cpuMedianMs: m, repeats: 1, stepsPerRepeat: 1 }));
  return { name, ours: name.startsWith('ours'), status: 'ok', output: { description: '', measurements, skipped: [], peakRssMiB: 1 }, ...extra };
}

const plan = (id: string, kind: WorkloadPlan['kind'], flopsPerStep = 0): WorkloadPlan => ({
  id, kind, batch: 100, n: 0, learningRate: 0.5, warmupSteps: 1, stepsPerRepeat: 1, repeats: 1, budgetMs: 1000, flopsPerStep,
});

function result(peers: PeerResult[], workloads: WorkloadPlan[]): BenchResult {
  const machine = { cpuModel: 'test', cores: 2, memoryGiB: 1, platform: 'linux x64', node: 'v20', loadAverageStart: [0, 0, 0], loadAverageEnd: [0, 0, 0] };
  return {
    schema: 1, startedAt: '2026-12-05T00:00:00Z', finishedAt: '2026-12-05T00:01:00Z', machine, data: { examples: 1, seed: 1, sha256: 'x'.repeat(64) },
    options: { quick: false, repeats: 1, workloads: [], backends: [] }, workloads, peers, ratios: [],
  } as BenchResult;
}

const WORKLOADS = [
  plan('seed', 'seed'), plan('seed-fetch', 'seed'), plan('mlp', 'mlp'), plan('matmul1024', 'matmul', 2 * 1024 ** 3),
  plan('peak', 'matmul', 1e9), plan('lenet', 'lenet'),
];

describe('bench targets', () => {
  it('computes every ratio and says met or missed by how much', () => {
    const targets = computeTargets(result([
      // matmul1024: 2.147 GFLOP in 25 ms = 85.9 GFLOP/s; peak: 1 GFLOP in 10 ms = 100 GFLOP/s.
      peer('ours-wasm', { 'seed': 0.1, 'seed-fetch': 0.2, 'mlp': 0.5, 'matmul1024': 25, 'peak': 10, 'lenet': LENET_BASELINE.ms / 2 }),
      peer('ours-cpu', { seed: 0.5 }),
      peer('numpy-openblas', { 'seed': 0.12, 'seed-fetch': 0.12, 'mlp': 0.45 }),
      peer('tfjs-cpu', { seed: 2 }),
    ], WORKLOADS));
    const byName = (prefix: string) => targets.find((t) => t.name.startsWith(prefix));
    expect(byName('seed:')?.ratio).toBeCloseTo(1.2, 10);
    expect(byName('seed:')?.verdict).toBe('met (1.20× against 1×)');
    expect(byName('seed-fetch:')?.ratio).toBeCloseTo(0.6, 10);
    expect(byName('seed-fetch:')?.verdict).toBe('missed by 40%: 0.60× against 1× (ours needs 1.67× its speed)');
    expect(byName('mlp:')?.ratio).toBeCloseTo(0.9, 10);
    expect(byName('mlp:')?.verdict).toMatch(/^met/);
    expect(byName('matmul1024:')?.ratio).toBeCloseTo((2 * 1024 ** 3) / 25e6 / 100, 10);
    expect(byName('matmul1024:')?.verdict).toMatch(/^missed by 5%: 0\.86× against 0\.9× .*; 85\.9 of 100\.0 GFLOP\/s$/);
    expect(byName('lenet:')?.ratio).toBeCloseTo(2, 10);
    expect(byName('lenet:')?.name).toContain(`${LENET_BASELINE.date} baseline (${LENET_BASELINE.ms} ms/step)`);
    expect(byName('seed: ours-cpu')?.ratio).toBeCloseTo(4, 10);
    expect(byName('seed: ours-cpu')?.verdict).toMatch(/^missed by 20%/);
  });

  it('says why a target is not measured: a peer that did not run, a skip, a workload not in the run', () => {
    const skipped: PeerResult = peer('ours-wasm', { seed: 0.1 });
    skipped.output?.skipped.push({ id: 'lenet', reason: 'conv2d is missing' });
    const targets = computeTargets(result([skipped, peer('tfjs-cpu', { seed: 1 }, { status: 'unavailable', reason: 'no tfjs' })], [plan('seed', 'seed'), plan('lenet', 'lenet')]));
    expect(targets.map((t) => t.ratio)).toEqual([null, null, null, null, null, null]);
    expect(targets[0].verdict).toBe('not measured: numpy-openblas did not run');
    expect(targets[3].verdict).toBe('not measured: matmul1024 was not in this run');
    expect(targets[4].verdict).toBe('not measured: ours-wasm skipped lenet: conv2d is missing');
    expect(targets[5].verdict).toBe('not measured: ours-cpu did not run');
  });

  it('the text and markdown reports carry the targets section', () => {
    const r = result([peer('ours-wasm', { seed: 0.1 }), peer('numpy-openblas', { seed: 0.2 })], [plan('seed', 'seed')]);
    expect(formatMarkdown(r)).toContain('## Targets (issue 17)');
    expect(formatMarkdown(r)).toMatch(/\| seed: ours-wasm \/ numpy-openblas steps\/s \(assign as a target\) \| ≥ 1× \| 2\.00× \| met \(2\.00× against 1×\) \|/);
    expect(formatText(r)).toContain('targets (issue 17):');
  });
});
