/**
 * A headless training run over a model of the zoo, for the CLI and tests: builds a TrainableModel, runs
 * the shared TrainingLoop (the app's compute worker drives the same loop step-wise), reports progress
 * through callbacks and never prints. It can resume from a checkpoint, save one at the end, and stop
 * early on an AbortSignal (Ctrl-C), still saving what it has learnt.
 */
import type { DataSet } from '../datasets/dataset';
import { InvalidArgumentError } from '../errors';
import type { OptimizerName } from '../models';
import type { DivergenceReport, NonFiniteDiagnosis } from './divergence';
import { TrainingLoop, type EpochReport, type StepReport } from './loop';
import { TrainableModel, type TrainableOptions } from './trainable';

export type { EpochReport };
export { TrainingLoop, type LoopHooks, type LoopOptions, type LoopResult, type LoopState, type LoopTarget, type StepReport } from './loop';
export { TrainableModel, type TrainableOptions } from './trainable';
export { ProgressThrottle, type SeriesPoint, type ThrottledUpdate } from './throttle';
export type { DivergenceReport, NonFiniteDiagnosis, GoodWeights, WeightSnapshot, ReplayBatch } from './divergence';

export interface TrainConfig {
  /** The zoo model's name, or a user model's display name when `build` is given. */
  model: string;
  /** A user's own model (see TrainableOptions.build) and its source, saved with checkpoints. */
  build?: TrainableOptions['build'];
  modelSource?: TrainableOptions['modelSource'];
  /** Training steps; when absent, `epochs` full passes over the training set. */
  steps?: number;
  epochs?: number;
  batchSize: number;
  learningRate?: number;
  /** Default: the model's own (sgd for softmax, adam for mlp). */
  optimizer?: OptimizerName;
  /** The data set's class count (default: the one-hot width of the training labels). */
  numClasses?: number;
  backend: string;
  /** Measure test accuracy every this many steps (0: only at the end). */
  evalEvery?: number;
  /** Restore every variable (weights and optimizer state) from this checkpoint before training. */
  resumePath?: string;
  /** Save a checkpoint here at the end, or when stopped early. */
  savePath?: string;
  /** Where to save when stopped early and no `savePath` is given. */
  interruptSavePath?: string;
  /** Aborting stops training after the current step. */
  signal?: AbortSignal;
}

export type TrainProgress = StepReport;

export interface TrainResult {
  /** The step the model's weights are at (after a divergence: the last good step). */
  steps: number;
  /** The last loss read: NaN or ±Infinity when training diverged. */
  finalLoss: number;
  /** null when there is no finite accuracy (an empty test split). */
  testAccuracy: number | null;
  trainSeconds: number;
  stepsPerSecond: number;
  /** True when the signal stopped training before `steps`. */
  interrupted: boolean;
  /** The checkpoint written, if any. */
  savedPath?: string;
  /** Set when a step's loss was not finite: training ended there, on the last good weights. */
  divergence?: DivergenceReport;
  /** The replay of the diverging step with checks (when the divergence had good weights to replay from). */
  diagnosis?: NonFiniteDiagnosis;
  /** Why a requested checkpoint was not written (the weights were not finite). */
  saveSkipped?: string;
}

export interface TrainData {
  train: DataSet;
  test: DataSet;
  /** Recorded in a saved checkpoint (get_mnist gives them). */
  class_names?: readonly string[];
}

export interface TrainCallbacks {
  onProgress?: (p: TrainProgress) => void;
  onEpoch?: (e: EpochReport) => void;
}

export async function trainModel(
  config: TrainConfig,
  data: TrainData,
  callbacks: TrainCallbacks | ((p: TrainProgress) => void) = {},
): Promise<TrainResult> {
  const { onProgress, onEpoch } = typeof callbacks === 'function' ? { onProgress: callbacks, onEpoch: undefined } : callbacks;
  if (!Number.isInteger(config.batchSize) || config.batchSize <= 0) {
    throw new InvalidArgumentError(`train: batch size must be a positive integer, got ${config.batchSize}`);
  }
  const stepsPerEpoch = Math.ceil(data.train.num_examples / config.batchSize);
  const totalSteps = config.steps ?? (config.epochs ?? 1) * stepsPerEpoch;
  if (!Number.isInteger(totalSteps) || totalSteps < 0) throw new InvalidArgumentError(`train: steps must be a non-negative integer, got ${totalSteps}`);

  const numClasses = config.numClasses ?? (data.train.labels.rank === 2 ? data.train.labels.shape[1] : undefined);
  const trainable = new TrainableModel(
    { model: config.model, backend: config.backend, learningRate: config.learningRate, optimizer: config.optimizer, numClasses, build: config.build, modelSource: config.modelSource },
    () => null,
  );
  try {
    await trainable.initialize();
    if (config.resumePath !== undefined) await trainable.restore(config.resumePath);
    const evaluate = trainable.testEvaluator(data.test);
    const loop = new TrainingLoop(
      {
        target: { trainStep: (xs, ys) => trainable.trainStep(xs, ys), evaluate },
        nextBatch: () => data.train.next_batch(config.batchSize),
        batchSize: config.batchSize,
        totalSteps,
        stepsPerEpoch,
        evalEverySteps: config.evalEvery,
        // A synchronous backend's runs resolve in microtasks only, which would starve the event loop and
        // keep an abort (a SIGINT handler) from ever running: let events in between steps.
        yieldBetweenSteps: config.signal ? yieldToEvents : undefined,
        signal: config.signal,
        // A run with nobody to resume it ends at a divergence, on the last good weights.
        weights: trainable,
        endOnDivergence: true,
      },
      { onStep: onProgress, onEpoch },
    );
    const started = performance.now();
    const run = await loop.run();
    if (run.state === 'failed') throw run.error;
    const trainSeconds = (performance.now() - started) / 1000;
    const divergence = run.divergence;
    const diagnosis = divergence?.lastGoodStep != null ? await loop.diagnose() : undefined;
    const interrupted = divergence === undefined && run.step < totalSteps;
    const accuracy = data.test.num_examples > 0 ? await evaluate() : NaN;
    const path = config.savePath ?? (interrupted ? config.interruptSavePath : undefined);
    // Never a non-finite checkpoint: after a divergence the session holds the last good weights, or none.
    const finite = path !== undefined && (await trainable.weightsFinite());
    const savedPath = path !== undefined && finite ? await trainable.save(path, data.class_names) : undefined;
    const saveSkipped = path !== undefined && !finite ? `not saved to ${path}: the weights are not finite (no good step to go back to)` : undefined;
    const stepsRun = run.stepsRun;
    return {
      steps: run.step, finalLoss: run.loss ?? NaN, testAccuracy: Number.isFinite(accuracy) ? accuracy : null, trainSeconds,
      stepsPerSecond: stepsRun / Math.max(trainSeconds, 1e-9), interrupted, savedPath,
      ...(divergence ? { divergence } : {}), ...(diagnosis ? { diagnosis } : {}), ...(saveSkipped ? { saveSkipped } : {}),
    };
  } finally {
    trainable.close();
  }
}

function yieldToEvents(): Promise<void> {
  return new Promise((resolve) => (typeof setImmediate === 'function' ? setImmediate(resolve) : setTimeout(resolve, 0)));
}
