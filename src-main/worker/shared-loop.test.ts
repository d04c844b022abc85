/**
 * The app and `tinyflow train` share one loop and one checkpoint format: a session the app's engine
 * trained and saved continues in the CLI's trainModel from its trained weights.
 */
import { describe, expect, it } from 'vitest';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { get_mnist } from '../../src-core/datasets';
import { trainModel } from '../../src-core/training/train-loop';
import type { Progress } from '../../src-app-api/schemas';
import { ComputeEngine } from './engine';

describe('one training loop for the app and the CLI', () => {
  it('a checkpoint the app saved resumes in trainModel at the accuracy it reached', async () => {
    const events: Progress[] = [];
    const engine = new ComputeEngine((channel, payload) => channel === 'train:progress' && events.push(payload as Progress));
    await engine.handle('train:start', { model: 'softmax', backend: 'cpu', dataDir: null, optimizer: 'sgd', learningRate: 0.5, batchSize: 100, epochs: 1, steps: 300 });
    for (const end = Date.now() + 60_000; events.at(-1)?.state !== 'finished'; await new Promise((r) => setTimeout(r, 20))) {
      if (Date.now() > end) throw new Error('training did not finish');
    }
    const appAccuracy = events.at(-1)?.testAccuracy ?? 0;
    expect(appAccuracy).toBeGreaterThan(0.85);
    const path = join(mkdtempSync(join(tmpdir(), 'shared-loop-')), 'app.safetensors');
    expect(await engine.handleInternal('checkpoint:write', { path })).toMatchObject({ model: 'softmax', step: 300 });

    // One small step more from the app's weights: a fresh model would be near 0.1 after a single step.
    const result = await trainModel({ model: 'softmax', steps: 1, batchSize: 100, backend: 'cpu', optimizer: 'sgd', learningRate: 0.01, resumePath: path }, get_mnist({ flatten: true, onehot: true }));
    expect(result.testAccuracy).toBeGreaterThan(0.85);
  }, 90_000);
});
