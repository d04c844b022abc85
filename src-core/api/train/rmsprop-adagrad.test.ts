/**
 * tf.train.RMSPropOptimizer and AdagradOptimizer against TF-1's update rules (float64 oracles written from
 * TF-1's ApplyRMSProp / ApplyCenteredRMSProp / ApplyAdagrad), with TF.js (cpu) checked against the same
 * oracles where its rules agree; tf.train.exponential_decay with a global step.
 *
 * Where TF.js differs from TF-1: its RMSProp mean square starts at 0 (TF-1: 1), its centered RMSProp
 * takes sqrt(ms − mg² − ε) (TF-1: + ε), and its Adagrad divides by sqrt(accum + 1e-7) (TF-1: no ε).
 */
import * as tfjs from '@tensorflow/tfjs';
import { beforeAll, beforeEach, describe, expect, it } from 'vitest';
import * as tf from '../../index';
import type { NDArray } from '../../ndarray';

beforeAll(async () => {
  await tfjs.setBackend('cpu');
});
beforeEach(() => tf.reset_default_graph());

const W0 = [1, -2, 0.5];
const SCALE = [1, 3, -0.5];

/** Loss ½·Σ scale ⊙ w², so the gradient scale ⊙ w changes every step. */
function quadratic() {
  const w = tf.Variable(tf.constant(W0), { name: 'w' });
  const loss = tf.reduce_sum(tf.multiply(tf.multiply(tf.square(w), tf.constant(SCALE)), 0.5));
  return { w, loss };
}

async function steps(trainOp: tf.Operation, w: tf.Variable, n: number, feed?: [tf.Tensor, number][]): Promise<number[][]> {
  const sess = tf.Session();
  await sess.run(tf.global_variables_initializer());
  const seen: number[][] = [];
  for (let i = 0; i < n; i++) {
    await sess.run(trainOp, feed ? { feed_dict: feed } : undefined);
    seen.push(Array.from(((await sess.run(w)) as NDArray).data));
  }
  sess.close();
  return seen;
}

interface RMSPropRule {
  lr: number; decay: number; momentum: number; eps: number; centered: boolean;
  /** The mean square's start: 1 in TF-1, 0 in TF.js. */
  ms0: number;
  /** +1: ε added under the root (TF-1); −1: subtracted (TF.js centered). */
  epsSign?: number;
}

function rmspropOracle(rule: RMSPropRule, n: number): number[][] {
  const w = [...W0];
  const ms = W0.map(() => rule.ms0);
  const mg = W0.map(() => 0);
  const mom = W0.map(() => 0);
  const out: number[][] = [];
  for (let s = 0; s < n; s++) {
    for (let i = 0; i < w.length; i++) {
      const g = SCALE[i] * w[i];
      ms[i] = rule.decay * ms[i] + (1 - rule.decay) * g * g;
      mg[i] = rule.decay * mg[i] + (1 - rule.decay) * g;
      const denom = (rule.centered ? ms[i] - mg[i] * mg[i] : ms[i]) + (rule.epsSign ?? 1) * rule.eps;
      mom[i] = rule.momentum * mom[i] + (rule.lr * g) / Math.sqrt(denom);
      w[i] -= mom[i];
    }
    out.push([...w]);
  }
  return out;
}

function adagradOracle(lr: number, initial: number, n: number, eps = 0): number[][] {
  const w = [...W0];
  const acc = W0.map(() => initial);
  const out: number[][] = [];
  for (let s = 0; s < n; s++) {
    for (let i = 0; i < w.length; i++) {
      const g = SCALE[i] * w[i];
      acc[i] += g * g;
      w[i] -= (lr * g) / Math.sqrt(acc[i] + eps);
    }
    out.push([...w]);
  }
  return out;
}

/** The same problem through a TF.js optimizer: w after each of n steps. */
function tfjsSteps(optimizer: tfjs.Optimizer, n: number): number[][] {
  const w = tfjs.variable(tfjs.tensor1d(W0));
  const scale = tfjs.tensor1d(SCALE);
  const out: number[][] = [];
  for (let s = 0; s < n; s++) {
    optimizer.minimize(() => tfjs.sum(tfjs.mul(tfjs.mul(tfjs.square(w), scale), 0.5)) as tfjs.Scalar);
    out.push(Array.from(w.dataSync()));
  }
  return out;
}

function expectClose(actual: number[][], expected: number[][], tol: number): void {
  expect(actual.length).toBe(expected.length);
  actual.forEach((row, s) => row.forEach((a, i) => expect(Math.abs(a - expected[s][i]), `step ${s + 1}, element ${i}: ${a} vs ${expected[s][i]}`).toBeLessThan(tol)));
}

describe('tf.train.RMSPropOptimizer', () => {
  const cases: (Omit<RMSPropRule, 'ms0'> & { label: string })[] = [
    { label: 'defaults (decay 0.9, momentum 0, ε 1e-10)', lr: 0.05, decay: 0.9, momentum: 0, eps: 1e-10, centered: false },
    { label: 'momentum 0.9', lr: 0.01, decay: 0.8, momentum: 0.9, eps: 1e-6, centered: false },
    { label: 'centered', lr: 0.01, decay: 0.9, momentum: 0.5, eps: 0.01, centered: true },
  ];
  for (const c of cases) {
    it(`matches TF-1's rule over 5 steps: ${c.label}`, async () => {
      const { w, loss } = quadratic();
      const opt = c.label.startsWith('defaults')
        ? tf.train.RMSPropOptimizer(c.lr)
        : new tf.train.RMSPropOptimizer(c.lr, { decay: c.decay, momentum: c.momentum, epsilon: c.eps, centered: c.centered });
      expect(opt).toBeInstanceOf(tf.train.Optimizer);
      const seen = await steps(opt.minimize(loss), w, 5);
      expectClose(seen, rmspropOracle({ ...c, ms0: 1 }, 5), 2e-6);
    });
  }

  it("names its slots as TF-1 (w/RMSProp = rms starting at 1, w/RMSProp_1 = momentum at 0; mg when centered)", async () => {
    const { w, loss } = quadratic();
    const opt = tf.train.RMSPropOptimizer(0.1, { centered: true });
    opt.minimize(loss);
    expect(opt.get_slot(w, 'rms')?.op.name).toBe('w/RMSProp');
    expect(opt.get_slot(w, 'mg')?.op.name).toBe('w/RMSProp_1');
    expect(opt.get_slot(w, 'momentum')?.op.name).toBe('w/RMSProp_2');
    expect(opt.get_slot_names()).toEqual(['rms', 'mg', 'momentum']);
    const sess = tf.Session();
    await sess.run(tf.global_variables_initializer());
    const [rms, mom] = (await sess.run([opt.get_slot(w, 'rms') as tf.Variable, opt.get_slot(w, 'momentum') as tf.Variable])) as NDArray[];
    expect(Array.from(rms.data)).toEqual([1, 1, 1]);
    expect(Array.from(mom.data)).toEqual([0, 0, 0]);
  });

  it('TF.js follows the same rule (ε under the root) but starts the mean square at 0, and subtracts ε when centered', () => {
    const plain = { lr: 0.01, decay: 0.9, momentum: 0.5, eps: 1e-6, centered: false };
    expectClose(tfjsSteps(tfjs.train.rmsprop(0.01, 0.9, 0.5, 1e-6), 4), rmspropOracle({ ...plain, ms0: 0 }, 4), 2e-5);
    const ours = rmspropOracle({ ...plain, ms0: 1 }, 1)[0];
    const theirs = tfjsSteps(tfjs.train.rmsprop(0.01, 0.9, 0.5, 1e-6), 1)[0];
    expect(Math.abs(ours[0] - theirs[0])).toBeGreaterThan(0.01);
    const centered = { lr: 0.01, decay: 0.9, momentum: 0, eps: 1e-3, centered: true, ms0: 0 };
    const theirsCentered = tfjsSteps(tfjs.train.rmsprop(0.01, 0.9, 0, 1e-3, true), 3);
    expectClose(theirsCentered, rmspropOracle({ ...centered, epsSign: -1 }, 3), 2e-5);
    expect(Math.abs(theirsCentered[0][2] - rmspropOracle(centered, 1)[0][2])).toBeGreaterThan(1e-3);
  });

  it('takes a Tensor learning rate (a placeholder fed per run)', async () => {
    const { w, loss } = quadratic();
    const lr = tf.placeholder(tf.float32, [], 'lr');
    const seen = await steps(tf.train.RMSPropOptimizer(lr).minimize(loss), w, 3, [[lr, 0.05]]);
    expectClose(seen, rmspropOracle({ lr: 0.05, decay: 0.9, momentum: 0, eps: 1e-10, centered: false, ms0: 1 }, 3), 2e-6);
  });

  it('refuses bad settings naming the optimizer', () => {
    expect(() => tf.train.RMSPropOptimizer(0.1, { decay: -1 })).toThrow(/RMSPropOptimizer: decay must be a number >= 0/);
    expect(() => tf.train.RMSPropOptimizer(0.1, { rho: 0.9 } as never)).toThrow(/RMSPropOptimizer: unknown option 'rho'/);
    expect(() => tf.train.RMSPropOptimizer(Number.NaN)).toThrow(/RMSProp: learning_rate must be a number or a Tensor/);
  });
});

describe('tf.train.AdagradOptimizer', () => {
  it("matches TF-1's rule over 5 steps (accumulator from 0.1, no ε) and names its slot w/Adagrad", async () => {
    const { w, loss } = quadratic();
    const opt = tf.train.AdagradOptimizer(0.3);
    const train = opt.minimize(loss);
    expect(opt.get_slot(w, 'accumulator')?.op.name).toBe('w/Adagrad');
    expectClose(await steps(train, w, 5), adagradOracle(0.3, 0.1, 5), 2e-6);
  });

  it('takes initial_accumulator_value and a Tensor learning rate', async () => {
    const { w, loss } = quadratic();
    const lr = tf.placeholder(tf.float32, []);
    const train = tf.train.AdagradOptimizer({ learning_rate: lr, initial_accumulator_value: 2 }).minimize(loss);
    expectClose(await steps(train, w, 3, [[lr, 0.5]]), adagradOracle(0.5, 2, 3), 2e-6);
  });

  it('TF.js agrees within float32 (it adds ε = 1e-7 under the root, TF-1 adds none)', () => {
    expectClose(tfjsSteps(tfjs.train.adagrad(0.3), 5), adagradOracle(0.3, 0.1, 5, 1e-7), 2e-5);
    expectClose(tfjsSteps(tfjs.train.adagrad(0.3), 5), adagradOracle(0.3, 0.1, 5), 1e-4);
  });

  it('refuses a non-positive initial accumulator', () => {
    expect(() => tf.train.AdagradOptimizer(0.1, { initial_accumulator_value: 0 })).toThrow(/AdagradOptimizer: initial_accumulator_value must be positive/);
  });
});

describe('tf.train.exponential_decay with a global step', () => {
  it('decays lr · rate^(step / decay_steps) as minimize increments the step (smooth and staircase)', async () => {
    const { w, loss } = quadratic();
    const step = tf.train.get_or_create_global_step();
    expect(tf.train.get_or_create_global_step()).toBe(step);
    expect(step.op.name).toBe('global_step');
    expect(step.trainable).toBe(false);
    const smooth = tf.train.exponential_decay(0.1, step, 4, 0.5);
    const stairs = tf.train.exponential_decay(0.1, step, 4, 0.5, true);
    const train = tf.train.GradientDescentOptimizer(smooth).minimize(loss, { global_step: step });
    const sess = tf.Session();
    await sess.run(tf.global_variables_initializer());
    for (let s = 0; s <= 6; s++) {
      const [k, a, b] = ((await sess.run([step, smooth, stairs])) as NDArray[]).map((t) => t.data[0]);
      expect(k).toBe(s);
      expect(a).toBeCloseTo(0.1 * 0.5 ** (s / 4), 7);
      expect(b).toBeCloseTo(0.1 * 0.5 ** Math.floor(s / 4), 7);
      await sess.run(train);
    }
    void w;
  });

  it('works with a tf.Variable(0, {trainable: false}) step and an RMSProp optimizer', async () => {
    const { w, loss } = quadratic();
    const step = tf.Variable(0, { trainable: false, name: 'step' });
    const lr = tf.train.exponential_decay(0.05, step, 1, 0.5, { staircase: true });
    const seen = await steps(tf.train.RMSPropOptimizer(lr).minimize(loss, { global_step: step }), w, 3);
    // Step k uses lr 0.05 · 0.5^k: the oracle run one step at a time with that rate.
    const ws = [...W0];
    const ms = W0.map(() => 1);
    const expected: number[][] = [];
    for (let k = 0; k < 3; k++) {
      for (let i = 0; i < ws.length; i++) {
        const g = SCALE[i] * ws[i];
        ms[i] = 0.9 * ms[i] + 0.1 * g * g;
        ws[i] -= (0.05 * 0.5 ** k * g) / Math.sqrt(ms[i] + 1e-10);
      }
      expected.push([...ws]);
    }
    expectClose(seen, expected, 2e-6);
  });

  it('refuses a missing step or bad decay_steps naming exponential_decay', () => {
    expect(() => tf.train.exponential_decay(0.1, undefined as never, 10, 0.9)).toThrow(/exponential_decay: global_step is required/);
    expect(() => tf.train.exponential_decay(0.1, tf.train.get_or_create_global_step(), 0, 0.9)).toThrow(/exponential_decay: decay_steps must be positive/);
    expect(() => tf.train.exponential_decay(0.1, tf.constant([1, 2]), 10, 0.9)).toThrow(/exponential_decay: global_step must be a scalar/);
  });
});
