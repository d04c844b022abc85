/**
 * TrainableModel, the piece the CLI and the app train through: a backend switch between steps keeps the
 * weights and the optimizer's slots (Adam's moments), so training continues exactly as if it had not
 * moved; and a checkpoint written mid-run continues in a fresh model the same way.
 */
import { describe, expect, it } from 'vitest';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { get_mnist } from '../datasets';
import { NDArray } from '../ndarray';
import { TrainableModel } from './trainable';
// Sessions find backends through the registry; the built-in ones register here (src-core/index.ts does it for users).
import '../../backends/builtin';

const data = get_mnist({ flatten: true, onehot: true });
const batches = Array.from({ length: 12 }, (_, i): [NDArray, NDArray] => {
  const n = 50;
  const rows = (a: NDArray, width: number) => new NDArray((a.data as Float32Array).slice(i * n * width, (i + 1) * n * width), [n, width]);
  return [rows(data.train.images, 784), rows(data.train.labels, 10)];
});

async function train(model: TrainableModel, from: number, to: number): Promise<number[]> {
  const losses: number[] = [];
  for (let i = from; i < to; i++) losses.push(await model.trainStep(...batches[i]));
  return losses;
}

describe('TrainableModel', () => {
  it('moves to another session between steps keeping weights and Adam state; a checkpoint continues the same way', async () => {
    const options = { model: 'mlp', backend: 'cpu', optimizer: 'adam', learningRate: 0.005 } as const;
    const control = new TrainableModel(options, () => null);
    const moved = new TrainableModel(options, () => null);
    await control.initialize();
    // The same initial weights in both, so the two runs can be compared step for step.
    await moved.writeVariables(moved.session, await control.readVariables());
    try {
      expect(await train(moved, 0, 6)).toEqual(await train(control, 0, 6));
      // cpu → cpu: a fresh session, so every variable (weights, Adam's m and v, its beta powers) must be carried over.
      const count = await moved.switchBackend('cpu');
      expect(count).toBe(moved.variables.length);
      expect(moved.variables.length).toBeGreaterThan(4);
      const path = join(mkdtempSync(join(tmpdir(), 'trainable-')), 'mid.safetensors');
      await moved.save(path);
      const after = await train(moved, 6, 12);
      expect(after).toEqual(await train(control, 6, 12));

      const resumed = new TrainableModel(options, () => null);
      try {
        await resumed.initialize();
        await resumed.restore(path);
        expect(await train(resumed, 6, 12)).toEqual(after);
      } finally {
        resumed.close();
      }
    } finally {
      control.close();
      moved.close();
    }
  });
});
