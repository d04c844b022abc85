/**
 * `tinyflow export --checkpoint PATH --onnx OUT.onnx`: the checkpoint's inference graph as an ONNX
 * model (opset 17; input `x`, outputs `logits` and `probabilities`), for onnxruntime, Netron and others.
 */
import { rename, unlink, writeFile } from 'node:fs/promises';
import { dirname, basename, join } from 'node:path';
import { parseArgs } from 'node:util';
import { MODELS } from '../../src-core/models';
import { DataLossError } from '../../src-core/errors';
import { MIN_OPSET } from '../../src-core/export';
import { UsageError } from '../usage';
import { packageInfo } from '../version';
import { exportCheckpointToOnnx } from './export-checkpoint';

export const EXPORT_USAGE = `tinyflow export --checkpoint PATH --onnx OUT.onnx [options]
  --checkpoint PATH  a checkpoint (.safetensors) saved by the studio or by tinyflow train --save
  --onnx PATH        where to write the ONNX model (opset ${MIN_OPSET}; input x, outputs logits and probabilities)
  --model NAME       ${Object.keys(MODELS).join(' | ')}: only for a checkpoint that names no model (one saved
                     before checkpoints carried their model); the studio's and train --save's rebuild their own,
                     zoo, layer editor model or model file alike
  --json             print the result as JSON`;

/** Written beside the target and renamed over it: a failed export never leaves half a model. */
async function writeModel(path: string, bytes: Uint8Array): Promise<void> {
  const temp = join(dirname(path), `.${basename(path)}.${process.pid}.tmp`);
  try {
    await writeFile(temp, bytes);
    await rename(temp, path);
  } catch (error) {
    await unlink(temp).catch(() => undefined);
    throw new DataLossError(`cannot write '${path}': ${error instanceof Error ? error.message : String(error)}`);
  }
}

export async function exportCommand(argv: string[]): Promise<number> {
  const { values } = parseArgs({
    args: argv,
    strict: true,
    options: {
      checkpoint: { type: 'string' },
      onnx: { type: 'string' },
      model: { type: 'string' },
      json: { type: 'boolean', default: false },
    },
  });
  if (values.checkpoint === undefined) throw new UsageError('--checkpoint PATH is required');
  if (values.onnx === undefined) throw new UsageError('--onnx OUT.onnx is required');
  const bytes = await exportCheckpointToOnnx(values.checkpoint, { model: values.model, producerVersion: packageInfo().version });
  await writeModel(values.onnx, bytes);
  const result = { checkpoint: values.checkpoint, onnx: values.onnx, bytes: bytes.length, opset: MIN_OPSET, input: 'x', outputs: ['logits', 'probabilities'] };
  console.log(values.json ? JSON.stringify(result, null, 2) : `wrote ${values.onnx} (${bytes.length} bytes, ONNX opset ${MIN_OPSET}): input x, outputs logits and probabilities`);
  return 0;
}
