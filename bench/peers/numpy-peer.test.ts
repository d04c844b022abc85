/**
 * The numpy peer's three programs: 'numpy-openblas' (float32, preallocated, in place) trains to the
 * same weights as the blog's float64 program ('numpy-openblas-f64') on the same data, each variant
 * answers in its own process with its own description, and the float64 row leaves the kernel
 * workloads to numpy-openblas.
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';
import { synthesize, writeDataset } from '../data';
import type { PeerOutput, PeerRequest, WorkloadPlan } from '../protocol';
import { PYTHON } from './list';

const script = fileURLToPath(new URL('./numpy_peer.py', import.meta.url));
const dir = mkdtempSync(join(tmpdir(), 'tinyflow-numpy-peer-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));
const EXAMPLES = 800;
const path = join(dir, 'data.f32');
writeDataset(path, synthesize(EXAMPLES, 7));

const plan = (kind: WorkloadPlan['kind'], extra: Partial<WorkloadPlan> = {}): WorkloadPlan => ({
  id: kind, kind, batch: kind === 'mlp' ? 128 : 100, n: 0, learningRate: kind === 'mlp' ? 0.1 : 0.5, warmupSteps: 2,
  stepsPerRepeat: 20, repeats: 1, budgetMs: 2000, flopsPerStep: 0, ...extra,
});

function python(args: string[]): string {
  const run = spawnSync(PYTHON, [script, ...args], { encoding: 'utf8', timeout: 60_000 });
  expect(run.status, run.stderr).toBe(0);
  return run.stdout;
}

describe('numpy peer', () => {
  it('the float32 in-place programs reach the float64 programs\' weights (seed and MLP, 20 steps)', () => {
    const request = { data: { path, examples: EXAMPLES }, seed: 1, workloads: [plan('seed'), plan('mlp')] };
    const found = JSON.parse(python(['--check', JSON.stringify(request)])) as Record<string, { maxAbsDiff: number; maxAbs: number; dtypes: string[] }>;
    for (const id of ['seed', 'mlp']) {
      expect(found[id].dtypes).toEqual(['float32', 'float64']);
      // The weights moved (the runs trained) and agree to float32 rounding.
      expect(found[id].maxAbs).toBeGreaterThan(0.01);
      expect(found[id].maxAbsDiff).toBeLessThan(1e-3);
    }
  });

  it('each variant runs its own program and says which; the float64 row skips the kernels, every row skips LeNet', () => {
    const workloads = [plan('seed'), plan('matmul', { id: 'matmul64', n: 64, batch: 0, flopsPerStep: 2 * 64 ** 3 }), plan('lenet')];
    const answers = new Map<string, PeerOutput>();
    for (const variant of ['numpy-openblas', 'numpy-openblas-f64']) {
      const request: PeerRequest = { data: { path, examples: EXAMPLES }, variant, seed: 1, workloads };
      const lines = python([JSON.stringify(request)]).trim().split('\n');
      answers.set(variant, JSON.parse(lines[lines.length - 1]) as PeerOutput);
    }
    const fast = answers.get('numpy-openblas') as PeerOutput;
    const blog = answers.get('numpy-openblas-f64') as PeerOutput;
    expect(fast.description).toMatch(/float32, preallocated, in place$/);
    expect(blog.description).toMatch(/the blog's float64 program$/);
    expect(fast.measurements.map((m) => m.id)).toEqual(['seed', 'matmul64']);
    expect(blog.measurements.map((m) => m.id)).toEqual(['seed']);
    expect(blog.skipped.map((s) => s.id)).toEqual(['matmul64', 'lenet']);
    for (const m of [...fast.measurements, ...blog.measurements]) expect(m.medianMs).toBeGreaterThan(0);
  });

  it('an unknown variant is refused with the known ones named', () => {
    const request = { data: { path, examples: EXAMPLES }, variant: 'numpy-fast', seed: 1, workloads: [plan('seed')] };
    const run = spawnSync(PYTHON, [script, JSON.stringify(request)], { encoding: 'utf8', timeout: 60_000 });
    expect(run.status).not.toBe(0);
    expect(run.stderr).toContain("unknown variant 'numpy-fast' (known: numpy-openblas, numpy-openblas-f64, numpy-reference)");
  });
});
