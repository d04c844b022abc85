/**
 * Weight and gradient histograms over a training run, as TensorBoard's histogram dashboard shows them.
 * A sample is taken every `every` steps; when a variable holds MAX_HISTORY_SAMPLES, every other sample
 * is dropped and `every` doubles, so a run of any length keeps a bounded, evenly spread record.
 * The gradients are the ones the update applies (BuiltModel.gradients), fetched with the train op on
 * recording steps only: no second backward pass, and the other steps run the plan they always ran.
 */
import type { NDArray } from '../../src-core';
import { trainable_variables } from '../../src-core/api/variables';
import type { Tensor } from '../../src-core/graph/tensor';
import type { TrainableModel } from '../../src-core/training/trainable';
import { HISTOGRAM_BINS, MAX_HISTORY_SAMPLES, type Histogram, type Histories, type HistorySample } from '../../src-app-api/inspect-schemas';

/** A histogram of the finite values of `values` over their own [min, max]. */
export function histogramOf(values: ArrayLike<number>, bins = HISTOGRAM_BINS): Histogram {
  // Two tight passes: this runs over every weight and gradient on each sampling step.
  let min = Infinity;
  let max = -Infinity;
  let nonFinite = 0;
  const n = values.length;
  for (let i = 0; i < n; i++) {
    const v = values[i];
    // v - v is NaN for NaN and ±Infinity, 0 for every finite v.
    if (v - v !== 0) nonFinite++;
    else {
      if (v < min) min = v;
      if (v > max) max = v;
    }
  }
  const counts = new Int32Array(bins);
  if (min > max) return { min: 0, max: 0, counts: Array.from(counts), nonFinite };
  // A constant tensor (zero width: zeros-initialised weights) lands in the first bin.
  const scale = max > min ? bins / (max - min) : 0;
  const last = bins - 1;
  for (let i = 0; i < n; i++) {
    const v = values[i];
    if (v - v !== 0) continue;
    const bin = ((v - min) * scale) | 0;
    counts[bin > last ? last : bin]++;
  }
  return { min, max, counts: Array.from(counts), nonFinite };
}

interface VariableHistory {
  name: string;
  shape: number[];
  samples: HistorySample[];
}

/** The recorded samples of one run; knows nothing of sessions (see HistoryTap for the fetching). */
export class HistoryRecorder {
  private variables: VariableHistory[] = [];
  private interval = 1;
  private runId = 0;

  constructor(private readonly capacity = MAX_HISTORY_SAMPLES) {
    if (!Number.isInteger(capacity) || capacity < 2) throw new RangeError(`HistoryRecorder: capacity must be an integer of at least 2, got ${capacity}`);
  }

  get every(): number {
    return this.interval;
  }

  get run(): number {
    return this.runId;
  }

  get names(): string[] {
    return this.variables.map((v) => v.name);
  }

  /** A new run: everything recorded is dropped and sampling starts again every step. */
  reset(variables: readonly { name: string; shape: readonly number[] }[]): void {
    this.runId++;
    this.interval = 1;
    this.variables = variables.map((v) => ({ name: v.name, shape: [...v.shape], samples: [] }));
  }

  /** Whether `step` is a sampling step (a step already sampled is not sampled twice). */
  due(step: number): boolean {
    if (this.variables.length === 0 || step % this.interval !== 0) return false;
    const last = this.variables[0].samples.at(-1);
    return last === undefined || last.step !== step;
  }

  /**
   * Adds one sample per variable, in reset()'s order. A step at or below the last one (training went
   * back to earlier weights after a divergence) first drops the samples from that step on, so steps
   * stay ascending.
   */
  add(step: number, weights: readonly ArrayLike<number>[], gradients: readonly (ArrayLike<number> | null)[]): void {
    if (weights.length !== this.variables.length || gradients.length !== this.variables.length) {
      throw new RangeError(`HistoryRecorder.add: ${this.variables.length} variables recorded, got ${weights.length} weights and ${gradients.length} gradients`);
    }
    this.variables.forEach((v, i) => {
      while (v.samples.length > 0 && (v.samples.at(-1) as HistorySample).step >= step) v.samples.pop();
      const g = gradients[i];
      v.samples.push({ step, weights: histogramOf(weights[i]), gradient: g === null ? null : histogramOf(g) });
    });
    while (this.variables.some((v) => v.samples.length > this.capacity)) this.thin();
  }

  /** Keeps the samples on multiples of twice the interval (every other one), and samples half as often. */
  private thin(): void {
    this.interval *= 2;
    const every = this.interval;
    // Every sample sits on a multiple of the old interval (due() takes no other step), so this keeps every other one.
    for (const v of this.variables) v.samples = v.samples.filter((s) => s.step % every === 0);
  }

  /** The channel's answer: every variable's name and sample count, and `variable`'s samples (the first's when null). */
  answer(variable: string | null): Histories {
    const selected = variable === null ? this.variables[0] : this.variables.find((v) => v.name === variable);
    if (variable !== null && selected === undefined) {
      const known = this.variables.length === 0 ? 'none is recorded yet (start training)' : `recorded: ${this.names.join(', ')}`;
      throw new Error(`inspect:histories: no variable '${variable}' in this run; ${known}`);
    }
    return {
      every: this.interval,
      run: this.runId,
      variables: this.variables.map((v) => ({ name: v.name, shape: [...v.shape], samples: v.samples.length })),
      selected: selected === undefined ? null : { name: selected.name, shape: [...selected.shape], samples: selected.samples.map(copySample) },
    };
  }
}

function copySample(s: HistorySample): HistorySample {
  return { step: s.step, weights: { ...s.weights, counts: [...s.weights.counts] }, gradient: s.gradient && { ...s.gradient, counts: [...s.gradient.counts] } };
}

interface Tapped {
  variable: Tensor;
  gradient: Tensor | null;
}

/** What a model records: its trainable variables, each with the gradient its update applies (when known). */
export function tappedVariables(runtime: TrainableModel<unknown>): Tapped[] {
  const known = new Map((runtime.model.gradients ?? []).map((g) => [g.variable, g.gradient]));
  return trainable_variables(runtime.graph).map((variable) => ({ variable, gradient: known.get(variable) ?? null }));
}

/** The names and shapes a recorder is reset with for `runtime`'s model. */
export function recordedVariables(runtime: TrainableModel<unknown>): { name: string; shape: number[] }[] {
  return tappedVariables(runtime).map(({ variable }) => ({ name: variable.op.name, shape: (variable.shape ?? []).map((d) => d ?? 0) }));
}

/**
 * The train step with the recorder in it: on a sampling step the gradients are fetched with the train op
 * (one run), and the updated weights are read afterwards; every other step is the runtime's own.
 */
export async function recordingTrainStep(recorder: HistoryRecorder, runtime: TrainableModel<unknown>, images: NDArray, labels: NDArray, step: number): Promise<number> {
  if (!recorder.due(step)) return runtime.trainStep(images, labels);
  const tapped = tappedVariables(runtime);
  if (tapped.length !== recorder.names.length || tapped.some((t, i) => t.variable.op.name !== recorder.names[i])) return runtime.trainStep(images, labels);
  const { model } = runtime;
  const fetched = tapped.flatMap((t) => (t.gradient === null ? [] : [t.gradient]));
  const out = await runtime.session.run({ train: model.trainOp, loss: model.loss, grads: fetched }, [[model.x, runtime.imagesFor(images)], [model.labels, labels]]);
  const loss = out.loss.item();
  // A non-finite step is the loop's to handle (it rewinds); its values are not worth a sample.
  if (!Number.isFinite(loss)) return loss;
  const weights = await runtime.session.run(tapped.map((t) => t.variable));
  let k = 0;
  const grads = tapped.map((t) => (t.gradient === null ? null : (out.grads[k++].data as Float32Array)));
  recorder.add(step, weights.map((w) => w.data as Float32Array), grads);
  return loss;
}
