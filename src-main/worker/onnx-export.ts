/**
 * Export ONNX… in the worker: the running (or last opened) session's inference graph with its current
 * weights, so the user needs no checkpoint first. Written to a temporary file and renamed, so a failed
 * export never leaves a truncated .onnx where another tool would try to load it.
 */
import { randomBytes } from 'node:crypto';
import { rename, unlink, writeFile } from 'node:fs/promises';
import { exportTrainableModel } from '../../src-core/export';
import type { Lock } from './lock';
import type { ModelRuntime } from './model-runtime';

export interface OnnxExported {
  model: string;
  bytes: number;
}

export async function exportSessionOnnx(runtime: ModelRuntime | null, lock: Lock, path: string): Promise<OnnxExported> {
  if (runtime === null) throw new Error('checkpoint:export-onnx: no model is loaded; start training or open a checkpoint first');
  return lock.run(async () => {
    // Same rule as a checkpoint save: a file of NaN weights would load elsewhere and predict nothing.
    if (!(await runtime.weightsFinite())) throw new Error("checkpoint:export-onnx: the model's weights hold NaN or Infinity; nothing was written");
    const bytes = await exportTrainableModel(runtime, 'tinyflow studio');
    const temp = `${path}.${randomBytes(4).toString('hex')}.tmp`;
    try {
      await writeFile(temp, bytes);
      await rename(temp, path);
    } catch (e) {
      await unlink(temp).catch(() => undefined);
      throw e;
    }
    return { model: runtime.name, bytes: bytes.byteLength };
  });
}
