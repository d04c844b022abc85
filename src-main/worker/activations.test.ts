/**
 * inspect:activations on the four zoo models (each layer's name, shape, maps and kernels), on a graph
 * without a layer list (the forward graph's ops stand in), and on a model far wider than the zoo's: the
 * answer stays within its caps and its schema.
 */
import { afterAll, describe, expect, it } from 'vitest';
import * as tf from '../../src-core';
import { NDArray } from '../../src-core';
import { Graph, withDefaultGraph } from '../../src-core/graph/graph';
import type { BuiltModel } from '../../src-core/models/model';
import { ActivationsResponseSchema, MAX_ACTIVATION_VALUES, MAX_MAPS_PER_LAYER, type Activations, type LayerActivation } from '../../src-app-api/inspect-schemas';
import { activationsOf, type ActivationRuntime } from './activations';
import { loadData } from './datasets';
import { ModelRuntime } from './model-runtime';

const runtimes: ModelRuntime[] = [];
afterAll(() => runtimes.forEach((r) => r.close()));

async function zoo(name: string): Promise<ModelRuntime> {
  const runtime = new ModelRuntime(name, 0.01, 'cpu');
  runtimes.push(runtime);
  await runtime.initialize();
  return runtime;
}

const flatTest = loadData(null, true).test;
const layer = (a: Activations, name: string): LayerActivation => {
  const found = a.layers.find((l) => l.name === name);
  if (found === undefined) throw new Error(`no layer ${name} in ${a.layers.map((l) => l.name).join(', ')}`);
  return found;
};
const summary = (a: Activations) => a.layers.map((l) => `${l.name}:${l.kind}:[${l.shape.join(',')}]`);

describe('inspect:activations on the zoo', () => {
  it('lenet (NCHW): conv1 20 maps of 24×24 with 5×5 kernels, pool1, conv2 capped at 32 of 50, the dense layers as vectors', async () => {
    const runtime = await zoo('lenet');
    const a = ActivationsResponseSchema.parse(await activationsOf(runtime, flatTest, { testIndex: 3 }, 0));
    expect(summary(a)).toEqual([
      'conv1:conv:[20,24,24]', 'tanh1:tanh:[20,24,24]', 'pool1:pool:[20,12,12]', 'conv2:conv:[50,8,8]', 'tanh2:tanh:[50,8,8]',
      'pool2:pool:[50,4,4]', 'flatten1:flatten:[800]', 'fc1:dense:[500]', 'tanh3:tanh:[500]', 'fc2:dense:[10]',
    ]);
    const conv1 = layer(a, 'conv1');
    expect(conv1.maps).toMatchObject({ channels: 20, height: 24, width: 24, stride: 1 });
    expect(conv1.maps?.list).toHaveLength(20);
    expect(conv1.filters).toMatchObject({ count: 20, over: 'input channel', height: 5, width: 5 });
    expect(conv1.filters?.list).toHaveLength(20);
    const conv2 = layer(a, 'conv2');
    expect(conv2.maps?.list).toHaveLength(MAX_MAPS_PER_LAYER);
    expect(conv2.note).toContain(`${MAX_MAPS_PER_LAYER} of 50 channels shown`);
    expect(conv2.filters).toMatchObject({ count: 50, over: 'mean over 20 input channels' });
    expect(layer(a, 'fc2').vector?.length).toBe(10);
    expect(a.test).toEqual({ index: 3, label: argmaxRow(3), size: flatTest.num_examples });
    expect(a.input).toEqual(Array.from((flatTest.images.data as Float32Array).subarray(3 * 784, 4 * 784)));
    expect(a.probabilities).toHaveLength(10);
    expect(a.predicted).toBe(a.probabilities.indexOf(Math.max(...a.probabilities)));
    expect(a.layersFrom).toBe('layers');
  });

  it("lenet: a map's dequantized values are the layer's output within one quantization step", async () => {
    const runtime = await zoo('lenet');
    const a = await activationsOf(runtime, flatTest, { testIndex: 7 }, 0);
    const conv1 = (runtime.model.layers ?? [])[0];
    const direct = (await runtime.session.run(conv1.output, [[runtime.model.x, runtime.shapeImages((flatTest.images.data as Float32Array).slice(7 * 784, 8 * 784), 1)]])).data as Float32Array;
    const channel = 4;
    const map = layer(a, 'conv1').maps?.list[channel];
    if (map === undefined) throw new Error('no map');
    const step = (map.hi - map.lo) / 255;
    expect(step).toBeGreaterThan(0);
    map.q.forEach((q, i) => expect(Math.abs(map.lo + q * step - direct[channel * 576 + i])).toBeLessThanOrEqual(step / 2 + 1e-6));
  });

  it('cnn (NHWC): conv1 16 maps of 28×28 read across the channel axis, pools halve them', async () => {
    const runtime = await zoo('cnn');
    const a = ActivationsResponseSchema.parse(await activationsOf(runtime, flatTest, { testIndex: 0 }, 0));
    expect(summary(a)).toEqual([
      'reshape1:reshape:[28,28,1]', 'conv1:conv:[28,28,16]', 'relu1:relu:[28,28,16]', 'pool1:pool:[14,14,16]', 'conv2:conv:[14,14,32]',
      'relu2:relu:[14,14,32]', 'pool2:pool:[7,7,32]', 'reshape2:reshape:[1568]', 'fc1:dense:[256]', 'relu3:relu:[256]', 'fc2:dense:[10]',
    ]);
    expect(layer(a, 'reshape1').maps).toMatchObject({ channels: 1, height: 28, width: 28 });
    // The one-channel reshape of the input is the input image itself: its map is the pixels, quantized.
    const input = layer(a, 'reshape1').maps?.list[0];
    expect(input?.q.map((q) => q / 255)).toEqual(a.input.map((p) => expect.closeTo(p, 2)));
    expect(layer(a, 'conv1').maps?.list).toHaveLength(16);
    expect(layer(a, 'pool2').maps).toMatchObject({ channels: 32, height: 7, width: 7 });
    expect(layer(a, 'conv2').filters).toMatchObject({ count: 32, over: 'mean over 16 input channels', height: 5, width: 5 });
  });

  it('softmax: one dense layer of 10; mlp: fc1 100, relu, fc2 10; a drawing as the source', async () => {
    const drawing = Array.from({ length: 784 }, (_, i) => (i % 28 > 12 && i % 28 < 16 && i > 150 && i < 650 ? 1 : 0));
    const softmax = ActivationsResponseSchema.parse(await activationsOf(await zoo('softmax'), flatTest, { pixels: drawing }, 5));
    expect(summary(softmax)).toEqual(['W:dense:[10]']);
    expect(softmax).toMatchObject({ test: null, step: 5, model: 'softmax', input: drawing });
    const mlp = ActivationsResponseSchema.parse(await activationsOf(await zoo('mlp'), flatTest, { pixels: drawing }, 0));
    expect(summary(mlp)).toEqual(['fc1:dense:[100]', 'relu1:relu:[100]', 'fc2:dense:[10]']);
    expect(mlp.layers.every((l) => l.maps === null)).toBe(true);
    // A dense layer on the image shows its units' weights as 28×28 templates; one on hidden units none.
    expect(softmax.layers[0].filters).toMatchObject({ count: 10, over: 'weights per input pixel', height: 28, width: 28 });
    expect(softmax.layers[0].filters?.list).toHaveLength(10);
    expect(layer(mlp, 'fc1').filters).toMatchObject({ count: 100, height: 28, width: 28 });
    expect(layer(mlp, 'fc1').filters?.list).toHaveLength(32);
    expect(layer(mlp, 'fc2').filters).toBeNull();
  });

  it('a test index outside the split is an error naming the range', async () => {
    const runtime = await zoo('softmax');
    const n = flatTest.num_examples;
    await expect(activationsOf(runtime, flatTest, { testIndex: n }, 0)).rejects.toThrow(`Test image must be between 0 and ${n - 1} (the test split has ${n} images), got ${n}`);
    await expect(activationsOf(runtime, flatTest, { testIndex: -1 }, 0)).rejects.toThrow(/between 0 and/);
  });
});

describe('inspect:activations beyond the zoo', () => {
  /** A graph without a layer list: 512 5×5 filters on the image, a 4096-wide dense layer, 10 outputs. */
  function wideModel(): { runtime: ActivationRuntime; close: () => void } {
    const graph = new Graph();
    const model = withDefaultGraph(graph, (): BuiltModel => {
      const x = tf.placeholder(tf.float32, [null, 784]);
      const image = tf.reshape(x, [-1, 28, 28, 1]);
      const W = tf.Variable(tf.random_normal([5, 5, 1, 512], { stddev: 0.1 }));
      const conv = tf.nn.relu(tf.nn.conv2d(image, W, [1, 1, 1, 1], 'SAME'));
      const flat = tf.reshape(tf.nn.max_pool(conv, [1, 4, 4, 1], [1, 4, 4, 1], 'SAME'), [-1, 7 * 7 * 512]);
      const W2 = tf.Variable(tf.random_normal([7 * 7 * 512, 64], { stddev: 0.01 }));
      const logits = tf.matmul(tf.nn.tanh(tf.matmul(flat, W2)), tf.Variable(tf.random_normal([64, 10], { stddev: 0.1 })));
      const labels = tf.placeholder(tf.float32, [null, 10]);
      const probabilities = tf.nn.softmax(logits);
      const loss = tf.reduce_mean(tf.nn.softmax_cross_entropy_with_logits({ logits, labels }));
      return { x, labels, logits, probabilities, loss, trainOp: loss, accuracy: loss, flatten: true };
    });
    const session = tf.Session({ backend: 'cpu', graph });
    return {
      runtime: { name: 'wide', model, session, shapeImages: (flat: Float32Array, n: number) => new NDArray(flat, [n, 784]), inferenceFeeds: () => [] },
      close: () => session.close(),
    };
  }

  it('falls back to the forward graph, keeps within the caps and sends well under a megabyte', async () => {
    const { runtime, close } = wideModel();
    try {
      await runtime.session.run(withDefaultGraph(runtime.model.x.graph, () => tf.global_variables_initializer()));
      const a = ActivationsResponseSchema.parse(await activationsOf(runtime, flatTest, { testIndex: 1 }, 0));
      expect(a.layersFrom).toBe('graph');
      expect(a.layers.map((l) => `${l.kind}:[${l.shape.join(',')}]`)).toEqual(['conv:[28,28,512]', 'relu:[28,28,512]', 'pool:[7,7,512]', 'dense:[64]', 'tanh:[64]', 'dense:[10]']);
      const conv = a.layers[0];
      expect(conv.maps?.list).toHaveLength(MAX_MAPS_PER_LAYER);
      expect(conv.filters?.count).toBe(512);
      expect(conv.filters?.list.length).toBeLessThanOrEqual(32);
      const sent = a.layers.reduce((n, l) => n + (l.maps?.list.reduce((k, m) => k + m.q.length, 0) ?? 0) + (l.vector?.values.q.length ?? 0) + (l.filters?.list.reduce((k, m) => k + m.q.length, 0) ?? 0), 0);
      expect(sent).toBeLessThanOrEqual(MAX_ACTIVATION_VALUES);
      expect(JSON.stringify(a).length).toBeLessThan(1_000_000);
    } finally {
      close();
    }
  });
});

function argmaxRow(i: number): number {
  const row = Array.from((flatTest.labels.data as Float32Array).subarray(i * 10, (i + 1) * 10));
  return row.indexOf(Math.max(...row));
}
