/**
 * Layer editor models build and train (issue 15.1): every layer kind is in a model whose loss falls
 * within 30 steps; the training flag switches dropout and batch normalization; batch norm's moving
 * statistics follow training; and the code shown for a layer model, loaded as a model file, builds the
 * same variables with the same shapes (optimizer slots included) as the layer model itself.
 */
import { describe, expect, it } from 'vitest';
import * as tf from '../index';
import { withDefaultGraph } from '../graph/graph';
import { get_mnist } from '../datasets';
import { buildModelFile, buildUserModel, importModelFile } from './model-file';
import type { BuiltModel } from './model';
import { layerModelCode, type LayerDef, type LayerModel } from './user-model';

const mnist = get_mnist({ flatten: true, onehot: true });
const xs = new tf.NDArray((mnist.train.images.data as Float32Array).slice(0, 64 * 784), [64, 784]);
const ys = new tf.NDArray((mnist.train.labels.data as Float32Array).slice(0, 640), [64, 10]);

function layerModel(input: number[], layers: LayerDef[]): LayerModel {
  return { format: 'tinyflow-layers', version: 1, name: 'test', input, layers: [...layers, { type: 'dense', units: 10, activation: 'none' }] };
}

const conv = (filters: number, kernel: number, stride = 1): LayerDef => ({ type: 'conv2d', filters, kernel, stride, padding: 'same', activation: 'relu' });

const KIND_MODELS: Record<string, LayerModel> = {
  dense: layerModel([784], [{ type: 'dense', units: 32, activation: 'tanh' }]),
  conv2d: layerModel([28, 28, 1], [{ type: 'conv2d', filters: 4, kernel: 5, stride: 2, padding: 'valid', activation: 'sigmoid' }, { type: 'flatten' }]),
  max_pool: layerModel([28, 28, 1], [conv(4, 3), { type: 'max_pool', size: 2, stride: 2, padding: 'valid' }, { type: 'flatten' }]),
  avg_pool: layerModel([28, 28, 1], [conv(4, 3), { type: 'avg_pool', size: 3, stride: 2, padding: 'same' }, { type: 'flatten' }]),
  dropout: layerModel([784], [{ type: 'dense', units: 32, activation: 'relu' }, { type: 'dropout', rate: 0.3 }]),
  batch_norm: layerModel([28, 28, 1], [conv(4, 3, 2), { type: 'batch_norm' }, { type: 'flatten' }, { type: 'batch_norm' }]),
};

async function train(model: BuiltModel, graph: tf.Graph, steps: number): Promise<{ before: number; after: number; sess: tf.Session }> {
  const init = withDefaultGraph(graph, () => tf.global_variables_initializer());
  const sess = tf.Session({ graph, backend: 'wasm' });
  await sess.run(init);
  const feed: [tf.Tensor, tf.NDArray][] = [[model.x, xs], [model.labels, ys]];
  const evalFeed: [tf.Tensor, tf.NDArray | boolean][] = [...feed, ...(model.training ? [[model.training, false] as [tf.Tensor, boolean]] : [])];
  const before = (await sess.run(model.loss, evalFeed)).item();
  for (let i = 0; i < steps; i++) await sess.run(model.trainOp, feed);
  const after = (await sess.run(model.loss, evalFeed)).item();
  return { before, after, sess };
}

describe('layer editor models', () => {
  for (const [kind, definition] of Object.entries(KIND_MODELS)) {
    it(`${kind}: builds, and its loss falls within 30 steps`, async () => {
      const graph = new tf.Graph();
      const model = await withDefaultGraph(graph, () => buildUserModel({ kind: 'layers', model: definition }, { learningRate: 0.01 }));
      expect(model.x.shape).toEqual([null, 784]);
      expect(model.logits.shape).toEqual([null, 10]);
      expect(model.flatten).toBe(true);
      expect(model.training?.dtype).toBe('bool');
      const { before, after, sess } = await train(model, graph, 30);
      expect(after).toBeLessThan(before * 0.8);
      sess.close();
    });
  }

  it('takes an image size of its own and sizes the output for the data', async () => {
    const graph = new tf.Graph();
    const model = await withDefaultGraph(graph, () => buildUserModel({ kind: 'layers', model: layerModel([16, 12, 1], [conv(2, 3), { type: 'flatten' }]) }, { learningRate: 0.01, numClasses: 3 }));
    expect(model.x.shape).toEqual([null, 192]);
    expect(model.logits.shape).toEqual([null, 3]);
    expect(model.labels.shape).toEqual([null, 3]);
  });

  it('dropout is random while training and off when training is fed false', async () => {
    const graph = new tf.Graph();
    const model = await withDefaultGraph(graph, () => buildUserModel({ kind: 'layers', model: KIND_MODELS.dropout }, { learningRate: 0.01 }));
    const { sess } = await train(model, graph, 0);
    const training = model.training as tf.Tensor;
    const a = (await sess.run(model.logits, [[model.x, xs]])).data;
    const b = (await sess.run(model.logits, [[model.x, xs]])).data;
    expect(Array.from(a)).not.toEqual(Array.from(b));
    const c = (await sess.run(model.logits, [[model.x, xs], [training, false]])).data;
    const d = (await sess.run(model.logits, [[model.x, xs], [training, false]])).data;
    expect(Array.from(c)).toEqual(Array.from(d));
    sess.close();
  });

  it('batch norm: the train op moves the moving statistics, a run fed training=false does not, and uses them', async () => {
    const graph = new tf.Graph();
    const model = await withDefaultGraph(graph, () => buildUserModel({ kind: 'layers', model: KIND_MODELS.batch_norm }, { learningRate: 0.01 }));
    const training = model.training as tf.Tensor;
    const moving = withDefaultGraph(graph, () => tf.global_variables().filter((v) => v.op.name === 'batch_norm_1/moving_mean'));
    expect(moving).toHaveLength(1);
    const { sess } = await train(model, graph, 0);
    const start = Array.from((await sess.run(moving[0])).data);
    expect(start).toEqual([0, 0, 0, 0]);
    await sess.run(model.logits, [[model.x, xs], [training, false]]);
    expect(Array.from((await sess.run(moving[0])).data)).toEqual(start);
    await sess.run(model.trainOp, [[model.x, xs], [model.labels, ys]]);
    const after = Array.from((await sess.run(moving[0])).data);
    expect(after.some((v) => Math.abs(v) > 1e-4)).toBe(true);
    // Inference ignores the batch: one example gives the same logits alone as inside the batch.
    const one = new tf.NDArray((xs.data as Float32Array).slice(0, 784), [1, 784]);
    const alone = (await sess.run(model.logits, [[model.x, one], [training, false]])).data;
    const inBatch = (await sess.run(model.logits, [[model.x, xs], [training, false]])).data;
    for (let k = 0; k < 10; k++) expect(alone[k]).toBeCloseTo(inBatch[k], 4);
    sess.close();
  });

  it('a shape error is refused before anything is built, naming the layer', async () => {
    const bad = layerModel([8, 8, 1], [{ type: 'max_pool', size: 3, stride: 3, padding: 'valid' }, { type: 'max_pool', size: 3, stride: 3, padding: 'valid' }, { type: 'flatten' }]);
    const graph = new tf.Graph();
    await expect(withDefaultGraph(graph, () => buildUserModel({ kind: 'layers', model: bad }, { learningRate: 0.01 }))).rejects.toThrow(
      "model 'test': layer 2 (max_pool 3): the input is 2×2, smaller than the 3×3 window",
    );
    expect(graph.get_operations()).toHaveLength(0);
  });
});

type Variables = [string, (number | null)[] | null, boolean][];

function variablesOf(graph: tf.Graph): Variables {
  return withDefaultGraph(graph, () => {
    const trainable = new Set(tf.trainable_variables());
    return tf.global_variables().map((v): Variables[number] => [v.op.name, v.shape ? [...v.shape] : null, trainable.has(v)]);
  });
}

describe('the code shown for a layer model is the model', () => {
  const models: [string, LayerModel, number][] = [
    ['every kind, 4 classes', layerModel([28, 28, 1], [conv(4, 3), { type: 'batch_norm' }, { type: 'max_pool', size: 2, stride: 2, padding: 'same' }, { type: 'avg_pool', size: 2, stride: 1, padding: 'valid' }, { type: 'dropout', rate: 0.5 }, { type: 'flatten' }, { type: 'dense', units: 16, activation: 'sigmoid' }]), 4],
    ['a flat MLP', layerModel([784], [{ type: 'dense', units: 20, activation: 'relu' }, { type: 'batch_norm' }, { type: 'dense', units: 12, activation: 'none' }]), 10],
  ];
  for (const [what, definition, classes] of models) {
    for (const optimizer of ['sgd', 'adam'] as const) {
      it(`${what}, ${optimizer}: loaded as a model file, the code builds the same variables and shapes`, async () => {
        const code = layerModelCode(definition, classes);
        const module = await importModelFile('shown.js', code);
        expect(module.input).toEqual(definition.input);
        const shown = new tf.Graph();
        withDefaultGraph(shown, () => buildModelFile('shown.js', module, { learningRate: 0.01, optimizer, numClasses: classes }));
        const built = new tf.Graph();
        await withDefaultGraph(built, () => buildUserModel({ kind: 'layers', model: definition }, { learningRate: 0.01, optimizer, numClasses: classes }));
        expect(variablesOf(shown)).toEqual(variablesOf(built));
        expect(variablesOf(built).length).toBeGreaterThan(4);
        // The same forward ops too, by type and name (the head's are the studio's in both).
        const ops = (g: tf.Graph) => g.get_operations().map((op) => `${op.type} ${op.name}`);
        expect(ops(shown)).toEqual(ops(built));
      });
    }
  }
});
