import { describe, it, expect, beforeEach } from 'vitest';
import * as tf from '../../index';

/** Loss 0.5·Σ w² ⊙ scale, so grad = scale ⊙ w: a gradient that changes every step. */
function quadratic(initial: number[], scale: number[]) {
  const w = tf.Variable(tf.constant(initial), { name: 'w' });
  const loss = tf.reduce_sum(tf.multiply(tf.multiply(tf.square(w), tf.constant(scale)), 0.5));
  return { w, loss };
}

async function stepAndRead(sess: tf.Session, trainOp: tf.Operation, w: tf.Variable, steps: number): Promise<number[][]> {
  const seen: number[][] = [];
  for (let i = 0; i < steps; i++) {
    await sess.run(trainOp);
    seen.push(Array.from((await sess.run(w)).data));
  }
  return seen;
}

function expectClose(actual: number[], expected: number[], tol = 1e-6) {
  expect(actual.length).toBe(expected.length);
  actual.forEach((a, i) => expect(Math.abs(a - expected[i]), `element ${i}: ${a} vs ${expected[i]}`).toBeLessThan(tol));
}

beforeEach(() => tf.reset_default_graph());

describe('tf.train.GradientDescentOptimizer', () => {
  it('takes w - lr·grad per step, callable with and without new', async () => {
    const { w, loss } = quadratic([1, -2], [1, 3]);
    const opt = new tf.train.GradientDescentOptimizer(0.1);
    expect(tf.train.GradientDescentOptimizer(0.1)).toBeInstanceOf(tf.train.GradientDescentOptimizer);
    expect(opt).toBeInstanceOf(tf.train.Optimizer);
    const train = opt.minimize(loss);
    expect(train.name).toBe('GradientDescent');
    const sess = tf.Session();
    await sess.run(tf.global_variables_initializer());
    const [one, two] = await stepAndRead(sess, train, w, 2);
    expectClose(one, [1 - 0.1 * 1, -2 - 0.1 * 3 * -2]);
    expectClose(two, [0.9 * 0.9, -2 * 0.7 * 0.7]);
  });
});

describe('tf.train.MomentumOptimizer', () => {
  /** The oracle: TF-1's ApplyMomentum in float64. */
  function momentumSteps(w0: number[], scale: number[], lr: number, mu: number, nesterov: boolean, steps: number): number[][] {
    const w = [...w0];
    const acc = w0.map(() => 0);
    const out: number[][] = [];
    for (let s = 0; s < steps; s++) {
      for (let i = 0; i < w.length; i++) {
        const g = scale[i] * w[i];
        acc[i] = acc[i] * mu + g;
        w[i] -= nesterov ? g * lr + acc[i] * mu * lr : lr * acc[i];
      }
      out.push([...w]);
    }
    return out;
  }

  for (const nesterov of [false, true]) {
    it(`matches hand-computed steps (use_nesterov=${nesterov}) and names its slot w/Momentum`, async () => {
      const { w, loss } = quadratic([1, -2], [1, 3]);
      const opt = tf.train.MomentumOptimizer(0.1, 0.9, { use_nesterov: nesterov });
      const train = opt.minimize(loss);
      expect(opt.get_slot(w, 'momentum')?.op.name).toBe('w/Momentum');
      const sess = tf.Session();
      await sess.run(tf.global_variables_initializer());
      const seen = await stepAndRead(sess, train, w, 3);
      const expected = momentumSteps([1, -2], [1, 3], 0.1, 0.9, nesterov, 3);
      seen.forEach((ws, s) => expectClose(ws, expected[s]));
    });
  }

  it('first steps by hand: plain momentum accumulates the gradient', async () => {
    const w = tf.Variable(tf.constant([2]), { name: 'w' });
    const loss = tf.reduce_sum(tf.multiply(w, 3)); // grad = 3, constant
    const train = tf.train.MomentumOptimizer(0.5, 0.5).minimize(loss);
    const sess = tf.Session();
    await sess.run(tf.global_variables_initializer());
    // acc: 3, 4.5, 5.25; w: 2 - 1.5 = 0.5, 0.5 - 2.25 = -1.75, -1.75 - 2.625 = -4.375
    const seen = await stepAndRead(sess, train, w, 3);
    expectClose(seen.flat(), [0.5, -1.75, -4.375]);
  });
});

describe('tf.train.AdamOptimizer', () => {
  /** The oracle: TF-1's Adam with the bias correction in the rate, float64. */
  function adamSteps(w0: number[], scale: number[], lr: number, steps: number, b1 = 0.9, b2 = 0.999, eps = 1e-8): number[][] {
    const w = [...w0];
    const m = w0.map(() => 0);
    const v = w0.map(() => 0);
    const out: number[][] = [];
    for (let t = 1; t <= steps; t++) {
      const lrT = (lr * Math.sqrt(1 - b2 ** t)) / (1 - b1 ** t);
      for (let i = 0; i < w.length; i++) {
        const g = scale[i] * w[i];
        m[i] = b1 * m[i] + (1 - b1) * g;
        v[i] = b2 * v[i] + (1 - b2) * g * g;
        w[i] -= (lrT * m[i]) / (Math.sqrt(v[i]) + eps);
      }
      out.push([...w]);
    }
    return out;
  }

  it('matches 3 hand-computed steps with bias correction on a 2-element variable', async () => {
    const { w, loss } = quadratic([1, -2], [1, 3]);
    const opt = new tf.train.AdamOptimizer(0.1);
    const train = opt.minimize(loss);
    const sess = tf.Session();
    await sess.run(tf.global_variables_initializer());
    const seen = await stepAndRead(sess, train, w, 3);
    const expected = adamSteps([1, -2], [1, 3], 0.1, 3);
    // float32 state: 1 - beta2_power (≈0.003) keeps only ~5 significant digits, hence 1e-5.
    seen.forEach((ws, s) => expectClose(ws, expected[s], 1e-5));
    // The first step is lr·sign(grad) up to epsilon: bias correction makes m/sqrt(v) exactly ±1.
    expectClose(seen[0], [1 - 0.1, -2 + 0.1], 1e-6);
    const [b1, b2] = opt.get_beta_accumulators(tf.get_default_graph());
    const powers = await sess.run([b1, b2]);
    expectClose([powers[0].item(), powers[1].item()], [0.9 ** 4, 0.999 ** 4], 1e-6);
  });

  it('keeps its state in Variables named as TF-1 does', () => {
    const { w, loss } = quadratic([1, -2], [1, 3]);
    const opt = tf.train.AdamOptimizer({ learning_rate: 0.01, beta1: 0.8 });
    opt.minimize(loss);
    const names = tf.global_variables().map((v) => v.op.name);
    expect(names).toEqual(['w', 'beta1_power', 'beta2_power', 'w/Adam', 'w/Adam_1']);
    expect(opt.get_slot(w, 'm')?.op.name).toBe('w/Adam');
    expect(opt.get_slot(w, 'v')?.op.name).toBe('w/Adam_1');
    expect(tf.trainable_variables().map((v) => v.op.name)).toEqual(['w']);
    expect(opt.get_slot_names()).toEqual(['m', 'v']);
  });

  it('global_variables_initializer created after minimize resets the slots', async () => {
    const { w, loss } = quadratic([1, -2], [1, 3]);
    const opt = tf.train.AdamOptimizer(0.1);
    const train = opt.minimize(loss);
    const init = tf.global_variables_initializer();
    const sess = tf.Session();
    await sess.run(init);
    const first = await stepAndRead(sess, train, w, 2);
    await sess.run(init);
    const again = await stepAndRead(sess, train, w, 2);
    expect(again).toEqual(first);
    expect((await sess.run(opt.get_slot(w, 'm') as tf.Variable)).data.some((x) => x !== 0)).toBe(true);
  });
});

describe('the Optimizer protocol', () => {
  it('compute_gradients gives [grad, var] pairs, null where the loss does not depend on a variable', () => {
    const { w, loss } = quadratic([1, 2], [1, 1]);
    const unused = tf.Variable(tf.zeros([3]), { name: 'unused' });
    const pairs = tf.train.GradientDescentOptimizer(0.1).compute_gradients(loss);
    expect(pairs.map(([, v]) => v.op.name)).toEqual(['w', 'unused']);
    expect(pairs[0][0]).not.toBeNull();
    expect(pairs[1][0]).toBeNull();
    expect(pairs[1][1]).toBe(unused);
    expect(pairs[0][1]).toBe(w);
  });

  it('apply_gradients refuses when no variable has a gradient, naming them', () => {
    const { loss } = quadratic([1, 2], [1, 1]);
    const other = tf.Variable(tf.zeros([3]), { name: 'other' });
    const opt = tf.train.GradientDescentOptimizer(0.1);
    expect(() => opt.minimize(loss, { var_list: [other] })).toThrow(/no gradients provided for any variable \('other'\)/);
  });

  it('apply_gradients takes edited pairs (gradient clipping style) and increments global_step', async () => {
    const { w, loss } = quadratic([1, -2], [1, 1]);
    const step = tf.Variable(tf.constant(0, { dtype: tf.int32 }), { name: 'global_step', trainable: false });
    const opt = tf.train.GradientDescentOptimizer(1);
    const pairs = opt.compute_gradients(loss, { var_list: [w] }).map(([g, v]): tf.train.GradAndVar => [g && tf.multiply(g, 0.5), v]);
    const train = opt.apply_gradients(pairs, { global_step: step, name: 'halved' });
    expect(train.name).toBe('halved');
    const sess = tf.Session();
    await sess.run(tf.global_variables_initializer());
    await sess.run(train);
    await sess.run(train);
    expectClose(Array.from((await sess.run(w)).data), [0.25, -0.5]);
    expect((await sess.run(step)).item()).toBe(2);
  });

  it('minimize with global_step counts steps; the whole update is one fetch', async () => {
    const { loss } = quadratic([1, -2], [1, 1]);
    const step = tf.Variable(tf.constant(0, { dtype: tf.int32 }), { name: 'global_step', trainable: false });
    const train = tf.train.AdamOptimizer(0.01).minimize(loss, { global_step: step });
    const sess = tf.Session();
    await sess.run(tf.global_variables_initializer());
    for (let i = 0; i < 5; i++) expect(await sess.run(train)).toBeNull();
    expect((await sess.run(step)).item()).toBe(5);
  });

  it('rejects misspelt options and non-variables', () => {
    const { loss } = quadratic([1], [1]);
    const opt = tf.train.AdamOptimizer();
    expect(() => opt.minimize(loss, { var_lst: [] } as unknown as tf.train.MinimizeOptions)).toThrow(/unknown option 'var_lst'/);
    expect(() => opt.compute_gradients(loss, { var_list: [loss as tf.Variable] })).toThrow(/var_list must hold Variables/);
    expect(() => tf.train.AdamOptimizer(0.1, { beta: 0.9 } as unknown as tf.train.AdamOptions)).toThrow(/unknown option 'beta'/);
  });
});
