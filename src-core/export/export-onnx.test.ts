/**
 * ONNX export checked against onnxruntime-node (the reference runtime, CPU): every zoo model, trained a
 * few steps on the bundled digits on wasm, must give our probabilities within 1e-4 on all 2,000 test
 * digits; a TF-1 graph with the other mapped ops (NHWC conv with stride 2, average pooling with odd SAME
 * padding, dropout fed keep_prob, batch normalization, transpose, concat, matmul with transpose_b) must
 * agree too; an op without a mapping, or a placeholder left open, is an error naming it.
 */
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import * as ort from 'onnxruntime-node';
import * as tf from '../index';
import { get_mnist } from '../datasets';
import { NDArray } from '../ndarray';
import { TrainableModel } from '../training/trainable';
import { exportOnnx, exportTrainableModel } from './index';
import { buildUserModel } from '../models/model-file';
import type { LayerModel } from '../models/user-model';
import { embeddedModuleText, MODULE_PATH, PROTO_PATH } from './onnx/embed';
import '../../backends/builtin';

const data = get_mnist({ flatten: true, onehot: true });
const root = fileURLToPath(new URL('../../', import.meta.url));

/** Rows [from, to) of a [n, width] array. */
function rows(a: NDArray, width: number, from: number, to: number): NDArray {
  return new NDArray((a.data as Float32Array).slice(from * width, to * width), [to - from, width]);
}

function argmax(values: Float32Array, row: number): number {
  let best = 0;
  for (let c = 1; c < 10; c++) if (values[row * 10 + c] > values[row * 10 + best]) best = c;
  return best;
}

interface Agreement {
  maxAbsDiff: number;
  argmaxAgree: number;
  /** Rows whose argmax differs although our top two classes are more than 1e-4 apart: a real disagreement. */
  clearDisagreements: number;
}

function compare(ours: Float32Array, theirs: Float32Array, n: number): Agreement {
  let maxAbsDiff = 0;
  for (let i = 0; i < ours.length; i++) maxAbsDiff = Math.max(maxAbsDiff, Math.abs(ours[i] - theirs[i]));
  let argmaxAgree = 0;
  let clearDisagreements = 0;
  for (let r = 0; r < n; r++) {
    const a = argmax(ours, r);
    if (a === argmax(theirs, r)) argmaxAgree++;
    else if (ours.slice(r * 10, r * 10 + 10).every((p, c) => c === a || ours[r * 10 + a] - p > 1e-4)) clearDisagreements++;
  }
  return { maxAbsDiff, argmaxAgree, clearDisagreements };
}

async function runOrt(bytes: Uint8Array, input: Float32Array, shape: number[], output = 'probabilities'): Promise<Float32Array> {
  const session = await ort.InferenceSession.create(bytes);
  try {
    const out = await session.run({ [session.inputNames[0]]: new ort.Tensor('float32', input, shape) });
    return out[output].data as Float32Array;
  } finally {
    await session.release();
  }
}

describe('ONNX export', () => {
  it('embeds the committed onnx.proto unchanged (regenerate with scripts/embed-onnx-proto.ts)', () => {
    const proto = readFileSync(root + PROTO_PATH, 'utf8');
    expect(proto).toContain('SPDX-License-Identifier: Apache-2.0');
    expect(proto).toContain('message ModelProto');
    expect(readFileSync(root + MODULE_PATH, 'utf8')).toBe(embeddedModuleText(proto));
  });

  it.each(['softmax', 'mlp', 'lenet', 'cnn'])('%s: onnxruntime gives our probabilities within 1e-4 on all 2,000 test digits', async (name) => {
    const model = new TrainableModel({ model: name, backend: 'wasm' }, () => null);
    try {
      await model.initialize();
      for (let step = 0; step < 5; step++) await model.trainStep(rows(data.train.images, 784, step * 50, step * 50 + 50), rows(data.train.labels, 10, step * 50, step * 50 + 50));
      const bytes = await exportTrainableModel(model);
      const n = data.test.num_examples;
      expect(n).toBe(2000);
      const shape = (k: number) => (model.model.flatten ? [k, 784] : [k, 1, 28, 28]);
      const ours = new Float32Array(n * 10);
      // In chunks: a conv model's patches for 2,000 images at once would take hundreds of MB.
      for (let from = 0; from < n; from += 500) {
        const images = new NDArray((data.test.images.data as Float32Array).slice(from * 784, (from + 500) * 784), shape(500));
        ours.set((await model.session.run(model.model.probabilities, [[model.model.x, images]])).data as Float32Array, from * 10);
      }
      const theirs = await runOrt(bytes, data.test.images.data as Float32Array, shape(n));
      const agreement = compare(ours, theirs, n);
      console.log(`onnx agreement ${name}: max |ours - onnxruntime| = ${agreement.maxAbsDiff.toExponential(2)}, argmax agrees on ${agreement.argmaxAgree}/${n}`);
      expect(agreement.maxAbsDiff).toBeLessThan(1e-4);
      expect(agreement.clearDisagreements).toBe(0);
    } finally {
      model.session.close();
    }
  }, 120_000);

  it('a layer editor model with conv, batch norm, max and avg pool, dropout: onnxruntime gives our inference probabilities within 1e-4 on all 2,000 test digits', async () => {
    const layers: LayerModel = {
      format: 'tinyflow-layers', version: 1, name: 'onnx-check', input: [28, 28, 1],
      layers: [
        { type: 'conv2d', filters: 6, kernel: 5, stride: 1, padding: 'same', activation: 'relu' },
        { type: 'batch_norm' },
        { type: 'max_pool', size: 2, stride: 2, padding: 'valid' },
        { type: 'conv2d', filters: 8, kernel: 3, stride: 2, padding: 'valid', activation: 'tanh' },
        { type: 'avg_pool', size: 3, stride: 2, padding: 'same' },
        { type: 'dropout', rate: 0.4 },
        { type: 'flatten' },
        { type: 'batch_norm' },
        { type: 'dense', units: 24, activation: 'sigmoid' },
        { type: 'dense', units: 10, activation: 'none' },
      ],
    };
    const g = new tf.Graph();
    const model = await g.as_default(() => buildUserModel({ kind: 'layers', model: layers }, { learningRate: 0.01 }));
    const { init, vars } = g.as_default(() => ({ init: tf.global_variables_initializer(), vars: tf.global_variables() }));
    const training = model.training as tf.Tensor;
    const sess = tf.Session({ backend: 'wasm', graph: g });
    try {
      await sess.run(init);
      // Training moves the moving statistics away from their start (0 and 1), so inference really reads them.
      for (let step = 0; step < 8; step++) await sess.run(model.trainOp, [[model.x, rows(data.train.images, 784, step * 50, step * 50 + 50)], [model.labels, rows(data.train.labels, 10, step * 50, step * 50 + 50)]]);
      const values = await sess.run(vars);
      const variables = new Map(vars.map((v, i) => [v.op.name, values[i]] as const));
      expect(Array.from(variables.get('batch_norm_1/moving_mean')?.data ?? []).some((m) => Math.abs(m) > 1e-3)).toBe(true);
      const off = NDArray.from(false);
      const n = data.test.num_examples;
      const ours = new Float32Array(n * 10);
      for (let from = 0; from < n; from += 500) {
        ours.set((await sess.run(model.probabilities, [[model.x, rows(data.test.images, 784, from, from + 500)], [training, off]])).data as Float32Array, from * 10);
      }
      const bytes = exportOnnx({ input: model.x, outputs: { logits: model.logits, probabilities: model.probabilities }, variables, constants: [[training, off]] });
      const theirs = await runOrt(bytes, data.test.images.data as Float32Array, [n, 784]);
      const agreement = compare(ours, theirs, n);
      console.log(`onnx agreement layer model (conv, batch norm, max/avg pool, dropout): max |ours - onnxruntime| = ${agreement.maxAbsDiff.toExponential(2)}, argmax agrees on ${agreement.argmaxAgree}/${n}`);
      expect(agreement.maxAbsDiff).toBeLessThan(1e-4);
      expect(agreement.clearDisagreements).toBe(0);
      // The inference graph only: no random op, no batch statistics, no Where on the flag.
      const session = await ort.InferenceSession.create(bytes);
      expect(session.inputNames).toEqual(['x']);
      await session.release();
      const text = new TextDecoder('latin1').decode(bytes);
      expect(text).not.toMatch(/RandomUniform|moments|Where/);
    } finally {
      sess.close();
    }
  }, 120_000);

  it('maps a TF-1 graph with the other ops (dropout with keep_prob, NHWC stride-2 conv, odd SAME avg pool, batch norm, transpose, concat)', async () => {
    const g = new tf.Graph();
    const rand = (shape: number[], seed: number) => {
      let s = seed;
      return new NDArray(Float32Array.from({ length: shape.reduce((a, b) => a * b, 1) }, () => ((s = (s * 1103515245 + 12345) % 2147483648) / 2147483648 - 0.5) * 0.4), shape);
    };
    const built = g.as_default(() => {
      const x = tf.placeholder(tf.float32, [null, 784], 'images');
      const keep = tf.placeholder(tf.float32, [], 'keep_prob');
      const img = tf.reshape(x, [-1, 28, 28, 1]);
      const conv = tf.nn.conv2d(img, tf.constant(rand([3, 3, 1, 4], 1)), [1, 2, 2, 1], 'SAME', { name: 'conv' });
      const act = tf.sigmoid(tf.nn.bias_add(conv, tf.constant(rand([4], 2))));
      const pooled = tf.nn.avg_pool(act, [1, 3, 3, 1], [1, 2, 2, 1], 'SAME');
      const nchw = tf.transpose(pooled, [0, 3, 1, 2]);
      const both = tf.concat([nchw, tf.nn.max_pool(nchw, [1, 1, 2, 2], [1, 1, 1, 1], 'SAME', { data_format: 'NCHW' })], 1);
      const flat = tf.reshape(both, [-1, 8 * 7 * 7]);
      const W = tf.Variable(rand([10, 8 * 7 * 7], 3), { name: 'fc/W' });
      const h = tf.nn.dropout(tf.matmul(flat, W, { transpose_b: true }), keep);
      const normed = tf.nn.batch_normalization(h, tf.constant(rand([10], 4)), tf.constant(new NDArray(Float32Array.from({ length: 10 }, (_, i) => 0.5 + i / 10), [10])), tf.constant(rand([10], 5)), tf.constant(rand([10], 6)), 1e-3);
      return { x, keep, W, probs: tf.nn.softmax(tf.tanh(normed)), init: tf.global_variables_initializer() };
    });
    const sess = tf.Session({ backend: 'wasm', graph: g });
    try {
      await sess.run(built.init);
      const one = new NDArray(new Float32Array([1]), []);
      const images = rows(data.test.images, 784, 0, 100);
      const ours = (await sess.run(built.probs, [[built.x, images], [built.keep, one]])).data as Float32Array;
      const wValue = await sess.run(built.W);
      const bytes = exportOnnx({ input: built.x, outputs: { probabilities: built.probs }, variables: new Map([['fc/W', wValue]]), constants: [[built.keep, one]] });
      const session = await ort.InferenceSession.create(bytes);
      expect(session.inputNames).toEqual(['images']);
      await session.release();
      const agreement = compare(ours, await runOrt(bytes, images.data as Float32Array, [100, 784]), 100);
      expect(agreement.maxAbsDiff).toBeLessThan(1e-4);
      // Dropout is an Identity at inference: keep_prob is not needed, and not written.
      const withoutKeep = exportOnnx({ input: built.x, outputs: { probabilities: built.probs }, variables: new Map([['fc/W', wValue]]) });
      expect(compare(ours, await runOrt(withoutKeep, images.data as Float32Array, [100, 784]), 100).maxAbsDiff).toBeLessThan(1e-4);
      expect(() => exportOnnx({ input: built.x, outputs: { probabilities: built.probs }, variables: new Map(), constants: [[built.keep, one]] })).toThrow(/no value for Variable 'fc\/W' \(shape \[10, 392\]\)/);
    } finally {
      sess.close();
    }
  }, 60_000);

  it.each([17, 18])('opset %i: tf.layers.batch_normalization with a training flag fixed to false, and reductions, agree with ours', async (opset) => {
    const g = new tf.Graph();
    const built = g.as_default(() => {
      const x = tf.placeholder(tf.float32, [null, 784], 'x');
      const training = tf.placeholder(tf.bool, [], 'training');
      const img = tf.reshape(x, [-1, 28, 28, 1]);
      const conv = tf.nn.relu(tf.nn.conv2d(img, tf.constant(new NDArray(Float32Array.from({ length: 5 * 5 * 6 }, (_, i) => Math.sin(i) * 0.3), [5, 5, 1, 6])), [1, 1, 1, 1], 'VALID'));
      const normed = tf.layers.batch_normalization(conv, { training });
      // The sum over 576 pixels is scaled down: a float sum in another order differs by more than 1e-4 at that size.
      const pooled = tf.concat([tf.reduce_mean(normed, [1, 2]), tf.reduce_max(normed, [1, 2]), tf.multiply(tf.reduce_sum(normed, [1, 2], { keepdims: true }).reshape([-1, 6]), 0.01)], 1);
      const logits = tf.subtract(pooled, tf.reduce_min(pooled, 1, { keepdims: true }));
      return { x, training, logits, probs: tf.nn.softmax(logits), init: tf.global_variables_initializer(), vars: tf.global_variables() };
    });
    const sess = tf.Session({ backend: 'wasm', graph: g });
    try {
      await sess.run(built.init);
      // Moving statistics as after training, so the inference branch is not the identity it starts as.
      const values = await sess.run(built.vars);
      const variables = new Map(built.vars.map((v, i) => {
        const shape = values[i].shape;
        const data = Float32Array.from(values[i].data as Float32Array, (_, k) => (v.op.name.endsWith('moving_variance') ? 0.5 + k / 10 : v.op.name.endsWith('moving_mean') ? 0.1 * k : 1 + 0.05 * k));
        return [v.op.name, new NDArray(data, shape)] as const;
      }));
      const images = rows(data.test.images, 784, 0, 50);
      const off = new NDArray(new Uint8Array([0]), [], 'bool');
      const feeds: [tf.Tensor, NDArray][] = [[built.x, images], [built.training, off], ...built.vars.map((v): [tf.Tensor, NDArray] => [v, variables.get(v.op.name) as NDArray])];
      const ours = (await sess.run(built.probs, feeds)).data as Float32Array;
      const bytes = exportOnnx({ input: built.x, outputs: { probabilities: built.probs }, variables, constants: [[built.training, off]], opset });
      const theirs = await runOrt(bytes, images.data as Float32Array, [50, 784]);
      expect(theirs.length).toBe(50 * 18);
      expect(Math.max(...ours.map((p, i) => Math.abs(p - theirs[i])))).toBeLessThan(1e-4);
    } finally {
      sess.close();
    }
  }, 60_000);

  it('takes the value of another placeholder the outputs read, and names it when it is missing', async () => {
    const g = new tf.Graph();
    const { x, scale, y } = g.as_default(() => {
      const input = tf.placeholder(tf.float32, [null, 3], 'x');
      const s = tf.placeholder(tf.float32, [], 'scale');
      return { x: input, scale: s, y: tf.multiply(input, s) };
    });
    expect(() => exportOnnx({ input: x, outputs: { y }, variables: new Map() })).toThrow(/read placeholder 'scale' besides the input 'x'; give its value in 'constants'/);
    const bytes = exportOnnx({ input: x, outputs: { y }, variables: new Map(), constants: [[scale, new NDArray(new Float32Array([2.5]), [])]] });
    expect(Array.from(await runOrt(bytes, new Float32Array([1, -2, 4]), [1, 3], 'y'))).toEqual([2.5, -5, 10]);
    expect(() => exportOnnx({ input: x, outputs: { y }, variables: new Map(), constants: [[scale, new NDArray(new Float32Array([1, 2]), [2])]] })).toThrow(
      /the value of placeholder 'scale' has shape \[2\], the graph wants \[\]/,
    );
  });

  it('names the op type and the node of an op it cannot map, and writes nothing silently wrong', () => {
    const g = new tf.Graph();
    const { x, y } = g.as_default(() => {
      const input = tf.placeholder(tf.float32, [null, 4], 'x');
      return { x: input, y: tf.tile(input, [1, 2], 'repeat') };
    });
    expect(() => exportOnnx({ input: x, outputs: { y }, variables: new Map() })).toThrow(/op type 'Tile' \(node 'repeat'\) has no ONNX mapping/);
    expect(() => exportOnnx({ input: x, outputs: { y: x }, variables: new Map(), opset: 13 })).toThrow(/opset must be an integer >= 17, got 13/);
    expect(() => exportOnnx({ input: y, outputs: { x }, variables: new Map() })).toThrow(/input must be a placeholder/);
  });
});
