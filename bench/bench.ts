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
import type { PeerRequest } from './protocol';
import { computeRatios, type BenchResult, type PeerResult } from './result';
import { runPeerProcess } from './spawn';
import { planWorkloads } from './workloads/plan';

/** Divisible by every batch size (100, 128, 50): each batch is whole. 3,200 examples are 10 MB. */
const EXAMPLES = 3200;
const DATA_SEED = 20151109;
const INIT_SEED = 1;
/** A peer process that runs longer than this is stopped and reported failed. */
const PEER_TIMEOUT_MS = 240_000;

export async function runBench(options: BenchOptions, progress: (line: string) => void = () => undefined): Promise<BenchResult> {
  const startedAt = new Date().toISOString();
  const machine = describeMachine();
  const workloads = planWorkloads(options);
  const specs = await listPeers(options.backends, options.peers);
  const dir = mkdtempSync(join(tmpdir(), 'tinyflow-bench-'));
  try {
    const path = join(dir, 'mnist-shaped.f32');
    const sha256 = writeDataset(path, synthesize(EXAMPLES, DATA_SEED));
    const peers: PeerResult[] = [];
    for (const spec of specs) {
      progress(`bench: ${spec.name}${spec.unavailable ? ` unavailable (${spec.unavailable})` : ' ...'}`);
      const request: PeerRequest = { data: { path, examples: EXAMPLES }, variant: spec.variant, seed: INIT_SEED, workloads };
      const result = await runPeerProcess(spec, request, PEER_TIMEOUT_MS);
      if (result.status === 'failed') progress(`bench: ${spec.name} failed: ${result.reason}`);
      else if (result.processSeconds !== undefined) progress(`bench: ${spec.name} done in ${result.processSeconds.toFixed(1)} s`);
      peers.push(result);
    }
    return {
      schema: 1,
      startedAt,
      finishedAt: new Date().toISOString(),
      machine: { ...machine, loadAverageEnd: describeMachine().loadAverageEnd },
      options: { quick: options.quick, repeats: options.repeats, workloads: options.workloads, backends: options.backends },
      data: { examples: EXAMPLES, seed: DATA_SEED, sha256 },
      workloads,
      peers,
      ratios: computeRatios(peers),
    };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
