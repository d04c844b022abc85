/**
 * The extra TF-1 ops built from core ops (api/tf-nn-activations.ts, tf-math-extra.ts, losses.ts):
 * values against float64 closed forms, gradient checks (central differences), the exact gradients at
 * the kinks, numerical stability far out (softplus, sigmoid cross-entropy, logsumexp), and argument errors.
 */
import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import * as tf from '../index';
import { gradCheck } from './nn-test-support';
import { inGraph, makeRng, ndarray, propertyRunner, randomFloats, runCpu, seedArb, shapeArb, type Tensor } from './test-support';

const gradients = propertyRunner(8);
const size = (shape: readonly number[]) => shape.reduce((a, b) => a * b, 1);

function input(shape: number[], seed: number, scale = 1): [Tensor, tf.NDArray] {
  return [tf.placeholder('float32', shape), ndarray(Float32Array.from(randomFloats(makeRng(seed), size(shape)), (v) => v * scale), shape)];
}

/** |got - want| <= rtol·|want| + atol for every element (NaN never matches). */
function expectNear(got: ArrayLike<number>, want: ArrayLike<number>, rtol: number, atol: number, what: string): void {
  expect(got.length, `${what}: length`).toBe(want.length);
  for (let i = 0; i < want.length; i++) {
    const [g, w] = [got[i], want[i]];
    if (g === w) continue;
    if (!(Math.abs(g - w) <= rtol * Math.abs(w) + atol)) throw new Error(`${what}: [${i}] got ${g}, want ${w}`);
  }
}

const sigmoid = (v: number) => 1 / (1 + Math.exp(-v));
const softplus = (v: number) => Math.max(v, 0) + Math.log1p(Math.exp(-Math.abs(v)));
const ALPHA = 1.6732632423543772;
const SCALE = 1.0507009873554805;

type Activation = [string, (x: Tensor) => Tensor, (v: number) => number];
const ACTIVATIONS: Activation[] = [
  ['relu6', (x) => tf.nn.relu6(x), (v) => Math.min(Math.max(v, 0), 6)],
  ['elu', (x) => tf.nn.elu(x), (v) => (v > 0 ? v : Math.expm1(v))],
  ['selu', (x) => tf.nn.selu(x), (v) => SCALE * (v > 0 ? v : ALPHA * Math.expm1(v))],
  ['leaky_relu', (x) => tf.nn.leaky_relu(x), (v) => (v > 0 ? v : 0.2 * v)],
  ['leaky_relu alpha 3', (x) => tf.nn.leaky_relu(x, { alpha: 3 }), (v) => (v > 0 ? v : 3 * v)],
  ['softplus', (x) => tf.nn.softplus(x), softplus],
  ['softsign', (x) => tf.nn.softsign(x), (v) => v / (1 + Math.abs(v))],
];

describe('activations', () => {
  it('match their float64 definitions on random values in [-8, 8]', () => {
    inGraph((graph) => {
      const [x, xv] = input([64], 5, 2);
      const got = runCpu(graph, ACTIVATIONS.map(([, f]) => f(x)), [[x, xv]]);
      ACTIVATIONS.forEach(([name, , ref], i) => expectNear(got[i].data, Array.from(xv.data, ref), 2e-6, 1e-7, name));
    });
  });

  it('have gradients that agree with central differences', () => {
    gradients(shapeArb({ minRank: 1, maxRank: 3, maxDim: 3 }), fc.integer({ min: 0, max: ACTIVATIONS.length - 1 }), seedArb, (shape, which, seed) => {
      inGraph(() => {
        const [x, xv] = input(shape, seed, 2);
        gradCheck([[x, xv]], ACTIVATIONS[which][1](x), { seed });
      });
    });
  });

  it("take TF-1's derivative at the kinks: softplus'(0) = 1/2, elu'(0) = 1, leaky_relu'(0) = alpha, relu6'(0) = 0", () => {
    inGraph((graph) => {
      const x = tf.placeholder('float32', [1]);
      const fs = [tf.nn.softplus(x), tf.nn.elu(x), tf.nn.selu(x), tf.nn.leaky_relu(x, 0.1), tf.nn.relu6(x), tf.nn.softsign(x)];
      const grads = fs.map((f) => tf.gradients(tf.reduce_sum(f), x)[0] as Tensor);
      const got = runCpu(graph, grads, [[x, ndarray(Float32Array.of(0), [1])]]).map((v) => v.data[0]);
      expectNear(got, [0.5, 1, SCALE, 0.1, 0, 1], 1e-6, 0, 'derivatives at 0');
    });
  });

  it("takes TF-1's relu6'(6) = 0 at the upper kink", () => {
    inGraph((graph) => {
      const x = tf.placeholder('float32', [3]);
      const g = tf.gradients(tf.reduce_sum(tf.nn.relu6(x)), x)[0] as Tensor;
      const [got] = runCpu(graph, [g], [[x, ndarray(Float32Array.of(5.5, 6, 6.5), [3])]]);
      expectNear(got.data, [1, 0, 0], 0, 0, "relu6' around 6");
    });
  });

  it('softplus is stable: no overflow far above 0, and exp(x) accuracy far below it', () => {
    inGraph((graph) => {
      const xs = [-1e4, -100, -30, -20, -1e-3, 1e-3, 20, 30, 88, 100, 1e4];
      const x = tf.constant(xs);
      const [v, g] = runCpu(graph, [tf.nn.softplus(x), tf.gradients(tf.reduce_sum(tf.nn.softplus(x)), x)[0] as Tensor]);
      expectNear(v.data, xs.map((s) => Math.fround(softplus(s))), 1e-6, 1e-44, 'softplus far out');
      expectNear(g.data, xs.map(sigmoid), 1e-6, 1e-44, "softplus' far out");
    });
  });

  it('refuses non-float input and a bad alpha, naming the op', () => {
    inGraph(() => {
      expect(() => tf.nn.elu(tf.placeholder('int32', [2]))).toThrow(/elu: expects float32, got 'Placeholder:0' \[2\] int32/);
      expect(() => tf.nn.leaky_relu(tf.placeholder('float32', [2]), { alpha: Number.NaN })).toThrow(/leaky_relu: alpha must be a finite number/);
      expect(() => tf.nn.relu6(tf.placeholder('float32', [2]), { nme: 'x' } as object)).toThrow(/relu6: unknown option 'nme'/);
    });
  });
});

describe('sigmoid_cross_entropy_with_logits', () => {
  it('is max(x,0) - x·z + log1p(exp(-|x|)), finite for huge logits, with gradient sigmoid(x) - z', () => {
    inGraph((graph) => {
      const xs = [-1e4, -50, -2, 0, 0.5, 3, 50, 1e4];
      const zs = [0, 1, 0.3, 1, 0, 0.7, 0, 1];
      const x = tf.placeholder('float32', [8]);
      const z = tf.constant(zs);
      const loss = tf.nn.sigmoid_cross_entropy_with_logits({ labels: z, logits: x });
      const [dx, dz] = tf.gradients(tf.reduce_sum(loss), [x, z]) as Tensor[];
      const [v, g, gz] = runCpu(graph, [loss, dx, dz], [[x, ndarray(Float32Array.from(xs), [8])]]);
      expectNear(v.data, xs.map((s, i) => Math.max(s, 0) - s * zs[i] + Math.log1p(Math.exp(-Math.abs(s)))), 1e-6, 1e-7, 'loss');
      expectNear(g.data, xs.map((s, i) => sigmoid(s) - zs[i]), 1e-6, 1e-7, 'd/dlogits');
      expectNear(gz.data, xs.map((s) => -s), 1e-6, 0, 'd/dlabels');
    });
  });

  it('gradient checks on random logits and labels; positional form; shape errors', () => {
    gradients(shapeArb({ minRank: 1, maxRank: 2, maxDim: 4 }), seedArb, (shape, seed) => {
      inGraph(() => {
        const [x, xv] = input(shape, seed, 3);
        const [z, zv] = [tf.placeholder('float32', shape), ndarray(Float32Array.from({ length: size(shape) }, (_, i) => (i * 0.37) % 1), shape)];
        gradCheck([[x, xv], [z, zv]], tf.nn.sigmoid_cross_entropy_with_logits(z, x), { seed });
      });
    });
    inGraph(() => {
      expect(() => tf.nn.sigmoid_cross_entropy_with_logits({ labels: tf.placeholder('float32', [2]), logits: tf.placeholder('float32', [3]) }))
        .toThrow(/sigmoid_cross_entropy_with_logits: logits 'Placeholder_1:0' \[3\] float32 and labels 'Placeholder:0' \[2\] float32 must have the same shape/);
    });
  });
});

describe('reduce_logsumexp', () => {
  it('matches log Σ exp in float64 on random rows, any axes, keepdims; gradient is softmax', () => {
    gradients(shapeArb({ minRank: 1, maxRank: 3, maxDim: 4 }), seedArb, (shape, seed) => {
      const axis = seed % shape.length;
      inGraph((graph) => {
        const [x, xv] = input(shape, seed, 3);
        const y = tf.reduce_logsumexp(x, axis, { keepdims: seed % 2 === 0 });
        const [v] = runCpu(graph, [y], [[x, xv]]);
        const outer = size(shape.slice(0, axis));
        const n = shape[axis];
        const inner = size(shape.slice(axis + 1));
        const want: number[] = [];
        for (let o = 0; o < outer; o++) {
          for (let i = 0; i < inner; i++) {
            let sum = 0;
            for (let k = 0; k < n; k++) sum += Math.exp(xv.data[(o * n + k) * inner + i]);
            want.push(Math.log(sum));
          }
        }
        expectNear(v.data, want, 2e-6, 1e-6, 'logsumexp');
        expect(v.shape).toEqual(seed % 2 === 0 ? shape.map((d, i) => (i === axis ? 1 : d)) : shape.filter((_, i) => i !== axis));
        gradCheck([[x, xv]], y, { seed });
      });
    });
  });

  it('is stable: huge values, all -inf rows give -inf, a +inf gives +inf, never NaN', () => {
    inGraph((graph) => {
      const x = tf.constant([[1000, 1000, -1000], [-Infinity, -Infinity, -Infinity], [Infinity, 1, 2], [-1e4, -1e4 + 1, -1e4]]);
      const [v, g] = runCpu(graph, [tf.reduce_logsumexp(x, 1), tf.gradients(tf.reduce_sum(tf.reduce_logsumexp(tf.slice(x, [0, 0], [1, 3]), 1)), x)[0] as Tensor]);
      expectNear(v.data, [1000 + Math.LN2, -Infinity, Infinity, -1e4 + 1 + Math.log(1 + 2 * Math.exp(-1))], 1e-6, 0, 'logsumexp rows');
      expectNear(g.data.slice(0, 3), [0.5, 0.5, 0], 1e-6, 1e-30, 'gradient at huge values');
    });
  });
});

describe('clip_by_value', () => {
  it('clips to [min, max]; the gradient passes where min <= t <= max (bounds included) and reaches tensor bounds where they clip', () => {
    inGraph((graph) => {
      const t = tf.placeholder('float32', [6]);
      const lo = tf.placeholder('float32', []);
      const y = tf.clip_by_value(t, lo, 2);
      const [dt, dlo] = tf.gradients(tf.reduce_sum(y), [t, lo]) as Tensor[];
      const [v, g, gl] = runCpu(graph, [y, dt, dlo], [[t, ndarray(Float32Array.of(-3, -1, 0, 2, 5, 1.5), [6])], [lo, ndarray(Float32Array.of(-1), [])]]);
      expect(Array.from(v.data)).toEqual([-1, -1, 0, 2, 2, 1.5]);
      expect(Array.from(g.data)).toEqual([0, 1, 1, 1, 0, 1]);
      expect(Array.from(gl.data)).toEqual([1]);
      expect(() => tf.clip_by_value(t, tf.placeholder('float32', [3, 6]), 1)).toThrow(/clip_by_value: the bounds would broadcast/);
    });
  });
});

describe('moments and batch_normalization', () => {
  it('moments gives mean and population variance over axes (keep_dims too); gradient checks', () => {
    gradients(shapeArb({ minRank: 2, maxRank: 3, maxDim: 4 }), seedArb, (shape, seed) => {
      inGraph((graph) => {
        const [x, xv] = input(shape, seed, 2);
        const [mean, variance] = tf.nn.moments(x, [0]);
        const [km] = tf.nn.moments(x, [0, 1], { keep_dims: true });
        expect(km.shape).toEqual([1, 1, ...shape.slice(2)]);
        const [mv, vv] = runCpu(graph, [mean, variance], [[x, xv]]);
        const n = shape[0];
        const rest = size(shape.slice(1));
        const wantMean = Array.from({ length: rest }, (_, j) => Array.from({ length: n }, (_, i) => xv.data[i * rest + j]).reduce((a, b) => a + b, 0) / n);
        const wantVar = wantMean.map((mu, j) => Array.from({ length: n }, (_, i) => (xv.data[i * rest + j] - mu) ** 2).reduce((a, b) => a + b, 0) / n);
        expectNear(mv.data, wantMean, 1e-5, 1e-6, 'mean');
        expectNear(vv.data, wantVar, 1e-5, 1e-6, 'variance');
        gradCheck([[x, xv]], variance, { seed });
        gradCheck([[x, xv]], mean, { seed });
      });
    });
  });

  it('batch_normalization is (x - mean)·scale/sqrt(var + eps) + offset; gradients w.r.t. every input check', () => {
    inGraph((graph) => {
      const [x, xv] = input([4, 3], 1, 2);
      const [mu, muv] = input([3], 2);
      const [v, vv] = [tf.placeholder('float32', [3]), ndarray(Float32Array.of(0.5, 1.5, 2), [3])];
      const [off, offv] = input([3], 3);
      const [sc, scv] = input([3], 4);
      const y = tf.nn.batch_normalization(x, mu, v, off, sc, 1e-3);
      const feeds: [Tensor, tf.NDArray][] = [[x, xv], [mu, muv], [v, vv], [off, offv], [sc, scv]];
      const [yv] = runCpu(graph, [y], feeds);
      const want = Array.from(xv.data, (xi, k) => {
        const c = k % 3;
        return ((xi - muv.data[c]) * scv.data[c]) / Math.sqrt(vv.data[c] + 1e-3) + offv.data[c];
      });
      expectNear(yv.data, want, 1e-5, 1e-6, 'batch_normalization');
      gradCheck(feeds, y, { seed: 9 });
      const [plain] = runCpu(graph, [tf.nn.batch_normalization(x, mu, v, null, null, 0)], feeds);
      expectNear(plain.data, Array.from(xv.data, (xi, k) => (xi - muv.data[k % 3]) / Math.sqrt(vv.data[k % 3])), 1e-5, 1e-6, 'no offset, no scale');
    });
  });
});

describe('tf.losses', () => {
  const labels = [[1, 0, 0], [0, 0, 1]];
  const logits = [[2, 1, -1], [0.5, 0.5, 3]];
  const ce = (z: number[], y: number[]) => {
    const lse = Math.log(z.reduce((a, v) => a + Math.exp(v), 0));
    return -y.reduce((a, yi, i) => a + yi * (z[i] - lse), 0);
  };

  it('mean_squared_error: default reduction divides by the non-zero weights; NONE, SUM, MEAN, SUM_OVER_BATCH_SIZE', () => {
    inGraph((graph) => {
      const p = tf.constant([[1, 2], [3, 5]]);
      const y = tf.constant([[1, 0], [1, 1]]);
      const w = tf.constant([[1], [0]]);
      const R = tf.losses.Reduction;
      const fetches = [
        tf.losses.mean_squared_error(y, p),
        tf.losses.mean_squared_error(y, p, w),
        tf.losses.mean_squared_error({ labels: y, predictions: p, weights: 2, reduction: R.NONE }),
        tf.losses.mean_squared_error(y, p, { reduction: R.SUM }),
        tf.losses.mean_squared_error(y, p, tf.constant([[0.5, 1.5]]), { reduction: R.MEAN }),
        tf.losses.mean_squared_error(y, p, w, { reduction: R.SUM_OVER_BATCH_SIZE }),
        tf.losses.mean_squared_error(y, p, 0),
      ];
      const got = runCpu(graph, fetches).map((v) => Array.from(v.data));
      expect(got).toEqual([[6], [2], [0, 8, 8, 32], [24], [(0.5 * 0 + 1.5 * 4 + 0.5 * 4 + 1.5 * 16) / 4], [1], [0]]);
    });
  });

  it('softmax_cross_entropy (label smoothing), sparse_softmax_cross_entropy and sigmoid_cross_entropy against float64', () => {
    inGraph((graph) => {
      const z = tf.placeholder('float32', [2, 3]);
      const fetches = [
        tf.losses.softmax_cross_entropy(labels, z),
        tf.losses.softmax_cross_entropy({ onehot_labels: labels, logits: z, label_smoothing: 0.3 }),
        tf.losses.sparse_softmax_cross_entropy([0, 2], z, [1, 3]),
        tf.losses.sigmoid_cross_entropy(labels, z, { label_smoothing: 0.2 }),
      ];
      const got = runCpu(graph, fetches, [[z, ndarray(Float32Array.from(logits.flat()), [2, 3])]]).map((v) => v.data[0]);
      const smooth = labels.map((r) => r.map((v) => v * 0.7 + 0.1));
      const sig = (x: number, t: number) => Math.max(x, 0) - x * t + Math.log1p(Math.exp(-Math.abs(x)));
      const sigLabels = labels.flat().map((v) => v * 0.8 + 0.1);
      expectNear(got, [
        (ce(logits[0], labels[0]) + ce(logits[1], labels[1])) / 2,
        (ce(logits[0], smooth[0]) + ce(logits[1], smooth[1])) / 2,
        (ce(logits[0], labels[0]) + 3 * ce(logits[1], labels[1])) / 2,
        logits.flat().reduce((a, x, i) => a + sig(x, sigLabels[i]), 0) / 6,
      ], 1e-6, 1e-7, 'losses');
      const [g] = tf.gradients(fetches[0], z) as Tensor[];
      expect(tf.gradients(fetches[0], z)[0]).not.toBeNull();
      const [gv] = runCpu(graph, [g], [[z, ndarray(Float32Array.from(logits.flat()), [2, 3])]]);
      const soft = logits.map((r) => { const s = r.reduce((a, v) => a + Math.exp(v), 0); return r.map((v) => Math.exp(v) / s); });
      expectNear(gv.data, soft.flat().map((v, i) => (v - labels.flat()[i]) / 2), 1e-6, 1e-7, 'd loss / d logits');
    });
  });

  it('refuses bad reductions, weights that do not broadcast, smoothing out of range, and unknown keys', () => {
    inGraph(() => {
      const p = tf.placeholder('float32', [2, 2]);
      expect(() => tf.losses.mean_squared_error(p, p, { reduction: 'mean' as 'none' })).toThrow(/mean_squared_error: reduction must be one of tf.losses.Reduction/);
      expect(() => tf.losses.mean_squared_error(p, p, tf.placeholder('float32', [3]))).toThrow(/mean_squared_error: weights .*\[3\].* must broadcast to the losses/);
      expect(() => tf.losses.softmax_cross_entropy(p, p, { label_smoothing: 2 })).toThrow(/softmax_cross_entropy: label_smoothing must be in \[0, 1\]/);
      expect(() => tf.losses.mean_squared_error(p, tf.placeholder('float32', [2, 3]))).toThrow(/mean_squared_error: predictions .* and labels .* must have the same shape/);
      expect(() => tf.losses.sigmoid_cross_entropy({ labels: p, logits: p } as never)).toThrow(/sigmoid_cross_entropy: both multi_class_labels and logits are required/);
    });
  });
});

describe('assign_add and assign_sub', () => {
  it('update the variable and return the new value', async () => {
    await inGraph(async (graph) => {
      const v = tf.Variable(tf.constant([1, 2]));
      const inc = tf.assign_add(v, [10, 20]);
      const dec = tf.assign_sub(v, tf.constant([1, 1]), { name: 'down' });
      const sess = tf.Session({ backend: 'cpu', graph });
      try {
        await sess.run(tf.global_variables_initializer());
        expect(Array.from((await sess.run(inc)).data)).toEqual([11, 22]);
        expect(Array.from((await sess.run(dec)).data)).toEqual([10, 21]);
        expect(Array.from((await sess.run(v)).data)).toEqual([10, 21]);
      } finally {
        sess.close();
      }
      expect(() => tf.assign_add(tf.constant([1]), [1])).toThrow(/assign_add: the first argument must be a Variable/);
    });
  });
});
