/**
 * Divergence in the shared loop: a non-finite loss is caught on the step that produced it, the loop goes
 * 'diverged' (waits like paused, trains nothing more), the last finite snapshot is written back, and the
 * report says where; a resume continues from the restored step. Then the real thing: softmax at learning
 * rate 50, batch 1, on wasm diverges, the session holds finite weights from the last good step, and the
 * replay names the node that first made a non-finite value.
 */
import { describe, expect, it } from 'vitest';
import { get_mnist } from '../datasets';
import { NDArray } from '../ndarray';
import { divergenceReport, type GoodWeights, type ReplayBatch, type WeightSnapshot } from './divergence';
import { TrainingLoop, type LoopState } from './loop';
import { TrainableModel } from './trainable';
// Sessions find backends through the registry; the built-in ones register here (src-core/index.ts does it for users).
import '../../backends/builtin';

const batch = (): [NDArray, NDArray] => [new NDArray(new Float32Array(4), [1, 4]), new NDArray(new Float32Array(10), [1, 10])];
const tick = (): Promise<void> => new Promise((r) => setImmediate(r));

/** A "model" whose one weight is the step it reached; its loss turns NaN at `badStep` and the weight goes NaN the step before. */
function fakeModel(badStep: number) {
  let weight = 0;
  let calls = 0;
  const written: number[] = [];
  const weights: GoodWeights = {
    learningRate: 0.5,
    snapshot: async (step) => (Number.isFinite(weight) ? { step, values: [new NDArray(new Float32Array([weight]), [1])] } : null),
    write: async (s: WeightSnapshot) => {
      weight = s.values[0].data[0];
      written.push(s.step);
    },
    replay: async (from: WeightSnapshot, batches: readonly ReplayBatch[]) => ({ step: batches[batches.length - 1].step, node: null, inputs: [], message: `replayed ${from.step}..${batches.length}` }),
  };
  return {
    weights,
    written,
    get calls() { return calls; },
    get weight() { return weight; },
    target: {
      trainStep: async () => {
        calls++;
        const loss = weight + 1 >= badStep ? NaN : 1 / (weight + 1);
        // The step before the bad one already wrecks the weight (its own loss is still finite).
        weight = weight + 1 === badStep - 1 ? NaN : weight + 1;
        return loss;
      },
      evaluate: async () => 0.5,
    },
  };
}

describe('TrainingLoop divergence', () => {
  it('catches NaN at step N, restores the snapshot from step M, reports, trains nothing more until resumed', async () => {
    const fake = fakeModel(23);
    const states: LoopState[] = [];
    const reports: unknown[] = [];
    const loop = new TrainingLoop(
      { target: fake.target, nextBatch: batch, batchSize: 1, totalSteps: 1000, stepsPerEpoch: 1000, weights: fake.weights, snapshotEverySteps: 5, yieldBetweenSteps: tick },
      { onStateChange: (s) => states.push(s), onDiverged: (r) => reports.push(r) },
    );
    const done = loop.run();
    while (loop.state !== 'diverged') await tick();
    // Snapshots at 0, 5, 10, 15, 20; step 22 wrecked the weight with a finite loss, step 23's loss was NaN.
    expect(loop.divergence).toEqual({
      step: 23, loss: NaN, lastGoodStep: 20, suggestedLearningRate: 0.05,
      message: 'training diverged at step 23 (loss NaN); weights kept from step 20; try a learning rate below 0.05',
    });
    expect(reports).toHaveLength(1);
    expect(fake.written).toEqual([20]);
    expect(fake.weight).toBe(20);
    expect(loop.step).toBe(20);
    expect(loop.loss).toBeNaN();
    const calls = fake.calls;
    for (let i = 0; i < 10; i++) await tick();
    expect(fake.calls).toBe(calls);
    expect(states).toEqual(['diverged']);
    // The diagnosis replays from step 20 through the bad step 23.
    expect(await loop.diagnose()).toMatchObject({ step: 23, message: 'replayed 20..3' });
    expect(loop.stop()).toBe(true);
    expect((await done).state).toBe('stopped');
  });

  it('a snapshot that is not finite is refused, so the last good one stays', async () => {
    const fake = fakeModel(7);
    const loop = new TrainingLoop({ target: fake.target, nextBatch: batch, batchSize: 1, totalSteps: 100, stepsPerEpoch: 100, weights: fake.weights, snapshotEverySteps: 1, endOnDivergence: true });
    const result = await loop.run();
    // Snapshots at 0..5 were finite; the one at step 6 held NaN and was dropped.
    expect(result).toMatchObject({ state: 'diverged', step: 5, divergence: { step: 7, lastGoodStep: 5 } });
    expect(fake.weight).toBe(5);
  });

  it('gives up the replay, not memory, when the weights went bad long before the loss did', async () => {
    let step = 0;
    const weights: GoodWeights = {
      learningRate: 1,
      // From step 3 on the weights hold NaN (every snapshot refused) while the loss still reads finite until step 40.
      snapshot: async (s) => (s < 3 ? { step: s, values: [] } : null),
      write: async () => undefined,
      replay: async () => { throw new Error('not reached'); },
    };
    const target = { trainStep: async () => (++step >= 40 ? NaN : 1), evaluate: async () => 1 };
    const loop = new TrainingLoop({ target, nextBatch: batch, batchSize: 1, totalSteps: 100, stepsPerEpoch: 100, weights, snapshotEverySteps: 1, endOnDivergence: true });
    const result = await loop.run();
    expect(result.divergence).toMatchObject({ step: 40, lastGoodStep: 2 });
    await expect(loop.diagnose()).rejects.toThrow('the weights went non-finite long before the loss did (more than 10 snapshot intervals since step 2); too many steps to replay');
  });

  it('resumes from diverged on the restored step; without kept weights it says so', async () => {
    let n = 0;
    const target = { trainStep: async () => (++n === 3 ? Infinity : 1), evaluate: async () => 1 };
    const loop = new TrainingLoop({ target, nextBatch: batch, batchSize: 1, totalSteps: 6, stepsPerEpoch: 6, learningRate: 0.003, yieldBetweenSteps: tick });
    const done = loop.run();
    while (loop.state !== 'diverged') await tick();
    expect(loop.divergence?.message).toBe('training diverged at step 3 (loss Infinity); no finite weights to go back to; try a learning rate below 0.0003');
    await expect(loop.diagnose()).rejects.toThrow('no finite weights were kept before the divergence');
    expect(loop.pause()).toBe(false);
    expect(loop.resume()).toBe(true);
    expect((await done)).toMatchObject({ state: 'finished', step: 6 });
  });

  it('says a readable rate and a plain advice when the rate is unknown', () => {
    expect(divergenceReport(4, -Infinity, 2, 50).message).toBe('training diverged at step 4 (loss -Infinity); weights kept from step 2; try a learning rate below 5');
    expect(divergenceReport(4, NaN, 2, 0.007).suggestedLearningRate).toBe(0.0007);
    expect(divergenceReport(4, NaN, null, null)).toMatchObject({ suggestedLearningRate: null, message: 'training diverged at step 4 (loss NaN); no finite weights to go back to; try a lower learning rate' });
  });
});

describe('divergence on a real model', () => {
  it('softmax at learning rate 50, batch 1, on wasm: diverges, keeps finite weights from the last good step, names the first non-finite node', async () => {
    const data = get_mnist({ flatten: true, onehot: true, seed: 1 });
    const trainable = new TrainableModel({ model: 'softmax', backend: 'wasm', learningRate: 50 }, () => null);
    try {
      await trainable.initialize();
      const loop = new TrainingLoop({
        target: { trainStep: (x, y) => trainable.trainStep(x, y), evaluate: async () => 0 },
        nextBatch: () => data.train.next_batch(1), batchSize: 1, totalSteps: 5000, stepsPerEpoch: 5000,
        weights: trainable, endOnDivergence: true,
      });
      const result = await loop.run();
      expect(result.state).toBe('diverged');
      const d = result.divergence;
      expect(d?.lastGoodStep).not.toBeNull();
      expect(d?.step).toBeGreaterThan(d?.lastGoodStep ?? Infinity);
      expect(d?.message).toMatch(/^training diverged at step \d+ \(loss (NaN|-?Infinity)\); weights kept from step \d+; try a learning rate below 5$/);
      expect(result.step).toBe(d?.lastGoodStep);
      expect(await trainable.weightsFinite()).toBe(true);
      const diagnosis = await loop.diagnose();
      expect(diagnosis.node).not.toBeNull();
      expect(diagnosis.step).toBeGreaterThan(d?.lastGoodStep ?? Infinity);
      expect(diagnosis.message).toContain('the first non-finite value came from');
      // The replay leaves the last good weights in place.
      expect(await trainable.weightsFinite()).toBe(true);
    } finally {
      trainable.close();
    }
  });
});

describe('a new learning rate keeps the optimizer state', () => {
  it('adoptVariables takes every variable, Adam slots included, and refuses another model by name', async () => {
    const data = get_mnist({ flatten: true, onehot: true, seed: 2 });
    const a = new TrainableModel({ model: 'mlp', backend: 'cpu', learningRate: 0.005 }, () => null);
    const b = new TrainableModel({ model: 'mlp', backend: 'cpu', learningRate: 0.0005 }, () => null);
    const other = new TrainableModel({ model: 'softmax', backend: 'cpu' }, () => null);
    try {
      await Promise.all([a.initialize(), b.initialize(), other.initialize()]);
      for (let i = 0; i < 3; i++) await a.trainStep(...data.train.next_batch(20));
      await b.adoptVariables(a);
      const [va, vb] = [await a.readVariables(), await b.readVariables()];
      expect(a.variables.map((v) => v.op.name)).toEqual(expect.arrayContaining(['fc1/weight/Adam', 'fc1/weight/Adam_1', 'beta1_power']));
      va.forEach((v, i) => expect([...vb[i].data], a.variables[i].op.name).toEqual([...v.data]));
      expect(b.learningRate).toBe(0.0005);
      await expect(other.adoptVariables(a)).rejects.toThrow(/adoptVariables: model 'mlp' \(\d+ variables\) does not match 'softmax'/);
    } finally {
      a.close();
      b.close();
      other.close();
    }
  });
});
