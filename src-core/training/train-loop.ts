/**
 * A headless training loop over a model of the zoo: used by the CLI and the app's compute worker.
 * It reports progress through callbacks and never prints. It can resume from a checkpoint, save one at
 * the end, and stop early on an AbortSignal (Ctrl-C), still saving what it has learnt.
 */
import { Session } from '../session';
import { withDefaultGraph, Graph } from '../graph/graph';
import type { DataSet } from '../datasets/dataset';
import { global_variables_initializer } from '../api/variables';
import { Saver } from '../api/saver';
import { InvalidArgumentError } from '../errors';
import { modelEntry, type BuiltModel, type OptimizerName } from '../models';
import type { NDArray } from '../ndarray';

export interface TrainConfig {
  model: string;
  /** Training steps; when absent, `epochs` full passes over the training set. */
  steps?: number;
  epochs?: number;
  batchSize: number;
  learningRate?: number;
  /** Default: the model's own (sgd for softmax, adam for mlp). */
  optimizer?: OptimizerName;
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

export interface TrainProgress {
  step: number;
  totalSteps: number;
  loss: number;
  examplesPerSecond: number;
  testAccuracy?: number;
}

/** One line per epoch (a full pass, or the last partial one): mean training loss and test accuracy. */
export interface EpochReport {
  epoch: number;
  step: number;
  meanLoss: number;
  testAccuracy: number;
}

export interface TrainResult {
  steps: number;
  finalLoss: number;
  testAccuracy: number;
  trainSeconds: number;
  stepsPerSecond: number;
  /** True when the signal stopped training before `steps`. */
  interrupted: boolean;
  /** The checkpoint written, if any. */
  savedPath?: string;
}

export interface TrainData {
  train: DataSet;
  test: DataSet;
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
  const entry = modelEntry(config.model);
  if (!Number.isInteger(config.batchSize) || config.batchSize <= 0) {
    throw new InvalidArgumentError(`train: batch size must be a positive integer, got ${config.batchSize}`);
  }
  const stepsPerEpoch = Math.ceil(data.train.num_examples / config.batchSize);
  const totalSteps = config.steps ?? (config.epochs ?? 1) * stepsPerEpoch;
  if (!Number.isInteger(totalSteps) || totalSteps < 0) throw new InvalidArgumentError(`train: steps must be a non-negative integer, got ${totalSteps}`);

  const graph = new Graph();
  const { model, init, saver } = withDefaultGraph(graph, () => {
    const built = entry.build({
      learningRate: config.learningRate ?? entry.defaultLearningRate,
      optimizer: config.optimizer ?? entry.defaultOptimizer,
    });
    // Built after the model, so they cover the optimizer's state as well as the weights.
    return { model: built, init: global_variables_initializer(), saver: new Saver() };
  });
  const sess = new Session({ backend: config.backend, graph });
  try {
    await sess.run(init);
    if (config.resumePath !== undefined) await saver.restore(sess, config.resumePath);
    const testImages = imagesFor(model, data.test.images);
    const testAccuracy = async () => (await sess.run(model.accuracy, [[model.x, testImages], [model.labels, data.test.labels]])).item();
    const started = performance.now();
    let loss = NaN;
    let step = 0;
    let epochLoss = 0;
    let epochSteps = 0;
    while (step < totalSteps && !config.signal?.aborted) {
      const [xs, ys] = data.train.next_batch(config.batchSize);
      const out = await sess.run({ train: model.trainOp, loss: model.loss }, [[model.x, imagesFor(model, xs)], [model.labels, ys]]);
      step++;
      loss = out.loss.item();
      // A synchronous backend's runs resolve in microtasks only, which would starve the event loop and
      // keep an abort (a SIGINT handler) from ever running: let events in between steps.
      if (config.signal) await yieldToEvents();
      epochLoss += loss;
      epochSteps++;
      const seconds = (performance.now() - started) / 1000;
      const evalNow = config.evalEvery !== undefined && config.evalEvery > 0 && step % config.evalEvery === 0;
      const accuracy = evalNow ? await testAccuracy() : undefined;
      onProgress?.({ step, totalSteps, loss, examplesPerSecond: (step * config.batchSize) / Math.max(seconds, 1e-9), testAccuracy: accuracy });
      if (onEpoch && (step % stepsPerEpoch === 0 || step === totalSteps)) {
        onEpoch({ epoch: Math.ceil(step / stepsPerEpoch), step, meanLoss: epochLoss / epochSteps, testAccuracy: accuracy ?? (await testAccuracy()) });
        epochLoss = 0;
        epochSteps = 0;
      }
    }
    const trainSeconds = (performance.now() - started) / 1000;
    const interrupted = step < totalSteps;
    const finalAccuracy = await testAccuracy();
    const path = config.savePath ?? (interrupted ? config.interruptSavePath : undefined);
    const savedPath = path === undefined ? undefined : await saver.save(sess, path);
    return {
      steps: step, finalLoss: loss, testAccuracy: finalAccuracy, trainSeconds,
      stepsPerSecond: step / Math.max(trainSeconds, 1e-9), interrupted, savedPath,
    };
  } finally {
    sess.close();
  }
}

function yieldToEvents(): Promise<void> {
  return new Promise((resolve) => (typeof setImmediate === 'function' ? setImmediate(resolve) : setTimeout(resolve, 0)));
}

/** Images laid out as the model's placeholder wants them: [n, 784] or tinyflow's [n, 1, 28, 28]. */
function imagesFor(model: BuiltModel, images: NDArray): NDArray {
  const n = images.shape[0];
  const wanted = model.flatten ? [n, 784] : [n, 1, 28, 28];
  return images.shape.length === wanted.length ? images : images.reshape(wanted);
}
