/**
 * TF.js (cpu backend) as an independent oracle for the extra TF-1 ops it has with the same semantics:
 * forward values and the gradients of Σ y·R (R random) w.r.t. every float input, on seeded random
 * data, within float32 tolerances. softsign (TF.js has none) and shape/size/rank (trivial) are left
 * to the float64 tests.
 */
import * as tfjs from '@tensorflow/tfjs';
import { beforeAll, describe, expect, it } from 'vitest';
import * as tf from '../index';
import { inGraph, makeRng, ndarray, randomFloats, runCpu, type Tensor } from './test-support';

beforeAll(async () => {
  await tfjs.setBackend('cpu');
});

interface Input {
  shape: number[];
  /** Values: random floats scaled, or given. */
  scale?: number;
  values?: number[];
  dtype?: 'float32' | 'int32' | 'bool';
  /** Excluded from the gradient comparison (indices, conditions, labels treated as data). */
  constant?: boolean;
}

interface Case {
  name: string;
  inputs: Input[];
  ours: (xs: Tensor[]) => Tensor;
  theirs: (xs: tfjs.Tensor[]) => tfjs.Tensor;
  /** Why TF.js's gradient is not a valid oracle here (checked against central differences elsewhere). */
  theirGradientWrong?: string;
}

const size = (shape: readonly number[]) => shape.reduce((a, b) => a * b, 1);

const MIRROR_PAD_GRADIENT = "TF.js's MirrorPad gradient only slices dy and drops the mirrored copies' share (shown below); " +
  'ours is checked against central differences in array-extra-nn.test.ts';

const CASES: Case[] = [
  { name: 'clip_by_value', inputs: [{ shape: [3, 4], scale: 2 }], ours: ([x]) => tf.clip_by_value(x, -1.5, 2), theirs: ([x]) => tfjs.clipByValue(x, -1.5, 2) },
  {
    name: 'where', inputs: [{ shape: [3, 4], dtype: 'bool', constant: true }, { shape: [3, 4] }, { shape: [3, 4] }],
    ours: ([c, a, b]) => tf.where(c, a, b), theirs: ([c, a, b]) => tfjs.where(c, a, b),
  },
  { name: 'stack axis 1', inputs: [{ shape: [2, 3] }, { shape: [2, 3] }, { shape: [2, 3] }], ours: (xs) => tf.stack(xs, 1), theirs: (xs) => tfjs.stack(xs, 1) },
  { name: 'unstack axis 1 (second slice)', inputs: [{ shape: [2, 3, 2] }], ours: ([x]) => tf.unstack(x, { axis: 1 })[1], theirs: ([x]) => tfjs.unstack(x, 1)[1] },
  { name: 'split sizes', inputs: [{ shape: [4, 6] }], ours: ([x]) => tf.split(x, [1, 3, 2], 1)[1], theirs: ([x]) => tfjs.split(x, [1, 3, 2], 1)[1] },
  {
    name: 'gather axis 1', inputs: [{ shape: [3, 5, 2] }, { shape: [4], values: [4, 0, 4, 2], dtype: 'int32', constant: true }],
    ours: ([p, i]) => tf.gather(p, i, { axis: 1 }), theirs: ([p, i]) => tfjs.gather(p, i, 1),
  },
  {
    name: 'embedding_lookup', inputs: [{ shape: [6, 3] }, { shape: [2, 2], values: [5, 1, 1, 0], dtype: 'int32', constant: true }],
    ours: ([p, i]) => tf.nn.embedding_lookup(p, i), theirs: ([p, i]) => tfjs.gather(p, i, 0),
  },
  { name: 'tile', inputs: [{ shape: [2, 3] }], ours: ([x]) => tf.tile(x, [3, 2]), theirs: ([x]) => tfjs.tile(x, [3, 2]) },
  { name: 'pad constant', inputs: [{ shape: [2, 3] }], ours: ([x]) => tf.pad(x, [[1, 2], [0, 3]], { constant_values: 0.5 }), theirs: ([x]) => tfjs.pad(x, [[1, 2], [0, 3]], 0.5) },
  {
    name: 'pad REFLECT', inputs: [{ shape: [3, 4] }], ours: ([x]) => tf.pad(x, [[2, 1], [3, 2]], 'REFLECT'), theirs: ([x]) => tfjs.mirrorPad(x, [[2, 1], [3, 2]], 'reflect'),
    theirGradientWrong: MIRROR_PAD_GRADIENT,
  },
  {
    name: 'pad SYMMETRIC', inputs: [{ shape: [3, 4] }], ours: ([x]) => tf.pad(x, [[3, 1], [0, 4]], 'SYMMETRIC'), theirs: ([x]) => tfjs.mirrorPad(x, [[3, 1], [0, 4]], 'symmetric'),
    theirGradientWrong: MIRROR_PAD_GRADIENT,
  },
  { name: 'reduce_logsumexp', inputs: [{ shape: [3, 5], scale: 20 }], ours: ([x]) => tf.reduce_logsumexp(x, 1), theirs: ([x]) => tfjs.logSumExp(x, 1) },
  { name: 'reduce_logsumexp keepdims', inputs: [{ shape: [3, 5] }], ours: ([x]) => tf.reduce_logsumexp(x, 0, { keepdims: true }), theirs: ([x]) => tfjs.logSumExp(x, 0, true) },
  { name: 'relu6', inputs: [{ shape: [20], scale: 4 }], ours: ([x]) => tf.nn.relu6(x), theirs: ([x]) => tfjs.relu6(x) },
  { name: 'elu', inputs: [{ shape: [20], scale: 2 }], ours: ([x]) => tf.nn.elu(x), theirs: ([x]) => tfjs.elu(x) },
  { name: 'selu', inputs: [{ shape: [20], scale: 2 }], ours: ([x]) => tf.nn.selu(x), theirs: ([x]) => tfjs.selu(x) },
  { name: 'leaky_relu', inputs: [{ shape: [20], scale: 2 }], ours: ([x]) => tf.nn.leaky_relu(x, 0.3), theirs: ([x]) => tfjs.leakyRelu(x, 0.3) },
  { name: 'softplus', inputs: [{ shape: [20], scale: 10 }], ours: ([x]) => tf.nn.softplus(x), theirs: ([x]) => tfjs.softplus(x) },
  { name: 'moments mean', inputs: [{ shape: [4, 3] }], ours: ([x]) => tf.nn.moments(x, [0])[0], theirs: ([x]) => tfjs.moments(x, 0).mean },
  { name: 'moments variance', inputs: [{ shape: [4, 3] }], ours: ([x]) => tf.nn.moments(x, [0])[1], theirs: ([x]) => tfjs.moments(x, 0).variance },
  {
    name: 'batch_normalization', inputs: [{ shape: [4, 3] }, { shape: [3] }, { shape: [3], values: [0.5, 1, 2] }, { shape: [3] }, { shape: [3] }],
    ours: ([x, m, v, o, s]) => tf.nn.batch_normalization(x, m, v, o, s, 1e-3), theirs: ([x, m, v, o, s]) => tfjs.batchNorm(x, m, v, o, s, 1e-3),
  },
  {
    name: 'losses.mean_squared_error', inputs: [{ shape: [3, 2] }, { shape: [3, 2] }, { shape: [3, 1], values: [1, 0, 2], constant: true }],
    ours: ([y, p, w]) => tf.losses.mean_squared_error(y, p, w), theirs: ([y, p, w]) => tfjs.losses.meanSquaredError(y, p, w),
  },
  {
    name: 'losses.softmax_cross_entropy (smoothing)', inputs: [{ shape: [2, 4], values: [0, 1, 0, 0, 0, 0, 0, 1], constant: true }, { shape: [2, 4], scale: 3 }],
    ours: ([y, z]) => tf.losses.softmax_cross_entropy(y, z, { label_smoothing: 0.2 }), theirs: ([y, z]) => tfjs.losses.softmaxCrossEntropy(y, z, undefined, 0.2),
  },
  {
    name: 'losses.sigmoid_cross_entropy', inputs: [{ shape: [3, 2], values: [1, 0, 0, 1, 1, 1], constant: true }, { shape: [3, 2], scale: 5 }],
    ours: ([y, z]) => tf.losses.sigmoid_cross_entropy(y, z, { label_smoothing: 0.1 }), theirs: ([y, z]) => tfjs.losses.sigmoidCrossEntropy(y, z, undefined, 0.1),
  },
  {
    name: 'nn.sigmoid_cross_entropy_with_logits', inputs: [{ shape: [6], values: [1, 0, 0.5, 1, 0, 0.2], constant: true }, { shape: [6], scale: 30 }],
    // TF.js's unreduced sigmoid cross-entropy is the same elementwise formula.
    ours: ([y, z]) => tf.nn.sigmoid_cross_entropy_with_logits({ labels: y, logits: z }),
    theirs: ([y, z]) => tfjs.losses.sigmoidCrossEntropy(y, z, undefined, 0, tfjs.Reduction.NONE),
  },
];

function valuesOf(input: Input, seed: number): number[] {
  if (input.values !== undefined) return input.values;
  const rng = makeRng(seed);
  if (input.dtype === 'bool') return Array.from({ length: size(input.shape) }, () => (rng() < 0.5 ? 1 : 0));
  return Array.from(randomFloats(rng, size(input.shape)), (v) => v * (input.scale ?? 1));
}

function expectNear(got: ArrayLike<number>, want: ArrayLike<number>, what: string): void {
  expect(got.length, `${what}: length`).toBe(want.length);
  let scale = 0;
  for (let i = 0; i < want.length; i++) scale = Math.max(scale, Math.abs(want[i]));
  for (let i = 0; i < want.length; i++) {
    if (!(Math.abs(got[i] - want[i]) <= 1e-5 * (1 + scale))) throw new Error(`${what}: [${i}] ours ${got[i]}, TF.js ${want[i]}`);
  }
}

describe('extra ops vs TF.js (cpu)', () => {
  for (const c of CASES) {
    it(`${c.name}: forward and gradients`, () => {
      for (const seed of [1, 2, 3]) {
        const data = c.inputs.map((input, i) => valuesOf(input, seed * 31 + i));
        inGraph((graph) => {
          const xs = c.inputs.map((input) => tf.placeholder(input.dtype ?? 'float32', input.shape));
          const y = c.ours(xs);
          const yShape = y.shape as number[];
          const r = Array.from(randomFloats(makeRng(seed + 99), size(yShape)));
          const varying = c.inputs.map((input, i) => [input, i] as const).filter(([input]) => !input.constant && (input.dtype ?? 'float32') === 'float32').map(([, i]) => i);
          const grads = tf.gradients(tf.reduce_sum(tf.multiply(y, tf.constant(ndarray(Float32Array.from(r), yShape)))), varying.map((i) => xs[i])) as Tensor[];
          const feeds = xs.map((x, i): [Tensor, tf.NDArray] => {
            const dtype = c.inputs[i].dtype ?? 'float32';
            const typed = dtype === 'float32' ? Float32Array.from(data[i]) : dtype === 'int32' ? Int32Array.from(data[i]) : Uint8Array.from(data[i]);
            return [x, ndarray(typed, c.inputs[i].shape, dtype)];
          });
          const [ours, ...ourGrads] = runCpu(graph, [y, ...grads], feeds);

          const theirInputs = c.inputs.map((input, i) => tfjs.tensor(data[i], input.shape, input.dtype ?? 'float32'));
          const theirs = tfjs.tidy(() => c.theirs(theirInputs));
          expect(ours.shape, `${c.name}: shape`).toEqual(theirs.shape);
          expectNear(ours.data, theirs.dataSync(), `${c.name} forward (seed ${seed})`);
          const rT = tfjs.tensor(r, theirs.shape);
          const theirGrads = tfjs.grads((...vs: tfjs.Tensor[]) => {
            const all = theirInputs.map((t, i) => (varying.includes(i) ? vs[varying.indexOf(i)] : t));
            return tfjs.sum(tfjs.mul(c.theirs(all), rT));
          })(varying.map((i) => theirInputs[i]));
          if (c.theirGradientWrong === undefined) {
            theirGrads.forEach((g, k) => expectNear(ourGrads[k].data, g.dataSync(), `${c.name} d/dinput${varying[k]} (seed ${seed})`));
          }
          tfjs.dispose([...theirInputs, theirs, rT, ...theirGrads]);
        });
      }
    });
  }

  it("mirror pad's gradient: ours sums every mirrored copy (float64 by hand); TF.js's drops them", () => {
    inGraph((graph) => {
      const x = tf.placeholder('float32', [3]);
      const [g] = tf.gradients(tf.reduce_sum(tf.pad(x, [[1, 1]], 'REFLECT')), x) as Tensor[];
      const [ours] = runCpu(graph, [g], [[x, ndarray(Float32Array.of(1, 2, 3), [3])]]);
      expect(Array.from(ours.data)).toEqual([1, 3, 1]);
      const theirs = tfjs.grad((v: tfjs.Tensor) => tfjs.sum(tfjs.mirrorPad(v as tfjs.Tensor1D, [[1, 1]], 'reflect')))(tfjs.tensor1d([1, 2, 3]));
      expect(Array.from(theirs.dataSync())).toEqual([1, 1, 1]);
    });
  });

  it('range matches TF.js', () => {
    inGraph((graph) => {
      const got = runCpu(graph, [tf.range(2, 11, 3), tf.range(0, 1, 0.125), tf.range(5, -3, -2)]);
      const want = [tfjs.range(2, 11, 3, 'int32'), tfjs.range(0, 1, 0.125), tfjs.range(5, -3, -2, 'int32')];
      got.forEach((g, i) => expect(Array.from(g.data)).toEqual(Array.from(want[i].dataSync())));
    });
  });
});
