/**
 * The measuring loop every TypeScript peer shares: warm up, then time `repeats` repetitions of
 * `stepsPerRepeat` steps each, by wall clock and by this process's CPU time. Each repetition ends
 * with `sync`, so work an asynchronous backend has queued is inside the time that it belongs to.
 */
import type { Measurement, Optimizations, PeerOutput, PeerRequest, Skip, VariantOutput, WorkloadPlan } from '../protocol';
import { median, summarize } from '../stats';
import { START_RSS_MIB, peakRssMiB, resetPeakRss } from './memory';

export interface Runner {
  step(): void | Promise<void>;
  /** Waits until every step so far has finished (reads a result back). */
  sync(): void | Promise<void>;
  dispose(): void;
  /** How this peer's runner differs from the plain workload, shown with its row (a custom gradient). */
  note?: string;
}

/**
 * A peer builds a runner per workload, or says why it cannot run it; ours also takes the compiler
 * passes of a variant (see PeerRequest.variants), undefined for the request's own configuration.
 */
export type Build = (plan: WorkloadPlan, optimizations?: Optimizations) => Promise<Runner | Skip>;

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

/**
 * Every configuration of one workload measured side by side: each is warmed up, then repetition r of
 * every one runs before repetition r + 1 of any, so a change in a shared machine's load falls on all
 * of them alike and their ratios hold even when the absolute times drift. All run the same step count.
 */
async function measureInterleaved(plan: WorkloadPlan, runners: readonly Runner[]): Promise<Measurement[]> {
  let stepMs = 0;
  for (const runner of runners) {
    const [firstMs] = await timeSteps(runner, 1);
    const warmup = Math.max(0, plan.warmupSteps - 1);
    stepMs = Math.max(stepMs, warmup > 0 ? (await timeSteps(runner, warmup))[0] : firstMs);
  }
  const fits = Math.max(1, Math.floor(plan.budgetMs / (plan.repeats * stepMs)));
  const stepsPerRepeat = Math.min(plan.stepsPerRepeat, fits);
  const wall = runners.map((): number[] => []);
  const cpu = runners.map((): number[] => []);
  for (let r = 0; r < plan.repeats; r++) {
    for (const [i, runner] of runners.entries()) {
      const [w, c] = await timeSteps(runner, stepsPerRepeat);
      wall[i].push(w);
      cpu[i].push(c);
    }
  }
  const note = stepsPerRepeat < plan.stepsPerRepeat ? `${stepsPerRepeat} of ${plan.stepsPerRepeat} steps per repetition, to fit the budget` : undefined;
  return runners.map((_, i) => {
    const { median: medianMs, min: minMs, max: maxMs } = summarize(wall[i]);
    return { id: plan.id, medianMs, minMs, maxMs, cpuMedianMs: median(cpu[i]), repeats: plan.repeats, stepsPerRepeat, ...(note ? { note } : {}) };
  });
}

const reasonOf = (e: unknown): string => (e instanceof Error ? e.message.split('\n')[0] : String(e));

/** The control (index 0) and each variant of one workload, interleaved; a configuration that fails is a skip. */
async function runVariants(plan: WorkloadPlan, build: Build, configs: readonly (Optimizations | undefined)[]): Promise<(Measurement | Skip)[]> {
  const built: (Runner | Skip)[] = [];
  try {
    for (const optimizations of configs) {
      try {
        built.push(await build(plan, optimizations));
      } catch (e) {
        built.push({ id: plan.id, reason: reasonOf(e) });
      }
    }
    const runners = built.filter((r): r is Runner => 'step' in r);
    let measured: Measurement[];
    try {
      measured = await measureInterleaved(plan, runners);
    } catch (e) {
      return built.map(() => ({ id: plan.id, reason: reasonOf(e) }));
    }
    return built.map((r) => ('step' in r ? (measured.shift() ?? { id: plan.id, reason: 'not measured' }) : r));
  } finally {
    for (const r of built) if ('step' in r) r.dispose();
  }
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
    const m = await measure(plan, runner);
    const note = [runner.note, m.note].filter((n) => n !== undefined).join('; ');
    return note === '' ? m : { ...m, note };
  } catch (e) {
    return { id: plan.id, reason: e instanceof Error ? e.message.split('\n')[0] : String(e) };
  } finally {
    runner.dispose();
  }
}

function collectGarbage(): void {
  const gc = (globalThis as { gc?: () => void }).gc;
  if (gc) gc();
}

/** A sweep's earlier batch size that took a step over the budget: the larger ones are not tried. */
function sweepCutOff(plan: WorkloadPlan, done: readonly Measurement[], plans: readonly WorkloadPlan[]): Skip | undefined {
  if (plan.sweep === undefined) return undefined;
  // The median, not only a first step over budget: an asynchronous backend's first step can return
  // before its GPU work is done, so only the repetitions show how slow it is.
  const slow = done.find((m) => m.medianMs > plan.budgetMs && plans.find((p) => p.id === m.id)?.sweep === plan.sweep);
  return slow && { id: plan.id, reason: `not run: ${slow.id} already took ${(slow.medianMs / 1000).toFixed(1)} s a step, over the ${plan.budgetMs / 1000} s budget` };
}

/** What a peer adds to its description and answers besides the measurements. */
export interface PeerExtras {
  softwareAdapter?: boolean;
}

/** Runs every workload, replying after each with everything so far (see protocol.ts). */
export async function runPeer(
  request: PeerRequest, description: string, build: Build, reply: (output: PeerOutput) => void, extras: PeerExtras = {},
): Promise<void> {
  const measurements: Measurement[] = [];
  const skipped: Skip[] = [];
  const variants: VariantOutput[] = (request.variants ?? []).map((v) => ({ label: v.label, measurements: [], skipped: [] }));
  // The high-water mark is reset per workload, so the process's own peak is kept here.
  let processPeak = peakRssMiB();
  for (const plan of request.workloads) {
    const cut = sweepCutOff(plan, measurements, request.workloads);
    processPeak = Math.max(processPeak, peakRssMiB());
    // What the last workload left for the garbage collector (a disposed backend's WebAssembly memory)
    // would otherwise count in this one's peak; node peers run with --expose-gc for this.
    collectGarbage();
    const resettable = resetPeakRss();
    if (request.variants !== undefined && cut === undefined) {
      // Pass rows: the peak covers the control and every variant together, so no row gets it.
      const [control, ...others] = await runVariants(plan, build, [undefined, ...request.variants.map((v) => v.optimizations)]);
      processPeak = Math.max(processPeak, peakRssMiB());
      if ('reason' in control) skipped.push(control);
      else measurements.push(control);
      others.forEach((r, i) => {
        if ('reason' in r) variants[i].skipped.push(r);
        else variants[i].measurements.push(r);
      });
      reply({ description, measurements, skipped, peakRssMiB: processPeak, startRssMiB: START_RSS_MIB, ...extras, variants });
      continue;
    }
    const result = cut ?? (await runOne(plan, build));
    const peak = peakRssMiB();
    processPeak = Math.max(processPeak, peak);
    if ('reason' in result) skipped.push(result);
    else measurements.push(resettable ? { ...result, peakRssMiB: peak } : result);
    reply({ description, measurements, skipped, peakRssMiB: processPeak, startRssMiB: START_RSS_MIB, ...extras });
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
