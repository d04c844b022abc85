/**
 * Smoke test of the bench: a --quick run of our cpu backend against tfjs-wasm, through the real entry
 * point and peer processes, checking the JSON's shape and that every measured number is finite and
 * positive. It checks the machinery, not the speeds.
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';
import type { BenchResult } from './result';

const root = fileURLToPath(new URL('..', import.meta.url));
const out = mkdtempSync(join(tmpdir(), 'tinyflow-bench-test-'));
afterAll(() => rmSync(out, { recursive: true, force: true }));

function numbersIn(value: unknown, path: string, found: [string, number][] = []): [string, number][] {
  if (typeof value === 'number') found.push([path, value]);
  else if (Array.isArray(value)) value.forEach((v, i) => numbersIn(v, `${path}[${i}]`, found));
  else if (typeof value === 'object' && value !== null) for (const [k, v] of Object.entries(value)) numbersIn(v, `${path}.${k}`, found);
  return found;
}

describe('npm run bench --quick', () => {
  it('runs our cpu backend and tfjs-wasm and reports finite, positive numbers', () => {
    const args = ['--import', 'tsx', 'bench/run.ts', '--quick', '--json', '--backends', 'cpu', '--peers', 'tfjs-wasm',
      '--workloads', 'seed,mlp,matmul', '--repeats', '2', '--out', out];
    const run = spawnSync(process.execPath, args, { cwd: root, encoding: 'utf8', timeout: 60_000 });
    expect(run.status, run.stderr).toBe(0);
    const result = JSON.parse(run.stdout) as BenchResult;

    expect(result.schema).toBe(1);
    expect(result.peers.map((p) => [p.name, p.ours, p.status])).toEqual([['ours-cpu', true, 'ok'], ['tfjs-wasm', false, 'ok']]);
    expect(result.workloads.map((w) => w.id)).toEqual(['seed', 'seed-fetch', 'mlp', 'matmul256']);
    for (const peer of result.peers) {
      expect(peer.output?.measurements.map((m) => m.id)).toEqual(['seed', 'seed-fetch', 'mlp', 'matmul256']);
      expect(peer.output?.skipped).toEqual([]);
    }
    expect(result.ratios.map((r) => [r.workload, r.ours, r.bestPeer])).toEqual([
      ['seed', 'ours-cpu', 'tfjs-wasm'], ['seed-fetch', 'ours-cpu', 'tfjs-wasm'], ['mlp', 'ours-cpu', 'tfjs-wasm'], ['matmul256', 'ours-cpu', 'tfjs-wasm'],
    ]);
    expect(result.machine.cores).toBeGreaterThan(0);

    // Load averages may be 0 on an idle machine, and per-plan zeros (no flops, no n) are by design.
    const measured = numbersIn({ peers: result.peers, ratios: result.ratios }, '$');
    expect(measured.length).toBeGreaterThan(30);
    for (const [path, n] of measured) expect(Number.isFinite(n) && n > 0, `${path} = ${n}`).toBe(true);
    for (const n of [...result.machine.loadAverageStart, ...result.machine.loadAverageEnd]) expect(Number.isFinite(n) && n >= 0).toBe(true);

    expect(readdirSync(out).sort()).toEqual([expect.stringMatching(/^\d{4}-.*Z\.json$/), 'latest.md']);
    // Each workload's own peak RSS, measured the same way in both processes.
    for (const peer of result.peers) for (const m of peer.output?.measurements ?? []) expect(m.peakRssMiB).toBeGreaterThan(0);
  });

  it('adds a pass-off row compared to ours with every pass on, and the dispatch workload', () => {
    const dir = mkdtempSync(join(tmpdir(), 'tinyflow-bench-test-'));
    try {
      const args = ['--import', 'tsx', 'bench/run.ts', '--quick', '--json', '--backends', 'cpu', '--peers', 'none',
        '--workloads', 'seed,dispatch', '--passes', 'fusion', '--repeats', '1', '--out', dir];
      const run = spawnSync(process.execPath, args, { cwd: root, encoding: 'utf8', timeout: 60_000 });
      expect(run.status, run.stderr).toBe(0);
      const result = JSON.parse(run.stdout) as BenchResult;
      // The pass rows come from one process: ours with every pass on (+all), interleaved with each pass off.
      expect(result.peers.map((p) => [p.name, p.status, p.baseline])).toEqual([
        ['ours-cpu', 'ok', undefined], ['ours-cpu +all', 'ok', undefined], ['ours-cpu -fusion', 'ok', 'ours-cpu +all'],
      ]);
      // The pass rows run only the graph workloads; dispatch goes straight to a kernel.
      // ... and not seed-fetch, the seed's plan with one more readback.
      expect(result.peers.map((p) => p.output?.measurements.map((m) => m.id))).toEqual([['seed', 'seed-fetch', 'dispatch', 'dispatch+read'], ['seed'], ['seed']]);
      expect(result.passRatios?.map((r) => [r.workload, r.peer, r.baseline])).toEqual([['seed', 'ours-cpu -fusion', 'ours-cpu +all']]);
      expect(result.passRatios?.[0].ratio).toBeGreaterThan(0);
      expect(result.ratios).toEqual([]);
      expect(result.peers[1].output?.description).toBe('tinyflow cpu backend');
      expect(result.peers[2].output?.description).toBe('tinyflow cpu backend, fusion off');
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
