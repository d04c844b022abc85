/**
 * `tinyflow predict --checkpoint PATH IMAGE...`: each image (PNG or JPEG) decoded, made grayscale,
 * white-on-black and 28×28 as the data folders are, then the model's probability for every class.
 */
import { parseArgs } from 'node:util';
import { decodeImageFiles } from '../../src-core/datasets/image-folder';
import { MODELS } from '../../src-core/models';
import { UsageError } from '../usage';
import { loadCheckpointModel } from './export-checkpoint';
import { argmaxRow, chooseBackend, classCount, predictProbabilities } from './eval-session';

export const PREDICT_USAGE = `tinyflow predict --checkpoint PATH IMAGE... [options]
  --checkpoint PATH  a checkpoint (.safetensors) saved by the studio or by tinyflow train --save
  IMAGE...           PNG or JPEG files; each is made grayscale, white on black and 28x28 as data folders are
  --model NAME       ${Object.keys(MODELS).join(' | ')}: only for a checkpoint that names no model (one saved
                     before checkpoints carried their model); the studio's and train --save's rebuild their own,
                     zoo, layer editor model or model file alike
  --backend NAME     compute backend (default: the fastest available here)
  --json             print each image's probabilities as JSON`;

export interface Prediction {
  image: string;
  predicted: number;
  probabilities: number[];
}

export async function predictCommand(argv: string[]): Promise<number> {
  const { values, positionals } = parseArgs({
    args: argv,
    strict: true,
    allowPositionals: true,
    options: {
      checkpoint: { type: 'string' },
      model: { type: 'string' },
      backend: { type: 'string' },
      json: { type: 'boolean', default: false },
    },
  });
  if (values.checkpoint === undefined) throw new UsageError('--checkpoint PATH is required');
  if (positionals.length === 0) throw new UsageError('give at least one image (PNG or JPEG)');
  // The file first: a wrong checkpoint is reported before any backend is probed.
  const loaded = await loadCheckpointModel(values.checkpoint, values.model);
  const backend = await chooseBackend(values.backend);
  const [height, width] = loaded.imageShape;
  const images = decodeImageFiles(positionals, height, width);
  const classes = classCount(loaded);
  const probabilities = await predictProbabilities(loaded, backend, images, positionals.length);
  const predictions: Prediction[] = positionals.map((image, r) => ({
    image,
    predicted: argmaxRow(probabilities, r, classes),
    probabilities: Array.from(probabilities.subarray(r * classes, (r + 1) * classes)),
  }));
  if (values.json) {
    console.log(JSON.stringify({ checkpoint: values.checkpoint, model: loaded.modelName, backend, predictions }, null, 2));
  } else {
    for (const p of predictions) {
      console.log(`${p.image}: ${p.predicted} (${(p.probabilities[p.predicted] * 100).toFixed(1)}%)`);
      console.log(`  ${p.probabilities.map((q, c) => `${c}: ${q.toFixed(4)}`).join('  ')}`);
    }
  }
  return 0;
}
