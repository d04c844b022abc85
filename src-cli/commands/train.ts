/**
 * `tinyflow train`: trains a model of the zoo, or a user's own (a model file or a layer editor model),
 * headlessly, printing progress and one line per epoch, then the test accuracy. It can resume from a checkpoint and save one; Ctrl-C stops after the current step
 * and saves a checkpoint (to --save, else a default path) before exiting.
 */
import { parseArgs } from 'node:util';
import { get_mnist } from '../../src-core/datasets';
import { MODELS, OPTIMIZER_NAMES, isOptimizerName, type OptimizerName } from '../../src-core/models';
import { DEFAULT_LEARNING_RATES } from '../../src-core/models/optimizer-choice';
import { trainModel, type TrainResult } from '../../src-core/training/train-loop';
import { availableBackends, backendInfo, registeredBackends } from '../../backends';
import { UnavailableError } from '../../src-core/errors';
import { UsageError, parseNumber } from '../usage';
import { trainReporter } from './train-report';
import { chooseModel, fileSafe } from './train-model';

/** Where Ctrl-C saves when no --save path was given. */
export const interruptCheckpointPath = (model: string) => `tinyflow-${fileSafe(model)}-interrupted.safetensors`;

export const TRAIN_USAGE = `tinyflow train [options]
  --model NAME      ${Object.keys(MODELS).join(' | ')} (default softmax), or your own model: a model file
                    (PATH.ts or PATH.js, see API.md "Model files") or a layer editor model (PATH.tfmodel.json);
                    --save stores it in the checkpoint, so eval, predict and export rebuild it
  --steps N         training steps (default: 1000 when --epochs is not given)
  --epochs N        full passes over the training set instead of --steps
  --batch B         batch size (default 100)
  --lr X            learning rate (default: the model's, or the optimizer's when --optimizer changes it)
  --optimizer NAME  ${OPTIMIZER_NAMES.join(' | ')} (default: the model's: sgd for softmax, adam for mlp)
  --backend NAME    compute backend (default: the fastest available here, as tf.Session() picks it)
  --data-dir DIR    your data: MNIST / Fashion-MNIST IDX files, image class folders (DIR/<label>/*.png|jpg, or
                    DIR/train/<label>/ and DIR/test/<label>/; without them a seeded tenth is held out), or CSV
                    (label column + pixel columns); default $TINYFLOW_DATA, else the bundled digits. --data is the same
  --save PATH       save a checkpoint (safetensors) at the end; Ctrl-C saves here too
  --resume PATH     restore weights and optimizer state from a checkpoint before training
  --seed N          shuffle seed
  --eval-every N    measure test accuracy every N steps
  --json            print the result as JSON`;

export async function trainCommand(argv: string[]): Promise<number> {
  const { values } = parseArgs({
    args: argv,
    strict: true,
    options: {
      model: { type: 'string', default: 'softmax' },
      steps: { type: 'string' },
      epochs: { type: 'string' },
      batch: { type: 'string', default: '100' },
      lr: { type: 'string' },
      optimizer: { type: 'string' },
      backend: { type: 'string' },
      data: { type: 'string' },
      'data-dir': { type: 'string' },
      save: { type: 'string' },
      resume: { type: 'string' },
      seed: { type: 'string' },
      'eval-every': { type: 'string' },
      json: { type: 'boolean', default: false },
    },
  });
  const entry = await chooseModel(values.model as string);
  if (values.steps !== undefined && values.epochs !== undefined) throw new UsageError('give --steps or --epochs, not both');
  if (values.data !== undefined && values['data-dir'] !== undefined && values.data !== values['data-dir']) {
    throw new UsageError('--data and --data-dir are the same option; give one');
  }
  if (values.backend !== undefined && !registeredBackends().includes(values.backend)) {
    throw new UsageError(`unknown backend '${values.backend}'; available: ${registeredBackends().join(', ')}`);
  }
  const optimizer = parseOptimizer(values.optimizer, entry.defaultOptimizer);
  // Before loading data: a backend that cannot start here (no SIMD, no GPU) is reported with its reason.
  const backend = values.backend ?? (await fastestAvailableBackend());
  const status = await backendInfo(backend);
  if (!status.available) throw new UnavailableError(`backend '${status.name}' is unavailable: ${status.reason}`);
  const steps = values.steps !== undefined ? parseNumber('--steps', values.steps, { integer: true, min: 0 }) : undefined;
  const epochs = values.epochs !== undefined ? parseNumber('--epochs', values.epochs, { integer: true, min: 1 }) : undefined;
  const defaultRate = optimizer === entry.defaultOptimizer ? entry.defaultLearningRate : DEFAULT_LEARNING_RATES[optimizer];
  const config = {
    model: entry.name,
    build: entry.build,
    modelSource: entry.source,
    steps: steps ?? (epochs === undefined ? 1000 : undefined),
    epochs,
    batchSize: parseNumber('--batch', values.batch as string, { integer: true, min: 1 }),
    learningRate: values.lr !== undefined ? parseNumber('--lr', values.lr, { above: 0 }) : defaultRate,
    optimizer,
    backend,
    evalEvery: values['eval-every'] !== undefined ? parseNumber('--eval-every', values['eval-every'], { integer: true, min: 1 }) : undefined,
    savePath: values.save,
    resumePath: values.resume,
    interruptSavePath: interruptCheckpointPath(entry.name),
  };
  const seed = values.seed !== undefined ? parseNumber('--seed', values.seed, { integer: true, min: 0 }) : undefined;

  const loadStart = performance.now();
  const data = get_mnist({ flatten: true, onehot: true, image_shape: entry.imageShape, data_dir: values.data ?? values['data-dir'], seed });
  const loadSeconds = (performance.now() - loadStart) / 1000;
  const json = values.json as boolean;
  if (!json) {
    console.log(`${entry.description}`);
    console.log(`data: ${data.source.description}; classes ${data.class_names.join(', ')}`);
    for (const note of data.source.notes) console.log(`  ${note}`);
    console.log(`data: ${data.train.num_examples} train / ${data.test.num_examples} test examples (loaded in ${loadSeconds.toFixed(2)} s); ` +
      `backend ${config.backend}; optimizer ${optimizer}, learning rate ${config.learningRate}`);
    if (config.resumePath !== undefined) console.log(`resuming from ${config.resumePath}`);
  }

  // Ctrl-C: finish the step, save, exit 130. A second Ctrl-C gets node's default (exit at once).
  const stop = new AbortController();
  const onSigint = () => {
    if (!json) console.log('\ninterrupted: saving a checkpoint before exiting (Ctrl-C again to quit at once)');
    stop.abort();
  };
  process.once('SIGINT', onSigint);
  const report = trainReporter(json);
  let result;
  try {
    result = await trainModel({ ...config, signal: stop.signal }, data, { onProgress: report.update, onEpoch: report.epoch });
  } finally {
    process.off('SIGINT', onSigint);
    report.stop();
  }
  if (json) {
    // JSON has no NaN: a diverged loss is written as the string "NaN" rather than a silent null.
    const dataSummary = { kind: data.source.kind, description: data.source.description, classNames: data.class_names, train: data.train.num_examples, test: data.test.num_examples };
    // The model's source (a file's whole text) stays in the checkpoint; the JSON says which kind it was.
    const { build: _build, modelSource, ...shown } = config;
    const summary = { ...shown, modelKind: modelSource.kind, ...result, loadSeconds, data: dataSummary };
    console.log(JSON.stringify(summary, (_, v: unknown) => (typeof v === 'number' && !Number.isFinite(v) ? String(v) : v), 2));
  } else {
    for (const line of resultLines(result, config.batchSize)) console.log(line);
  }
  if (result.divergence) return 1;
  return result.interrupted ? 130 : 0;
}

/** The closing lines: the divergence and its diagnosis first when there was one, then accuracy and speed. */
function resultLines(result: TrainResult, batchSize: number): string[] {
  const lines: string[] = [];
  if (result.divergence) {
    lines.push(result.divergence.message);
    if (result.diagnosis) lines.push(result.diagnosis.message);
  }
  const accuracy = result.testAccuracy === null ? 'no test accuracy (the test split has no examples)' : `test accuracy ${result.testAccuracy.toFixed(4)}`;
  if (result.divergence) {
    // The speed of a run that was thrown back to an earlier step says nothing useful.
    lines.push(`${accuracy} with the weights kept from step ${result.steps}`);
  } else {
    lines.push(`${accuracy} · final loss ${result.finalLoss.toFixed(4)} · ${result.steps} steps in ${result.trainSeconds.toFixed(2)} s ` +
      `(${result.stepsPerSecond.toFixed(0)} steps/s, ${((result.stepsPerSecond * batchSize) / 1000).toFixed(1)}k examples/s)`);
  }
  if (result.savedPath !== undefined) {
    lines.push(result.divergence ? `checkpoint saved to ${result.savedPath} with the last good weights (step ${result.steps})` : `checkpoint saved to ${result.savedPath}`);
  }
  if (result.saveSkipped !== undefined) lines.push(result.saveSkipped);
  return lines;
}

/** What a plain `tf.Session()` would run on: the highest-priority backend that starts here. */
async function fastestAvailableBackend(): Promise<string> {
  const usable = (await availableBackends()).find((b) => b.available);
  if (!usable) throw new UnavailableError('no backend is available here; see `tinyflow info`');
  return usable.name;
}

function parseOptimizer(given: string | undefined, fallback: OptimizerName): OptimizerName {
  if (given === undefined) return fallback;
  if (!isOptimizerName(given)) throw new UsageError(`unknown optimizer '${given}'; available: ${OPTIMIZER_NAMES.join(', ')}`);
  return given;
}
