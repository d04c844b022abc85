/**
 * What the training loop needs to survive a diverging run: host copies of the last good weights, the
 * batches trained since (to replay the way to the bad step), and the words it reports. The loop decides
 * when; a GoodWeights implementation (TrainableModel) does the session work.
 */
import type { NDArray } from '../ndarray';

/** Every variable's value (optimizer slots included) after `step`, all verified finite. */
export interface WeightSnapshot {
  readonly step: number;
  readonly values: readonly NDArray[];
}

/** One batch the loop trained since the last snapshot; `step` is the step it belongs to. */
export interface ReplayBatch {
  readonly step: number;
  readonly images: NDArray;
  readonly labels: NDArray;
}

/** The first node whose output held a non-finite value, and what its inputs held then. */
export interface NonFiniteDiagnosis {
  /** The step whose replay produced it. */
  step: number;
  /** null: the replay stayed finite (the divergence did not reproduce). */
  node: { name: string; op: string; shape: number[] } | null;
  inputs: { name: string; op: string; note: string | null }[];
  message: string;
}

/** The session-side half of divergence handling; TrainableModel implements it. */
export interface GoodWeights {
  /** The rate the update uses now, for the advice. */
  readonly learningRate: number;
  /** Host copies of every variable after `step`, or null when any of them is not finite. */
  snapshot(step: number): Promise<WeightSnapshot | null>;
  /** Writes a snapshot back into the session. */
  write(snapshot: WeightSnapshot): Promise<void>;
  /** Replays `batches` from `from` with every node checked; leaves the session holding `from` again. */
  replay(from: WeightSnapshot, batches: readonly ReplayBatch[]): Promise<NonFiniteDiagnosis>;
}

/** What the loop reports when a step's loss is not finite. */
export interface DivergenceReport {
  /** The step whose loss was NaN or ±Infinity. */
  step: number;
  loss: number;
  /** The step of the weights the session holds again; null when there were no finite ones to go back to. */
  lastGoodStep: number | null;
  /** A tenth of the rate in use; null when the loop was not told the rate. */
  suggestedLearningRate: number | null;
  message: string;
}

/** A rate a user can type: two significant digits, no float noise (0.5 / 10 → 0.05, not 0.049999…). */
export function readableRate(rate: number): string {
  return String(Number(rate.toPrecision(2)));
}

export function divergenceReport(step: number, loss: number, lastGoodStep: number | null, learningRate: number | null): DivergenceReport {
  // A tenth: far enough below to stop the blow-up, close enough to still train at a useful pace.
  const suggestedLearningRate = learningRate !== null && learningRate > 0 && Number.isFinite(learningRate) ? Number((learningRate / 10).toPrecision(2)) : null;
  const kept = lastGoodStep === null ? 'no finite weights to go back to' : `weights kept from step ${lastGoodStep}`;
  const advice = suggestedLearningRate === null ? 'try a lower learning rate' : `try a learning rate below ${readableRate(suggestedLearningRate)}`;
  const message = `training diverged at step ${step} (loss ${String(loss)}); ${kept}; ${advice}`;
  return { step, loss, lastGoodStep, suggestedLearningRate, message };
}

/** Whether every value is finite, without allocating. */
export function allFinite(values: readonly NDArray[]): boolean {
  for (const v of values) {
    const data = v.data;
    if (!(data instanceof Float32Array || data instanceof Float64Array)) continue;
    // x·0 is 0 for every finite x and NaN for NaN and ±Infinity: one branch-free pass.
    let poison = 0;
    for (let i = 0; i < data.length; i++) poison += data[i] * 0;
    if (poison !== 0) return false;
  }
  return true;
}
