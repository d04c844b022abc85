/**
 * The Compare view's workload: the same model, seed, batches and step count on every registered
 * backend, timed, with the loss trajectory and final weights compared against the cpu reference. Each
 * backend runs within a time budget and the whole comparison stops between two steps when its signal
 * aborts. The app runs this in its own thread (compare-runner.ts), so it never holds up predictions.
 */
import { registeredBackends, type BackendAdapter } from '../../backends';
import type { CompareRow, Req } from '../../src-app-api/schemas';
import { modelEntry } from '../../src-core/models';
import { loadData } from './datasets';
import { ModelRuntime } from './model-runtime';

interface RunTrace {
  steps: number;
  losses: number[];
  weights: Float32Array;
  seconds: number;
  timeToAccuracy: number | null;
  finalAccuracy: number;
  adapter: BackendAdapter | undefined;
  stopped: CompareRow['stopped'];
}

/** How often (in steps) accuracy is measured for time-to-accuracy; its cost is excluded from the timing. */
const EVAL_EVERY = 10;
/** Accuracy is measured on this many test examples: enough to compare backends, cheap enough for big models. */
const EVAL_EXAMPLES = 500;

export interface CompareOptions {
  /** Wall-clock milliseconds one backend may run (set-up and evaluations included). */
  budgetMs: number;
  /** Aborting ends the comparison after the current step; the rows so far come back. */
  signal?: AbortSignal;
  /** Awaited after every step. */
  between?: () => Promise<void>;
  /** Told when a backend starts, and each finished row as soon as it is known. */
  onBackend?: (backend: string) => void;
  onRow?: (row: CompareRow) => void;
}

/** The backends a comparison runs, in order: cpu first, as the reference the others are compared with. */
export function compareOrder(): string[] {
  const backends = registeredBackends();
  return ['cpu', ...backends.filter((b) => b !== 'cpu')].filter((b) => backends.includes(b));
}

async function runOn(backend: string, request: Req<'compare:run'>, options: CompareOptions): Promise<RunTrace> {
  const started = performance.now();
  const rt = new ModelRuntime(request.model, modelEntry(request.model).defaultLearningRate, backend);
  try {
    await rt.initialize();
    const adapter = (await rt.session.backend()).capabilities.adapter;
    const data = loadData(null, rt.model.flatten);
    const evaluate = rt.testEvaluator(data.test, EVAL_EXAMPLES);
    const losses: number[] = [];
    let seconds = 0;
    let timeToAccuracy: number | null = null;
    let finalAccuracy = 0;
    let stopped: RunTrace['stopped'] = null;
    let step = 0;
    while (step < request.steps) {
      if (options.signal?.aborted) stopped = 'cancelled';
      // At least one step, so a row has numbers; a first step past the budget is the runner's to end.
      else if (step > 0 && performance.now() - started > options.budgetMs) stopped = 'budget';
      if (stopped !== null) break;
      const [xs, ys] = data.train.next_batch(request.batchSize);
      const t0 = performance.now();
      losses.push(await rt.trainStep(xs, ys));
      seconds += (performance.now() - t0) / 1000;
      step++;
      await options.between?.();
      if (step % EVAL_EVERY === 0 || step === request.steps) {
        finalAccuracy = await evaluate();
        if (timeToAccuracy === null && finalAccuracy >= request.targetAccuracy) timeToAccuracy = seconds;
      }
    }
    // A run cut short between evaluations still reports the accuracy its weights have now.
    if (step > 0 && step % EVAL_EVERY !== 0 && step !== request.steps) finalAccuracy = await evaluate();
    const values = await rt.readVariables();
    const weights = new Float32Array(values.reduce((n, v) => n + v.size, 0));
    let offset = 0;
    for (const v of values) {
      weights.set(v.data as Float32Array, offset);
      offset += v.size;
    }
    return { steps: step, losses, weights, seconds, timeToAccuracy, finalAccuracy, adapter, stopped };
  } finally {
    rt.close();
  }
}

/** Mean and max absolute difference over the first `n` values both have. */
function diff(a: ArrayLike<number>, b: ArrayLike<number>, n = Math.min(a.length, b.length)): { max: number; mean: number } {
  let max = 0;
  let sum = 0;
  for (let i = 0; i < n; i++) {
    const d = Math.abs(a[i] - b[i]);
    max = Math.max(max, d);
    sum += d;
  }
  return { max, mean: n > 0 ? sum / n : 0 };
}

/** A row for a backend that has no measurements: every number null, `error` the reason. */
export function failedRow(backend: string, error: string, stopped: CompareRow['stopped'] = null): CompareRow {
  return {
    backend, steps: null, stepsPerSecond: null, msPerStep: null, timeToAccuracy: null, finalAccuracy: null,
    lossMaxDiff: null, lossMeanDiff: null, weightMaxDiff: null, weightMeanDiff: null, error, stopped,
  };
}

export async function compareBackends(request: Req<'compare:run'>, options: CompareOptions): Promise<{ rows: CompareRow[]; cancelled: boolean }> {
  const rows: CompareRow[] = [];
  let reference: RunTrace | null = null;
  for (const backend of compareOrder()) {
    if (options.signal?.aborted) break;
    options.onBackend?.(backend);
    let row: CompareRow;
    try {
      const trace = await runOn(backend, request, options);
      if (backend === 'cpu') reference = trace;
      // Weights are comparable only after the same number of steps; losses over the steps both ran.
      const loss = reference && trace.steps > 0 ? diff(trace.losses, reference.losses) : null;
      const weight = reference && reference.steps === trace.steps ? diff(trace.weights, reference.weights) : null;
      row = trace.steps === 0
        ? failedRow(backend, 'cancelled before its first step', trace.stopped)
        : {
            backend,
            steps: trace.steps,
            stepsPerSecond: trace.steps / Math.max(trace.seconds, 1e-9),
            msPerStep: (trace.seconds * 1000) / trace.steps,
            timeToAccuracy: trace.timeToAccuracy,
            finalAccuracy: trace.finalAccuracy,
            lossMaxDiff: loss?.max ?? null,
            lossMeanDiff: loss?.mean ?? null,
            weightMaxDiff: weight?.max ?? null,
            weightMeanDiff: weight?.mean ?? null,
            error: null,
            stopped: trace.stopped,
            ...(trace.adapter ? { adapter: { description: trace.adapter.description, software: trace.adapter.software } } : {}),
          };
    } catch (e) {
      row = failedRow(backend, e instanceof Error ? e.message : String(e));
    }
    rows.push(row);
    options.onRow?.(row);
  }
  return { rows, cancelled: options.signal?.aborted ?? false };
}
