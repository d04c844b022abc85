import { describe, it, expect, beforeEach } from 'vitest';
import * as tf from '../index';

beforeEach(() => tf.reset_default_graph());

/** tinyflow's MLP graph, placeholders without shapes. */
function tinyflowMlp() {
  const x = tf.placeholder(tf.float32);
  const fc1 = tf.nn.linear(x, { num_hidden: 5, name: 'fc1', no_bias: false });
  const fc2 = tf.nn.linear(tf.nn.relu(fc1), { num_hidden: 3, name: 'fc2' });
  const label = tf.placeholder(tf.float32);
  const loss = tf.nn.mean_sparse_softmax_cross_entropy_with_logits(fc2, label);
  return { x, fc1, fc2, label, loss };
}

const batch = (rows: number, cols: number, seed = 1) =>
  new tf.NDArray(Float32Array.from({ length: rows * cols }, (_, i) => Math.sin(i * 0.37 + seed)), [rows, cols]);

describe('tf.nn.linear', () => {
  it('creates weights whose unknown dims tf.infer_variable_shapes fills in from the placeholders', () => {
    const { x, fc1, fc2, label, loss } = tinyflowMlp();
    expect(fc1.shape).toEqual([null, 5]);
    expect(fc2.shape).toEqual([null, 3]);
    const weight = tf.get_default_graph().get_tensor_by_name('fc1/weight');
    expect(weight.shape).toEqual([null, 5]);
    const inferred = tf.infer_variable_shapes(loss, { feed_dict: new Map([[x, [7, 4]], [label, [7]]]) });
    expect(inferred.map(([, name, shape]) => [name, shape])).toEqual([
      ['fc1/weight', [4, 5]], ['fc1/bias', [5]], ['fc2/weight', [5, 3]], ['fc2/bias', [3]],
    ]);
    expect(inferred[0][0]).toBe(weight);
  });

  it('accepts known shapes as pairs or by placeholder name, and says when they are not enough', () => {
    const { x, loss } = tinyflowMlp();
    expect(tf.infer_variable_shapes(loss, { feed_dict: [[x, [2, 6]]] })[0][2]).toEqual([6, 5]);
    expect(tf.infer_variable_shapes(loss, { feed_dict: { [x.name]: [2, 8] } })[0][2]).toEqual([8, 5]);
    expect(tf.infer_variable_shapes(loss, new Map([[x, [2, 9]]]))[0][2]).toEqual([9, 5]);
    expect(() => tf.infer_variable_shapes(loss, { feed_dict: {} })).toThrow(/not sufficient information in feed_dict.*'fc1\/weight'/);
  });

  it('checks a given shape against the placeholder and the ops it feeds', () => {
    const x = tf.placeholder(tf.float32, [null, 4]);
    const out = tf.nn.linear(x, { num_hidden: 2, name: 'fc' });
    expect(() => tf.infer_variable_shapes(out, { feed_dict: [[x, [3, 5]]] })).toThrow(/\[3,5\].*does not fit.*\[\?,4\]/);
    expect(() => tf.nn.linear(x, { num_hidden: 0 })).toThrow(/num_hidden must be a positive integer/);
    expect(() => tf.nn.linear(x, { num_hiden: 3 } as unknown as { num_hidden: number })).toThrow(/unknown option 'num_hiden'/);
  });

  it('with a known input width makes ordinary, initialised weights: x·W + b', async () => {
    const x = tf.placeholder(tf.float32, [null, 3]);
    const y = tf.nn.linear(x, { num_hidden: 2, name: 'dense' });
    const noBias = tf.nn.linear(x, { num_hidden: 2, name: 'plain', no_bias: true });
    expect(tf.global_variables().map((v) => [v.op.name, v.shape])).toEqual([
      ['dense/weight', [3, 2]], ['dense/bias', [2]], ['plain/weight', [3, 2]],
    ]);
    const sess = tf.Session();
    await sess.run(tf.global_variables_initializer());
    const xs = batch(4, 3);
    const [out, W, b] = await sess.run([y, tf.global_variables()[0], tf.global_variables()[1]], [[x, xs]]);
    expect(Array.from(b.data)).toEqual([0, 0]);
    expect(Math.max(...Array.from(W.data, Math.abs))).toBeGreaterThan(0);
    expect(Math.max(...Array.from(W.data, Math.abs))).toBeLessThan(0.1);
    for (let r = 0; r < 4; r++) {
      for (let c = 0; c < 2; c++) {
        let dot = 0;
        for (let k = 0; k < 3; k++) dot += xs.get(r, k) * W.get(k, c);
        expect(out.get(r, c)).toBeCloseTo(dot, 5);
      }
    }
    expect((await sess.run(noBias, [[x, xs]])).shape).toEqual([4, 2]);
  });
});

describe('variables of not-yet-known shape in a session', () => {
  it('get their buffer from the first assignment; reading one before says how to initialise it', async () => {
    const { x, fc1 } = tinyflowMlp();
    const weight = tf.get_default_graph().get_tensor_by_name('fc1/weight') as tf.Variable;
    const sess = tf.Session();
    await expect(sess.run(weight)).rejects.toThrow(/'fc1\/weight'.*\[\?,5\] is not known yet.*tf\.infer_variable_shapes/);
    await sess.run(tf.global_variables_initializer()); // the weight's initializer has nothing to assign yet
    await expect(sess.run(fc1, [[x, batch(2, 4)]])).rejects.toThrow(/never assigned/);
    await sess.run(tf.assign(weight, tf.normal([4, 5])));
    expect((await sess.run(weight)).shape).toEqual([4, 5]);
    await sess.run(tf.assign(tf.get_default_graph().get_tensor_by_name('fc1/bias') as tf.Variable, tf.zeros([5])));
    expect((await sess.run(fc1, [[x, batch(2, 4)]])).shape).toEqual([2, 5]);
    await expect(sess.run(tf.assign(weight, tf.zeros([3, 5])))).rejects.toThrow(/shapes differ: variable \[4,5\] vs value \[3,5\]/);
  });

  it('refuse a first value that contradicts their known dims', async () => {
    tinyflowMlp();
    const weight = tf.get_default_graph().get_tensor_by_name('fc1/weight') as tf.Variable;
    expect(() => tf.assign(weight, tf.zeros([4, 6]))).toThrow(/shapes differ: variable \[\?,5\] vs value \[4,6\]/);
    // A value whose shape is known only when fed is checked when the run is planned.
    const value = tf.placeholder(tf.float32);
    const sess = tf.Session();
    await expect(sess.run(tf.assign(weight, value), [[value, batch(4, 6)]])).rejects.toThrow(/value of shape \[4,6\] to variable 'fc1\/weight' of shape \[\?,5\]/);
  });

  it('train with Adam after init_step alone: slots take the weight shapes lazily', async () => {
    const { x, fc2, label, loss } = tinyflowMlp();
    const opt = tf.train.AdamOptimizer(0.05);
    const train = opt.minimize(loss);
    const sess = tf.Session();
    const init = tf.infer_variable_shapes(loss, { feed_dict: [[x, [8, 4]], [label, [8]]] }).map(([v, , shape]) => tf.assign(v, tf.normal(shape, 0.5)));
    await sess.run(init);
    const xs = batch(8, 4, 3);
    const ys = new tf.NDArray(Float32Array.from([0, 1, 2, 0, 1, 2, 0, 1]), [8]);
    const before = (await sess.run(loss, [[x, xs], [label, ys]])).item();
    for (let i = 0; i < 60; i++) await sess.run(train, [[x, xs], [label, ys]]);
    const after = (await sess.run(loss, [[x, xs], [label, ys]])).item();
    expect(after).toBeLessThan(before * 0.5);
    const weight = tf.get_default_graph().get_tensor_by_name('fc1/weight') as tf.Variable;
    const m = opt.get_slot(weight, 'm') as tf.Variable;
    expect(m.op.name).toBe('fc1/weight/Adam');
    expect(m.shape).toEqual([null, 5]);
    expect((await sess.run(m)).shape).toEqual([4, 5]);
    expect((await sess.run(fc2, [[x, xs]])).shape).toEqual([8, 3]);
    // TF style on top: an initializer built after minimize resets the optimizer state.
    await sess.run(tf.global_variables_initializer());
    expect(Array.from((await sess.run(m)).data).every((v) => v === 0)).toBe(true);
  });
});

describe('tf.nn.mean_sparse_softmax_cross_entropy_with_logits', () => {
  it('is the batch mean of -log softmax(logits)[label], with float or int labels', async () => {
    const logits = tf.constant([[1, 2, 3], [0.5, -1, 2], [0, 0, 0]]);
    const labels = [2, 0, 1];
    const loss = tf.nn.mean_sparse_softmax_cross_entropy_with_logits(logits, tf.constant(labels));
    const intLoss = tf.nn.mean_sparse_softmax_cross_entropy_with_logits(logits, tf.constant(labels, tf.int32));
    const rows = [[1, 2, 3], [0.5, -1, 2], [0, 0, 0]];
    const expected = rows.reduce((acc, row, i) => acc + Math.log(row.reduce((s, v) => s + Math.exp(v), 0)) - row[labels[i]], 0) / rows.length;
    const sess = tf.Session();
    const [a, b] = await sess.run([loss, intLoss]);
    expect(a.item()).toBeCloseTo(expected, 5);
    expect(b.item()).toBeCloseTo(expected, 5);
    const shapeless = tf.placeholder(tf.float32);
    const unknownClasses = tf.nn.mean_sparse_softmax_cross_entropy_with_logits(shapeless, tf.constant([1]));
    expect(() => tf.gradients(unknownClasses, [shapeless])).toThrow(/needs a known number of classes/);
  });
});

describe('tf.nn.flatten_layer and tf.normal', () => {
  it('flatten_layer keeps the batch dim', () => {
    expect(tf.nn.flatten_layer(tf.placeholder(tf.float32, [null, 2, 3, 4])).shape).toEqual([null, 24]);
    expect(tf.nn.flatten_layer(tf.placeholder(tf.float32, [8, null, 3])).shape).toEqual([8, null]);
    // Unknown rank: resolved when fed (a Flatten op, not a Reshape with a width written into the graph).
    expect(tf.nn.flatten_layer(tf.placeholder(tf.float32)).shape).toBeNull();
    expect(() => tf.nn.flatten_layer(tf.constant(1))).toThrow(/Flatten 'flatten(_\d+)?': needs an input of rank >= 1/);
  });

  it('flatten_layer of a shapeless placeholder flattens at run time, and its gradient has the fed shape', async () => {
    const x = tf.placeholder(tf.float32);
    const flat = tf.nn.flatten_layer(x);
    const [dx] = tf.gradients(tf.reduce_sum(tf.multiply(flat, flat)), [x]);
    const xs = new tf.NDArray(Float32Array.from({ length: 24 }, (_, i) => i - 10), [2, 3, 2, 2]);
    const [f, g] = await tf.Session({ backend: 'cpu' }).run([flat, dx as tf.Tensor], [[x, xs]]);
    expect(f.shape).toEqual([2, 12]);
    expect(Array.from(f.data)).toEqual(Array.from(xs.data));
    expect(g.shape).toEqual([2, 3, 2, 2]);
    expect(Array.from(g.data)).toEqual(Array.from(xs.data, (v) => 2 * v));
  });

  it('normal draws seeded values with the requested spread', async () => {
    const a = tf.normal([200, 50], 0.5, { seed: 7 });
    const b = tf.normal([200, 50], 0.5, { seed: 7 });
    const c = tf.normal([200, 50]);
    const [va, vb, vc] = await tf.Session().run([a, b, c]);
    expect(Array.from(va.data)).toEqual(Array.from(vb.data));
    const std = (d: ArrayLike<number>) => Math.sqrt(Array.from(d).reduce((s, v) => s + v * v, 0) / d.length);
    expect(std(va.data)).toBeGreaterThan(0.48);
    expect(std(va.data)).toBeLessThan(0.52);
    // tinyflow's default stdev is 1.0.
    expect(std(vc.data)).toBeGreaterThan(0.97);
    expect(std(vc.data)).toBeLessThan(1.03);
    expect(() => tf.normal([2, -1])).toThrow(/non-negative integers/);
  });
});
