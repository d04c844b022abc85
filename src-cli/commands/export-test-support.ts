/**
 * Test checkpoints for export, eval and predict: the mlp trained 30 steps on the bundled digits (wasm),
 * saved as the studio saves (studio metadata in the file) and as `tinyflow train --save` does (none).
 */
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { vi } from 'vitest';
import { get_mnist } from '../../src-core/datasets';
import { NDArray } from '../../src-core/ndarray';
import { TrainableModel } from '../../src-core/training/trainable';
import { metaEntries } from '../../src-main/checkpoints/meta';
import { main } from '../cli';
import '../../backends/builtin';

export const digits = get_mnist({ flatten: true, onehot: true });

export interface TrainedCheckpoints {
  dir: string;
  studio: string;
  bare: string;
  /** The trained model, still open: what the checkpoints must reproduce. */
  model: TrainableModel;
}

export async function trainedCheckpoints(steps = 30): Promise<TrainedCheckpoints> {
  const dir = mkdtempSync(join(tmpdir(), 'tinyflow-export-'));
  const model = new TrainableModel({ model: 'mlp', backend: 'wasm' }, () => null);
  await model.initialize();
  const images = digits.train.images.data as Float32Array;
  const labels = digits.train.labels.data as Float32Array;
  for (let i = 0; i < steps; i++) {
    await model.trainStep(new NDArray(images.slice(i * 100 * 784, (i + 1) * 100 * 784), [100, 784]), new NDArray(labels.slice(i * 1000, (i + 1) * 1000), [100, 10]));
  }
  const studio = join(dir, 'mlp-studio.safetensors');
  const config = { model: 'mlp', backend: 'wasm', dataDir: null, optimizer: 'adam', learningRate: 0.005, batchSize: 100, epochs: 1, steps } as const;
  await model.saver.save(model.session, studio, {
    metadata: metaEntries({ format: 'tinyflow-studio-checkpoint', version: 1, config, step: steps, totalSteps: steps, loss: null, testAccuracy: null, savedAt: new Date(0).toISOString() }),
  });
  const bare = join(dir, 'mlp-bare.safetensors');
  await model.save(bare);
  return { dir, studio, bare, model };
}

/** Runs `tinyflow ARGV` in-process: exit code, stdout (console.log) and stderr (console.error). */
export async function cli(argv: string[]): Promise<{ code: number; out: string; err: string }> {
  const out: string[] = [];
  const err: string[] = [];
  const log = vi.spyOn(console, 'log').mockImplementation((...a: unknown[]) => void out.push(a.join(' ')));
  const error = vi.spyOn(console, 'error').mockImplementation((...a: unknown[]) => void err.push(a.join(' ')));
  try {
    return { code: await main(argv), out: out.join('\n'), err: err.join('\n') };
  } finally {
    log.mockRestore();
    error.mockRestore();
  }
}
