/** `tinyflow train`: trains a model of the zoo headlessly with a progress bar, then reports test accuracy. */
import { parseArgs } from 'node:util';
import cliProgress from 'cli-progress';
import { get_mnist } from '../../src-core/datasets';
import { MODELS, modelEntry } from '../../src-core/models';
import { trainModel, type TrainProgress } from '../../src-core/training/train-loop';
import { registeredBackends } from '../../backends';
import { UsageError, parseNumber } from '../usage';

export const TRAIN_USAGE = `tinyflow train [options]
  --model NAME      ${Object.keys(MODELS).join(' | ')} (default softmax)
  --steps N         training steps (default: 1000 for softmax)
  --epochs N        full passes over the training set instead of --steps
  --batch B         batch size (default 100)
  --lr X            learning rate (default: the model's)
  --backend NAME    compute backend (default cpu)
  --data-dir DIR    directory of MNIST / Fashion-MNIST IDX files (default: $TINYFLOW_DATA, else the bundled digits)
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
      backend: { type: 'string', default: 'cpu' },
      'data-dir': { type: 'string' },
      seed: { type: 'string' },
      'eval-every': { type: 'string' },
      json: { type: 'boolean', default: false },
    },
  });
  const entry = modelEntry(values.model as string);
  if (values.steps !== undefined && values.epochs !== undefined) throw new UsageError('give --steps or --epochs, not both');
  if (!registeredBackends().includes(values.backend as string)) {
    throw new UsageError(`unknown backend '${values.backend}'; available: ${registeredBackends().join(', ')}`);
  }
  const steps = values.steps !== undefined ? parseNumber('--steps', values.steps, { integer: true, min: 0 }) : undefined;
  const epochs = values.epochs !== undefined ? parseNumber('--epochs', values.epochs, { integer: true, min: 1 }) : undefined;
  const config = {
    model: values.model as string,
    steps: steps ?? (epochs === undefined ? 1000 : undefined),
    epochs,
    batchSize: parseNumber('--batch', values.batch as string, { integer: true, min: 1 }),
    learningRate: values.lr !== undefined ? parseNumber('--lr', values.lr, { min: 0 }) : entry.defaultLearningRate,
    backend: values.backend as string,
    evalEvery: values['eval-every'] !== undefined ? parseNumber('--eval-every', values['eval-every'], { integer: true, min: 1 }) : undefined,
  };
  const seed = values.seed !== undefined ? parseNumber('--seed', values.seed, { integer: true, min: 0 }) : undefined;

  const loadStart = performance.now();
  const data = get_mnist({ flatten: true, onehot: true, data_dir: values['data-dir'], seed });
  const loadSeconds = (performance.now() - loadStart) / 1000;
  const json = values.json as boolean;
  if (!json) {
    console.log(`${entry.description}`);
    console.log(`data: ${data.train.num_examples} train / ${data.test.num_examples} test examples (loaded in ${loadSeconds.toFixed(2)} s); backend ${config.backend}`);
  }

  const report = progressReporter(json);
  const result = await trainModel(config, data, report.update);
  report.stop();
  if (json) {
    console.log(JSON.stringify({ ...config, ...result, loadSeconds }, null, 2));
  } else {
    console.log(`test accuracy ${result.testAccuracy.toFixed(4)} · final loss ${result.finalLoss.toFixed(4)} · ` +
      `${result.steps} steps in ${result.trainSeconds.toFixed(2)} s (${result.stepsPerSecond.toFixed(0)} steps/s, ` +
      `${((result.stepsPerSecond * config.batchSize) / 1000).toFixed(1)}k examples/s)`);
  }
  return 0;
}

/** A live bar on a terminal; a line every ~10% when output is a pipe or a CI log. */
function progressReporter(silent: boolean): { update: (p: TrainProgress) => void; stop: () => void } {
  if (silent) return { update: () => undefined, stop: () => undefined };
  if (!process.stdout.isTTY) {
    let lastDecile = -1;
    return {
      update(p) {
        const decile = Math.floor((p.step / Math.max(p.totalSteps, 1)) * 10);
        if (decile !== lastDecile || p.testAccuracy !== undefined) {
          lastDecile = decile;
          const acc = p.testAccuracy !== undefined ? ` · test accuracy ${p.testAccuracy.toFixed(4)}` : '';
          console.log(`step ${p.step}/${p.totalSteps} · loss ${p.loss.toFixed(4)} · ${p.examplesPerSecond.toFixed(0)} examples/s${acc}`);
        }
      },
      stop: () => undefined,
    };
  }
  const bar = new cliProgress.SingleBar(
    { format: 'train [{bar}] {value}/{total} steps · loss {loss} · {rate} examples/s · eta {eta_formatted}', hideCursor: true },
    cliProgress.Presets.shades_classic,
  );
  let started = false;
  return {
    update(p) {
      const payload = { loss: p.loss.toFixed(4), rate: p.examplesPerSecond.toFixed(0) };
      if (!started) {
        bar.start(p.totalSteps, 0, payload);
        started = true;
      }
      bar.update(p.step, payload);
    },
    stop: () => started && bar.stop(),
  };
}
