/**
 * The Compare view's workload: the same model, seed, batches and step count on every registered
 * backend, timed, with the loss trajectory and final weights compared against the cpu reference.
 */
import { registeredBackends, type BackendAdapter } from '../../backends';
import type { CompareRow, Req, Res } from '../../src-app-api/schemas';
import { loadData } from './datasets';
import { ModelRuntime } from './model-runtime';
import { modelEntry } from '../../src-core/models';

interface RunTrace {
  losses: number[];
  weights: Float32Array;
  seconds: number;
  timeToAccuracy: number | null;
  finalAccuracy: number;
  adapter: BackendAdapter | undefined;
}

/** How often (in steps) accuracy is measured for time-to-accuracy; its cost is excluded from the timing. */
const EVAL_EVERY = 10;

async function runOn(backend: string, request: Req<'compare:run'>, between: () => Promise<void>): Promise<RunTrace> {
  const rt = new ModelRuntime(request.model, modelEntry(request.model).defaultLearningRate, backend);
  try {
    await rt.initialize();
    const adapter = (await rt.session.backend()).capabilities.adapter;
    const data = loadData(null, rt.model.flatten);
    const testFeed = [[rt.model.x, data.test.images], [rt.model.labels, data.test.labels]] as const;
    const losses: number[] = [];
    let seconds = 0;
    let timeToAccuracy: number | null = null;
    let finalAccuracy = 0;
    for (let step = 1; step <= request.steps; step++) {
      const [xs, ys] = data.train.next_batch(request.batchSize);
      const t0 = performance.now();
      const out = await rt.session.run({ train: rt.model.trainOp, loss: rt.model.loss }, [[rt.model.x, xs], [rt.model.labels, ys]]);
      seconds += (performance.now() - t0) / 1000;
      await between();
      losses.push(out.loss.item());
      if (step % EVAL_EVERY === 0 || step === request.steps) {
        finalAccuracy = (await rt.session.run(rt.model.accuracy, [...testFeed])).item();
        if (timeToAccuracy === null && finalAccuracy >= request.targetAccuracy) timeToAccuracy = seconds;
      }
    }
    const values = await rt.readVariables();
    const weights = new Float32Array(values.reduce((n, v) => n + v.size, 0));
    let offset = 0;
    for (const v of values) {
      weights.set(v.data as Float32Array, offset);
      offset += v.size;
    }
    return { losses, weights, seconds, timeToAccuracy, finalAccuracy, adapter };
  } finally {
    rt.close();
  }
}

function diff(a: ArrayLike<number>, b: ArrayLike<number>): { max: number; mean: number } {
  let max = 0;
  let sum = 0;
  for (let i = 0; i < a.length; i++) {
    const d = Math.abs(a[i] - b[i]);
    max = Math.max(max, d);
    sum += d;
  }
  return { max, mean: a.length > 0 ? sum / a.length : 0 };
}

export async function compareBackends(request: Req<'compare:run'>, between: () => Promise<void>): Promise<Res<'compare:run'>> {
  const backends = registeredBackends();
  const ordered = ['cpu', ...backends.filter((b) => b !== 'cpu')].filter((b) => backends.includes(b));
  const rows: CompareRow[] = [];
  let reference: RunTrace | null = null;
  for (const backend of ordered) {
    try {
      const trace = await runOn(backend, request, between);
      if (backend === 'cpu') reference = trace;
      const loss = reference ? diff(trace.losses, reference.losses) : null;
      const weight = reference ? diff(trace.weights, reference.weights) : null;
      rows.push({
        backend,
        steps: request.steps,
        stepsPerSecond: request.steps / Math.max(trace.seconds, 1e-9),
        msPerStep: (trace.seconds * 1000) / request.steps,
        timeToAccuracy: trace.timeToAccuracy,
        finalAccuracy: trace.finalAccuracy,
        lossMaxDiff: loss?.max ?? null,
        lossMeanDiff: loss?.mean ?? null,
        weightMaxDiff: weight?.max ?? null,
        weightMeanDiff: weight?.mean ?? null,
        error: null,
        ...(trace.adapter ? { adapter: { description: trace.adapter.description, software: trace.adapter.software } } : {}),
      });
    } catch (e) {
      rows.push({
        backend, steps: 0, stepsPerSecond: 0, msPerStep: 0, timeToAccuracy: null, finalAccuracy: 0,
        lossMaxDiff: null, lossMeanDiff: null, weightMaxDiff: null, weightMeanDiff: null,
        error: e instanceof Error ? e.message : String(e),
      });
    }
  }
  return { rows };
}
