/**
 * The measuring loop every TypeScript peer shares: warm up, then time `repeats` repetitions of
 * `stepsPerRepeat` steps each, by wall clock and by this process's CPU time. Each repetition ends
 * with `sync`, so work an asynchronous backend has queued is inside the time that it belongs to.
 */
import type { Measurement, PeerOutput, PeerRequest, Skip, WorkloadPlan } from '../protocol';
import { median, summarize } from '../stats';

export interface Runner {
  step(): void | Promise<void>;
  /** Waits until every step so far has finished (reads a result back). */
  sync(): void | Promise<void>;
  dispose(): void;
}

/** A peer builds a runner per workload, or says why it cannot run it. */
export type Build = (plan: WorkloadPlan) => Promise<Runner | Skip>;

async function steps(runner: Runner, count: number): Promise<void> {
  for (let i = 0; i < count; i++) {
    const pending = runner.step();
    if (pending) await pending;
  }
  await runner.sync();
}

function cpuMs(since: NodeJS.CpuUsage): number {
  const used = process.cpuUsage(since);
  return (used.user + used.system) / 1000;
}

/** Times `count` steps (ending with sync): [wall ms per step, CPU ms per step]. */
async function timeSteps(runner: Runner, count: number): Promise<[number, number]> {
  const cpuStart = process.cpuUsage();
  const start = performance.now();
  await steps(runner, count);
  return [(performance.now() - start) / count, cpuMs(cpuStart) / count];
}

export async function measure(plan: WorkloadPlan, runner: Runner): Promise<Measurement> {
  const base = { id: plan.id, repeats: 1, stepsPerRepeat: 1 };
  const [firstMs, firstCpu] = await timeSteps(runner, 1);
  if (firstMs > plan.budgetMs) {
    const note = `one step only: the first took ${(firstMs / 1000).toFixed(1)} s, over the ${plan.budgetMs / 1000} s budget`;
    return { ...base, medianMs: firstMs, minMs: firstMs, maxMs: firstMs, cpuMedianMs: firstCpu, note };
  }
  const warmup = Math.max(0, plan.warmupSteps - 1);
  const stepMs = warmup > 0 ? (await timeSteps(runner, warmup))[0] : firstMs;
  const fits = Math.max(1, Math.floor(plan.budgetMs / (plan.repeats * stepMs)));
  const stepsPerRepeat = Math.min(plan.stepsPerRepeat, fits);
  const wall: number[] = [];
  const cpu: number[] = [];
  for (let r = 0; r < plan.repeats; r++) {
    const [w, c] = await timeSteps(runner, stepsPerRepeat);
    wall.push(w);
    cpu.push(c);
  }
  const { median: medianMs, min: minMs, max: maxMs } = summarize(wall);
  const note = stepsPerRepeat < plan.stepsPerRepeat ? `${stepsPerRepeat} of ${plan.stepsPerRepeat} steps per repetition, to fit the budget` : undefined;
  return { ...base, medianMs, minMs, maxMs, cpuMedianMs: median(cpu), repeats: plan.repeats, stepsPerRepeat, ...(note ? { note } : {}) };
}

/** A build or a first step that throws (an op the library lacks) is a skip with its message, not a failed peer. */
async function runOne(plan: WorkloadPlan, build: Build): Promise<Measurement | Skip> {
  let runner: Runner | Skip;
  try {
    runner = await build(plan);
  } catch (e) {
    return { id: plan.id, reason: e instanceof Error ? e.message : String(e) };
  }
  if (!('step' in runner)) return runner;
  try {
    return await measure(plan, runner);
  } catch (e) {
    return { id: plan.id, reason: e instanceof Error ? e.message.split('\n')[0] : String(e) };
  } finally {
    runner.dispose();
  }
}

/** Runs every workload, replying after each with everything so far (see protocol.ts). */
export async function runPeer(request: PeerRequest, description: string, build: Build, reply: (output: PeerOutput) => void): Promise<void> {
  const measurements: Measurement[] = [];
  const skipped: Skip[] = [];
  for (const plan of request.workloads) {
    const result = await runOne(plan, build);
    if ('reason' in result) skipped.push(result);
    else measurements.push(result);
    // maxRSS is in KiB on Linux and macOS.
    reply({ description, measurements, skipped, peakRssMiB: process.resourceUsage().maxRSS / 1024 });
  }
}

/**
 * The request from argv, and a writer for the single JSON line on stdout. Libraries that log
 * (tfjs greets Node users on the console) are moved to stderr first, so stdout holds only answers.
 */
export function peerIo(): { request: PeerRequest; reply: (output: PeerOutput) => void } {
  const raw = process.argv[2];
  if (raw === undefined) throw new Error('usage: <peer> <request JSON>');
  console.log = console.error;
  console.info = console.error;
  return {
    request: JSON.parse(raw) as PeerRequest,
    reply: (output) => process.stdout.write(`${JSON.stringify(output)}\n`),
  };
}
