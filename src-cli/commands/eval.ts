/**
 * `tinyflow eval --checkpoint PATH [--data-dir DIR]`: the checkpoint's accuracy on a test split (the
 * bundled digits by default) and its confusion matrix (rows: true class, columns: predicted).
 */
import { parseArgs } from 'node:util';
import { get_mnist } from '../../src-core/datasets';
import { MODELS } from '../../src-core/models';
import { InvalidArgumentError } from '../../src-core/errors';
import { UsageError } from '../usage';
import { loadCheckpointModel } from './export-checkpoint';
import { argmaxRow, chooseBackend, classCount, predictProbabilities } from './eval-session';

export const EVAL_USAGE = `tinyflow eval --checkpoint PATH [options]
  --checkpoint PATH  a checkpoint (.safetensors) saved by the studio or by tinyflow train --save
  --data-dir DIR     evaluate on this data folder's test split (default: the bundled digits)
  --model NAME       ${Object.keys(MODELS).join(' | ')}: only for a checkpoint that names no model (one saved
                     before checkpoints carried their model); the studio's and train --save's rebuild their own,
                     zoo, layer editor model or model file alike
  --backend NAME     compute backend (default: the fastest available here)
  --json             print accuracy and confusion matrix as JSON`;

export interface EvalResult {
  model: string;
  examples: number;
  correct: number;
  accuracy: number;
  classes: string[];
  /** confusion[t][p]: test examples of true class t predicted as p. */
  confusion: number[][];
}

export function confusionTable(result: EvalResult): string {
  const width = Math.max(5, ...result.classes.map((c) => c.length), ...result.confusion.flat().map((v) => String(v).length)) + 1;
  const cell = (s: string) => s.padStart(width);
  const head = `${'true\\pred'.padEnd(width + 4)}${result.classes.map(cell).join('')}`;
  return [head, ...result.confusion.map((row, t) => `${result.classes[t].padEnd(width + 4)}${row.map((v) => cell(String(v))).join('')}`)].join('\n');
}

export async function evalCommand(argv: string[]): Promise<number> {
  const { values } = parseArgs({
    args: argv,
    strict: true,
    options: {
      checkpoint: { type: 'string' },
      'data-dir': { type: 'string' },
      model: { type: 'string' },
      backend: { type: 'string' },
      json: { type: 'boolean', default: false },
    },
  });
  if (values.checkpoint === undefined) throw new UsageError('--checkpoint PATH is required');
  // The file first: a wrong checkpoint is reported before any backend is probed.
  const loaded = await loadCheckpointModel(values.checkpoint, values.model);
  const backend = await chooseBackend(values.backend);
  const data = get_mnist({ flatten: true, onehot: true, image_shape: loaded.imageShape, data_dir: values['data-dir'] });
  const { test } = data;
  const classes = classCount(loaded);
  const labelWidth = test.labels.shape[1];
  if (labelWidth !== classes) {
    throw new InvalidArgumentError(`model '${loaded.modelName}' predicts ${classes} classes, the data has ${labelWidth} (${data.class_names.join(', ')})`);
  }
  const n = test.num_examples;
  if (n === 0) throw new InvalidArgumentError(`the test split of ${values['data-dir'] ?? 'the bundled digits'} has no examples`);
  const probabilities = await predictProbabilities(loaded, backend, test.images.data as Float32Array, n);
  const labels = test.labels.data as Float32Array;
  const confusion = Array.from({ length: classes }, () => new Array<number>(classes).fill(0));
  let correct = 0;
  for (let r = 0; r < n; r++) {
    const truth = argmaxRow(labels, r, classes);
    const predicted = argmaxRow(probabilities, r, classes);
    confusion[truth][predicted]++;
    if (truth === predicted) correct++;
  }
  const result: EvalResult = { model: loaded.modelName, examples: n, correct, accuracy: correct / n, classes: [...data.class_names], confusion };
  if (values.json) {
    console.log(JSON.stringify({ checkpoint: values.checkpoint, backend, ...result }, null, 2));
  } else {
    console.log(`${loaded.modelName} from ${values.checkpoint} on ${backend}: accuracy ${result.accuracy.toFixed(4)} (${correct}/${n} test examples)`);
    console.log(confusionTable(result));
  }
  return 0;
}
