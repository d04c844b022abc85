/** tf.layers against TF-1's semantics: hand-computed values (float64) or TF.js (cpu) as the oracle. */
import * as tfjs from '@tensorflow/tfjs';
import { beforeAll, beforeEach, describe, expect, it } from 'vitest';
import * as tf from '../index';
import { NDArray } from '../ndarray';

beforeAll(async () => {
  await tfjs.setBackend('cpu');
});
beforeEach(() => tf.reset_default_graph());

/** Deterministic values in [-1, 1). */
function data(shape: number[], seed = 1): NDArray {
  const n = shape.reduce((a, b) => a * b, 1);
  const out = new Float32Array(n);
  let s = seed;
  for (let i = 0; i < n; i++) {
    s = (s * 1103515245 + 12345) % 2147483648;
    out[i] = (s / 2147483648) * 2 - 1;
  }
  return new NDArray(out, shape, 'float32');
}

async function session(): Promise<tf.Session> {
  const sess = tf.Session();
  await sess.run(tf.global_variables_initializer());
  return sess;
}

function variableNamed(name: string): tf.Variable {
  const v = tf.global_variables().find((t) => t.op.name === name);
  if (!v) throw new Error(`no variable ${name}`);
  return v;
}

function expectClose(actual: ArrayLike<number>, expected: ArrayLike<number>, tol = 1e-5): void {
  expect(actual.length).toBe(expected.length);
  for (let i = 0; i < actual.length; i++) expect(Math.abs(actual[i] - expected[i]), `element ${i}: ${actual[i]} vs ${expected[i]}`).toBeLessThan(tol);
}

describe('tf.layers.dense', () => {
  it('computes activation(x·kernel + bias) with kernel [in, units] and bias [units] named dense/…, dense_1/…', async () => {
    const x = tf.placeholder(tf.float32, [null, 3]);
    const y = tf.layers.dense(x, 4, { activation: tf.nn.relu, bias_initializer: tf.constant_initializer(0.25) });
    const z = tf.layers.dense(y, 2, { use_bias: false });
    expect(tf.trainable_variables().map((v) => `${v.op.name} [${v.shape?.join(',')}]`)).toEqual(['dense/kernel [3,4]', 'dense/bias [4]', 'dense_1/kernel [4,2]']);
    expect(y.shape).toEqual([null, 4]);
    const sess = await session();
    const xv = data([5, 3]);
    const [yv, k] = (await sess.run([y, variableNamed('dense/kernel')], { feed_dict: [[x, xv]] })) as NDArray[];
    const expected: number[] = [];
    for (let r = 0; r < 5; r++) {
      for (let c = 0; c < 4; c++) {
        let s = 0.25;
        for (let i = 0; i < 3; i++) s += xv.data[r * 3 + i] * k.data[i * 4 + c];
        expected.push(Math.max(0, s));
      }
    }
    expectClose(yv.data, expected);
    expect(((await sess.run(z, { feed_dict: [[x, xv]] })) as NDArray).shape).toEqual([5, 2]);
  });

  it('applies to the last axis of a rank-3 input', async () => {
    const x = tf.placeholder(tf.float32, [null, 2, 3]);
    const y = tf.layers.dense(x, 4, { kernel_initializer: tf.ones_initializer() });
    expect(y.shape).toEqual([null, 2, 4]);
    const sess = await session();
    const out = (await sess.run(y, { feed_dict: [[x, new NDArray(new Float32Array([1, 2, 3, 4, 5, 6]), [1, 2, 3])]] })) as NDArray;
    expect(Array.from(out.data)).toEqual([6, 6, 6, 6, 15, 15, 15, 15]);
  });

  it('shares its variables by name with reuse, and refuses a second layer of the same name without it', () => {
    const x = tf.placeholder(tf.float32, [null, 3]);
    const a = tf.layers.dense(x, 2, { name: 'fc' });
    const b = tf.layers.dense(x, 2, { name: 'fc', reuse: true });
    expect(tf.trainable_variables()).toHaveLength(2);
    expect(a.op.name).not.toBe(b.op.name);
    expect(() => tf.layers.dense(x, 2, { name: 'fc' })).toThrow(/Variable fc\/kernel already exists/);
    expect(() => tf.layers.dense(x, 3, { name: 'fc', reuse: true })).toThrow(/share variable fc\/kernel, but specified shape \[3,\s?3\]/);
  });

  it('refuses what it cannot build, naming dense', () => {
    expect(() => tf.layers.dense(tf.placeholder(tf.float32, [null, null]), 2)).toThrow(/dense: every dim of inputs/);
    expect(() => tf.layers.dense(tf.placeholder(tf.float32, [null, 3]), 0)).toThrow(/dense: units must be a positive integer/);
    expect(() => tf.layers.dense(tf.placeholder(tf.float32, [null, 3]), 2, { activation: 'relu' } as never)).toThrow(/dense: activation must be a function/);
    expect(() => tf.layers.dense(tf.placeholder(tf.float32, [null, 3]), 2, { units: 2 } as never)).toThrow(/dense: unknown option 'units'/);
  });
});

describe('tf.layers.conv2d and pooling (TF.js as the oracle)', () => {
  it('conv2d: kernel [kh, kw, in, filters], strides and same/valid padding, NHWC and channels_first', async () => {
    const x = tf.placeholder(tf.float32, [null, 7, 6, 3]);
    const y = tf.layers.conv2d(x, 4, [3, 2], { strides: 2, padding: 'same', bias_initializer: tf.constant_initializer(0.5) });
    const v = tf.layers.conv2d(x, 2, 3);
    const xc = tf.placeholder(tf.float32, [null, 3, 7, 6]);
    const c = tf.layers.conv2d(xc, 4, [3, 2], { strides: 2, padding: 'SAME', data_format: 'channels_first', name: 'cf' });
    expect(y.shape).toEqual([null, 4, 3, 4]);
    expect(v.shape).toEqual([null, 5, 4, 2]);
    expect(c.shape).toEqual([null, 4, 4, 3]);
    expect(variableNamed('conv2d/kernel').shape).toEqual([3, 2, 3, 4]);
    expect(variableNamed('conv2d_1/kernel').shape).toEqual([3, 3, 3, 2]);
    const sess = await session();
    const xv = data([2, 7, 6, 3]);
    const [yv, vv, k, k1] = (await sess.run([y, v, variableNamed('conv2d/kernel'), variableNamed('conv2d_1/kernel')], { feed_dict: [[x, xv]] })) as NDArray[];
    const xt = tfjs.tensor4d(Array.from(xv.data), [2, 7, 6, 3]);
    const theirs = tfjs.add(tfjs.conv2d(xt, tfjs.tensor4d(Array.from(k.data), [3, 2, 3, 4]), 2, 'same'), 0.5);
    expectClose(yv.data, theirs.dataSync());
    expectClose(vv.data, tfjs.conv2d(xt, tfjs.tensor4d(Array.from(k1.data), [3, 3, 3, 2]), 1, 'valid').dataSync());
    // channels_first with the same kernel gives the NHWC result transposed.
    await sess.run(tf.assign(variableNamed('cf/kernel'), k));
    const xcv = tfjs.transpose(xt, [0, 3, 1, 2]);
    const cv = (await sess.run(c, { feed_dict: [[xc, new NDArray(new Float32Array(xcv.dataSync()), [2, 3, 7, 6])]] })) as NDArray;
    expectClose(cv.data, tfjs.transpose(tfjs.conv2d(xt, tfjs.tensor4d(Array.from(k.data), [3, 2, 3, 4]), 2, 'same'), [0, 3, 1, 2]).dataSync());
  });

  it('max_pooling2d and average_pooling2d (valid by default; same counts only real cells)', async () => {
    const x = tf.placeholder(tf.float32, [null, 5, 5, 2]);
    const mp = tf.layers.max_pooling2d(x, 2, 2);
    const ap = tf.layers.average_pooling2d(x, [3, 3], [2, 2], { padding: 'same' });
    expect(mp.shape).toEqual([null, 2, 2, 2]);
    expect(ap.shape).toEqual([null, 3, 3, 2]);
    expect(mp.op.name).toBe('max_pooling2d/MaxPool');
    const sess = await session();
    const xv = data([2, 5, 5, 2], 9);
    const [mv, av] = (await sess.run([mp, ap], { feed_dict: [[x, xv]] })) as NDArray[];
    const xt = tfjs.tensor4d(Array.from(xv.data), [2, 5, 5, 2]);
    expectClose(mv.data, tfjs.maxPool(xt, 2, 2, 'valid').dataSync());
    expectClose(av.data, tfjs.avgPool(xt, 3, 2, 'same').dataSync());
    expect(() => tf.layers.max_pooling2d(x, 2, 2, { padding: 'full' })).toThrow(/max_pooling2d: padding must be 'valid' or 'same'/);
    expect(() => tf.layers.average_pooling2d(tf.placeholder(tf.float32, [null, 5]), 2, 2)).toThrow(/average_pooling2d: inputs '.*' must (be 4-D|have rank >= 4)/);
  });

  it('flatten keeps the batch dim', async () => {
    const x = tf.placeholder(tf.float32, [null, 2, 3, 4]);
    const f = tf.layers.flatten(x);
    expect(f.shape).toEqual([null, 24]);
    const sess = await session();
    expect(((await sess.run(f, { feed_dict: [[x, data([5, 2, 3, 4])]] })) as NDArray).shape).toEqual([5, 24]);
  });
});

describe('tf.layers.dropout', () => {
  it('is the identity unless training; training drops about `rate` and scales the rest by 1/(1 − rate)', async () => {
    const x = tf.ones([4000]);
    expect(tf.layers.dropout(x)).toBe(x);
    const on = tf.layers.dropout(x, 0.25, { training: true, seed: 3 });
    const sess = await session();
    const v = Array.from(((await sess.run(on)) as NDArray).data);
    expect(v.every((e) => e === 0 || Math.abs(e - 4 / 3) < 1e-6)).toBe(true);
    const dropped = v.filter((e) => e === 0).length / v.length;
    expect(dropped).toBeGreaterThan(0.22);
    expect(dropped).toBeLessThan(0.28);
  });

  it('follows a bool Tensor flag per run', async () => {
    const training = tf.placeholder(tf.bool, []);
    const x = tf.ones([1000]);
    const y = tf.layers.dropout(x, { rate: 0.5, training });
    const sess = await session();
    const off = Array.from(((await sess.run(y, { feed_dict: [[training, false]] })) as NDArray).data);
    const onRun = Array.from(((await sess.run(y, { feed_dict: [[training, true]] })) as NDArray).data);
    expect(off.every((e) => e === 1)).toBe(true);
    expect(onRun.every((e) => e === 0 || e === 2)).toBe(true);
    expect(onRun.filter((e) => e === 0).length).toBeGreaterThan(400);
    expect(() => tf.layers.dropout(x, { training: 1 } as never)).toThrow(/dropout: training must be a boolean or a bool scalar Tensor/);
    expect(() => tf.layers.dropout(x, 1)).toThrow(/dropout: rate must be in \[0, 1\)/);
  });
});

describe('tf.layers.batch_normalization', () => {
  /** Per-column batch statistics of a [n, c] array, float64. */
  function columnStats(v: NDArray): { mean: number[]; variance: number[] } {
    const [n, c] = v.shape;
    const mean = new Array<number>(c).fill(0);
    const variance = new Array<number>(c).fill(0);
    for (let r = 0; r < n; r++) for (let j = 0; j < c; j++) mean[j] += v.data[r * c + j] / n;
    for (let r = 0; r < n; r++) for (let j = 0; j < c; j++) variance[j] += (v.data[r * c + j] - mean[j]) ** 2 / n;
    return { mean, variance };
  }

  it('training: normalizes with the batch statistics and the update ops move the averages by (1 − momentum)', async () => {
    const x = tf.placeholder(tf.float32, [null, 3]);
    const y = tf.layers.batch_normalization(x, {
      training: true, beta_initializer: tf.constant_initializer([0.1, 0.2, 0.3]), gamma_initializer: tf.constant_initializer([2, 1, 0.5]),
    });
    expect(tf.trainable_variables().map((v) => v.op.name)).toEqual(['batch_normalization/beta', 'batch_normalization/gamma']);
    expect(tf.global_variables().map((v) => v.op.name)).toContain('batch_normalization/moving_variance');
    const updates = tf.get_collection(tf.GraphKeys.UPDATE_OPS);
    expect(updates).toHaveLength(2);
    const xv = data([6, 3], 4);
    const sess = await session();
    const yv = (await sess.run(y, { feed_dict: [[x, xv]] })) as NDArray;
    const { mean, variance } = columnStats(xv);
    const expected = Array.from(xv.data, (v, i) => ((v - mean[i % 3]) / Math.sqrt(variance[i % 3] + 1e-3)) * [2, 1, 0.5][i % 3] + [0.1, 0.2, 0.3][i % 3]);
    expectClose(yv.data, expected, 2e-5);
    // Running the output alone leaves the averages; the update ops move them.
    const mm = variableNamed('batch_normalization/moving_mean');
    const mvar = variableNamed('batch_normalization/moving_variance');
    expect(Array.from(((await sess.run(mm)) as NDArray).data)).toEqual([0, 0, 0]);
    await sess.run(updates, { feed_dict: [[x, xv]] });
    const [m1, v1] = (await sess.run([mm, mvar])) as NDArray[];
    expectClose(m1.data, mean.map((m) => 0.01 * m));
    expectClose(v1.data, variance.map((v) => 0.99 + 0.01 * v));
  });

  it('inference (training false, the default) uses the moving statistics and adds no update ops', async () => {
    const x = tf.placeholder(tf.float32, [null, 2]);
    const y = tf.layers.batch_normalization(x, { moving_mean_initializer: tf.constant_initializer([1, -1]), moving_variance_initializer: tf.constant_initializer(4), epsilon: 0 });
    expect(tf.get_collection(tf.GraphKeys.UPDATE_OPS)).toHaveLength(0);
    const sess = await session();
    const yv = (await sess.run(y, { feed_dict: [[x, new NDArray(new Float32Array([3, 3, 5, -5]), [2, 2])]] })) as NDArray;
    expectClose(yv.data, [1, 2, 2, -2]);
  });

  it('a bool Tensor flag picks batch or moving statistics per run; runs fed false leave the averages unchanged', async () => {
    const x = tf.placeholder(tf.float32, [null, 2]);
    const training = tf.placeholder(tf.bool, []);
    const y = tf.layers.batch_normalization(x, { training, momentum: 0.5, epsilon: 0 });
    const updates = tf.get_collection(tf.GraphKeys.UPDATE_OPS);
    const mm = variableNamed('batch_normalization/moving_mean');
    const sess = await session();
    const xv = new NDArray(new Float32Array([1, 2, 3, 6]), [2, 2]);
    const inference = (await sess.run([y, ...updates], { feed_dict: [[x, xv], [training, false]] })) as NDArray[];
    expectClose(inference[0].data, [1, 2, 3, 6]); // moving mean 0, variance 1
    expect(Array.from(((await sess.run(mm)) as NDArray).data)).toEqual([0, 0]);
    const trainRun = (await sess.run([y, ...updates], { feed_dict: [[x, xv], [training, true]] })) as NDArray[];
    expectClose(trainRun[0].data, [-1, -1, 1, 1]);
    expectClose(((await sess.run(mm)) as NDArray).data, [1, 2]); // 0.5·0 + 0.5·[2, 4]
  });

  it('axis 1 of an NCHW input: statistics over batch, height and width per channel', async () => {
    const x = tf.placeholder(tf.float32, [null, 2, 3, 3]);
    const y = tf.layers.batch_normalization(x, { axis: 1, training: true, epsilon: 0 });
    expect(variableNamed('batch_normalization/gamma').shape).toEqual([2]);
    const sess = await session();
    const xv = data([4, 2, 3, 3], 5);
    const yv = (await sess.run(y, { feed_dict: [[x, xv]] })) as NDArray;
    for (let ch = 0; ch < 2; ch++) {
      const vals: number[] = [];
      for (let n = 0; n < 4; n++) for (let i = 0; i < 9; i++) vals.push(yv.data[n * 18 + ch * 9 + i]);
      const mean = vals.reduce((a, b) => a + b, 0) / vals.length;
      const variance = vals.reduce((a, b) => a + (b - mean) ** 2, 0) / vals.length;
      expect(Math.abs(mean)).toBeLessThan(1e-5);
      expect(Math.abs(variance - 1)).toBeLessThan(1e-4);
    }
  });

  it('control_dependencies(UPDATE_OPS) around minimize: one train op updates the weights and the averages (Adam slots initialise)', async () => {
    const x = tf.placeholder(tf.float32, [null, 3]);
    const h = tf.layers.batch_normalization(tf.layers.dense(x, 4), { training: true });
    const loss = tf.reduce_mean(tf.square(h));
    const trainOp = tf.control_dependencies(tf.get_collection(tf.GraphKeys.UPDATE_OPS), () => tf.train.AdamOptimizer(0.01).minimize(loss));
    const sess = await session(); // the slots' initializers must not need x
    const mm = variableNamed('batch_normalization/moving_mean');
    await sess.run(trainOp, { feed_dict: [[x, data([8, 3])]] });
    expect(Array.from(((await sess.run(mm)) as NDArray).data).some((v) => v !== 0)).toBe(true);
  });

  it("4-D inputs take TF-1's fused path: the moving variance follows the sample variance (n/(n − 1)); fused: false the population one", async () => {
    const x = tf.placeholder(tf.float32, [null, 3, 3, 2]);
    tf.layers.batch_normalization(x, { training: true, momentum: 0, name: 'fusedbn' });
    tf.layers.batch_normalization(x, { training: true, momentum: 0, fused: false, name: 'plainbn' });
    const sess = await session();
    const xv = data([4, 3, 3, 2], 8);
    await sess.run(tf.get_collection(tf.GraphKeys.UPDATE_OPS), { feed_dict: [[x, xv]] });
    const [fusedVar, plainVar] = (await sess.run([variableNamed('fusedbn/moving_variance'), variableNamed('plainbn/moving_variance')])) as NDArray[];
    const { variance } = columnStats(new NDArray(xv.data, [36, 2], 'float32'));
    expectClose(plainVar.data, variance);
    expectClose(fusedVar.data, variance.map((v) => (v * 36) / 35));
  });

  it('refuses bad settings naming batch_normalization', () => {
    const x = tf.placeholder(tf.float32, [null, 3]);
    expect(() => tf.layers.batch_normalization(x, { axis: 2 })).toThrow(/batch_normalization: axis must be an integer in \[-2, 2\)/);
    expect(() => tf.layers.batch_normalization(x, { momentum: 2 })).toThrow(/batch_normalization: momentum must be in \[0, 1\]/);
    expect(() => tf.layers.batch_normalization(tf.placeholder(tf.float32, [null, null]))).toThrow(/batch_normalization: dim 1 of inputs/);
  });
});
