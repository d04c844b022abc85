/**
 * A headless training loop over a model of the zoo: used by the CLI and the app's compute worker.
 * It reports progress through a callback and never prints.
 */
import { Session } from '../session';
import { withDefaultGraph, Graph } from '../graph/graph';
import type { DataSet } from '../datasets/dataset';
import { global_variables_initializer } from '../api/variables';
import { InvalidArgumentError } from '../errors';
import { modelEntry } from '../models';

export interface TrainConfig {
  model: string;
  /** Training steps; when absent, `epochs` full passes over the training set. */
  steps?: number;
  epochs?: number;
  batchSize: number;
  learningRate?: number;
  backend: string;
  /** Measure test accuracy every this many steps (0: only at the end). */
  evalEvery?: number;
}

export interface TrainProgress {
  step: number;
  totalSteps: number;
  loss: number;
  examplesPerSecond: number;
  testAccuracy?: number;
}

export interface TrainResult {
  steps: number;
  finalLoss: number;
  testAccuracy: number;
  trainSeconds: number;
  stepsPerSecond: number;
}

export interface TrainData {
  train: DataSet;
  test: DataSet;
}

export async function trainModel(config: TrainConfig, data: TrainData, onProgress?: (p: TrainProgress) => void): Promise<TrainResult> {
  const entry = modelEntry(config.model);
  if (!Number.isInteger(config.batchSize) || config.batchSize <= 0) {
    throw new InvalidArgumentError(`train: batch size must be a positive integer, got ${config.batchSize}`);
  }
  const stepsPerEpoch = Math.ceil(data.train.num_examples / config.batchSize);
  const totalSteps = config.steps ?? (config.epochs ?? 1) * stepsPerEpoch;
  if (!Number.isInteger(totalSteps) || totalSteps < 0) throw new InvalidArgumentError(`train: steps must be a non-negative integer, got ${totalSteps}`);

  const graph = new Graph();
  const model = withDefaultGraph(graph, () => entry.build({ learningRate: config.learningRate ?? entry.defaultLearningRate }));
  const init = withDefaultGraph(graph, () => global_variables_initializer());
  const sess = new Session({ backend: config.backend, graph });
  try {
    await sess.run(init);
    const testFeed = (): [typeof model.x, typeof data.test.images][] => [[model.x, data.test.images], [model.labels, data.test.labels]];
    const started = performance.now();
    let loss = NaN;
    for (let step = 1; step <= totalSteps; step++) {
      const [xs, ys] = data.train.next_batch(config.batchSize);
      const out = await sess.run({ train: model.trainOp, loss: model.loss }, [[model.x, xs], [model.labels, ys]]);
      loss = out.loss.item();
      const seconds = (performance.now() - started) / 1000;
      const evalNow = config.evalEvery !== undefined && config.evalEvery > 0 && step % config.evalEvery === 0;
      const testAccuracy = evalNow ? (await sess.run(model.accuracy, testFeed())).item() : undefined;
      onProgress?.({ step, totalSteps, loss, examplesPerSecond: (step * config.batchSize) / Math.max(seconds, 1e-9), testAccuracy });
    }
    const trainSeconds = (performance.now() - started) / 1000;
    const testAccuracy = (await sess.run(model.accuracy, testFeed())).item();
    return { steps: totalSteps, finalLoss: loss, testAccuracy, trainSeconds, stepsPerSecond: totalSteps / Math.max(trainSeconds, 1e-9) };
  } finally {
    sess.close();
  }
}
