import { describe, it, expect } from 'vitest';
import * as tf from '../index';
import { withDefaultGraph } from '../graph/graph';
import { get_mnist } from '../datasets';
import { MODELS, modelEntry } from './index';
import { trainModel } from '../training/train-loop';

const mnist = get_mnist({ flatten: true, onehot: true });

describe('the model zoo', () => {
  for (const name of Object.keys(MODELS)) {
    it(`${name}: builds fully shaped variables that global_variables_initializer covers, and fits one batch`, async () => {
      const entry = modelEntry(name);
      const graph = new tf.Graph();
      const { model, init, variables } = withDefaultGraph(graph, () => {
        const built = entry.build({ learningRate: entry.defaultLearningRate });
        return { model: built, init: tf.global_variables_initializer(), variables: tf.global_variables() };
      });
      // The app restores variables through placeholders of their shapes: every shape must be known.
      for (const v of variables) expect(v.shape?.every((d) => d !== null), `${v.op.name} ${String(v.shape)}`).toBe(true);
      const sess = tf.Session({ graph });
      await sess.run(init);
      const images = mnist.train.images.reshape(model.flatten ? [8000, 784] : [8000, 1, 28, 28]);
      const xs = new tf.NDArray(images.data.slice(0, 32 * 784), model.flatten ? [32, 784] : [32, 1, 28, 28]);
      const ys = new tf.NDArray(mnist.train.labels.data.slice(0, 320), [32, 10]);
      const feed: [tf.Tensor, tf.NDArray][] = [[model.x, xs], [model.labels, ys]];
      const before = (await sess.run(model.loss, feed)).item();
      for (let i = 0; i < 12; i++) await sess.run(model.trainOp, feed);
      const after = (await sess.run(model.loss, feed)).item();
      expect(after).toBeLessThan(before * 0.7);
      expect((await sess.run(model.probabilities, feed)).shape).toEqual([32, 10]);
      sess.close();
    });
  }

  it('mlp trains to >= 0.9 in 2 epochs through the headless loop, and reports each epoch', async () => {
    const epochs: number[] = [];
    const result = await trainModel({ model: 'mlp', epochs: 2, batchSize: 100, backend: 'cpu' }, mnist, { onEpoch: (e) => epochs.push(e.testAccuracy) });
    expect(epochs).toHaveLength(2);
    expect(result.testAccuracy).toBeGreaterThanOrEqual(0.9);
    expect(result.interrupted).toBe(false);
  });
});
