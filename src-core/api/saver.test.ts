import { describe, it, expect, beforeEach, afterEach } from 'vitest';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import * as tf from '../index';
import { decodeSafetensors } from '../checkpoint/safetensors';

let dir: string;
beforeEach(() => {
  tf.reset_default_graph();
  dir = mkdtempSync(join(tmpdir(), 'tinyflow-saver-'));
});
afterEach(() => rmSync(dir, { recursive: true, force: true }));

const xs = new tf.NDArray(Float32Array.from({ length: 24 }, (_, i) => Math.cos(i * 0.7)), [6, 4]);
const ys = new tf.NDArray(Float32Array.from([0, 1, 2, 2, 1, 0]), [6]);

/** A small model with layers and Adam: the same code builds it before saving and after a graph reset. */
function buildModel({ hidden = 6, shapeless = false } = {}) {
  const x = shapeless ? tf.placeholder(tf.float32) : tf.placeholder(tf.float32, [null, 4]);
  const label = tf.placeholder(tf.float32);
  const fc1 = tf.nn.linear(x, { num_hidden: hidden, name: 'fc1' });
  const logits = tf.nn.linear(tf.nn.relu(fc1), { num_hidden: 3, name: 'fc2' });
  const loss = tf.nn.mean_sparse_softmax_cross_entropy_with_logits(logits, label);
  const train = tf.train.AdamOptimizer(0.05).minimize(loss);
  const feed: [tf.Tensor, tf.NDArray][] = [[x, xs], [label, ys]];
  return { x, label, logits, loss, train, feed };
}

async function trainSteps(sess: tf.Session, model: ReturnType<typeof buildModel>, steps: number) {
  for (let i = 0; i < steps; i++) await sess.run(model.train, model.feed);
}

const values = (a: tf.NDArray) => Array.from(a.data);

describe('tf.train.Saver', () => {
  it('round-trips weights and optimizer state into a fresh graph: identical predictions and next step', async () => {
    const before = buildModel();
    const sess = tf.Session();
    await sess.run(tf.global_variables_initializer());
    await trainSteps(sess, before, 5);
    const saver = tf.train.Saver();
    const path = join(dir, 'model.safetensors');
    expect(await saver.save(sess, path)).toBe(path);
    const predictions = values(await sess.run(before.logits, [[before.x, xs]]));
    await trainSteps(sess, before, 1);
    const afterOneMore = values(await sess.run(before.logits, [[before.x, xs]]));
    const saved = decodeSafetensors(readFileSync(path), path);
    expect([...saved.tensors.keys()].sort()).toEqual([
      'beta1_power', 'beta2_power', 'fc1/bias', 'fc1/bias/Adam', 'fc1/bias/Adam_1', 'fc1/weight', 'fc1/weight/Adam',
      'fc1/weight/Adam_1', 'fc2/bias', 'fc2/bias/Adam', 'fc2/bias/Adam_1', 'fc2/weight', 'fc2/weight/Adam', 'fc2/weight/Adam_1',
    ]);
    expect(saved.metadata).toEqual({ format: 'tinyflow', version: '1' });
    sess.close();

    tf.reset_default_graph();
    const after = buildModel();
    const restored = tf.Session();
    await new tf.train.Saver().restore(restored, path);
    expect(values(await restored.run(after.logits, [[after.x, xs]]))).toEqual(predictions);
    await trainSteps(restored, after, 1);
    expect(values(await restored.run(after.logits, [[after.x, xs]]))).toEqual(afterOneMore);
  });

  it('restores tinyflow-style weights of not-yet-known shape without any initializer', async () => {
    const before = buildModel({ shapeless: true });
    const sess = tf.Session();
    const known: [tf.Tensor, number[]][] = [[before.x, [6, 4]], [before.label, [6]]];
    await sess.run(tf.infer_variable_shapes(before.loss, { feed_dict: known }).map(([v, , shape]) => tf.assign(v, tf.normal(shape, 0.3))));
    await trainSteps(sess, before, 3);
    const path = await tf.train.Saver().save(sess, join(dir, 'mlp'), { global_step: 3 });
    expect(path).toBe(join(dir, 'mlp-3'));
    const predictions = values(await sess.run(before.logits, [[before.x, xs]]));

    tf.reset_default_graph();
    const after = buildModel({ shapeless: true });
    const restored = tf.Session();
    await tf.train.Saver().restore(restored, path);
    expect(values(await restored.run(after.logits, [[after.x, xs]]))).toEqual(predictions);
  });

  it('saves a chosen var_list under chosen names', async () => {
    const w = tf.Variable(tf.constant([1, 2, 3]), { name: 'w' });
    tf.Variable(tf.constant([4]), { name: 'other' });
    const sess = tf.Session();
    await sess.run(tf.global_variables_initializer());
    const path = await tf.train.Saver({ var_list: { weights: w } }).save(sess, join(dir, 'w.safetensors'));
    const { tensors } = decodeSafetensors(readFileSync(path), path);
    expect([...tensors.keys()]).toEqual(['weights']);
    expect(values(tensors.get('weights') as tf.NDArray)).toEqual([1, 2, 3]);
    await sess.run(tf.assign(w, tf.constant([0, 0, 0])));
    await tf.train.Saver({ var_list: { weights: w } }).restore(sess, path);
    expect(values(await sess.run(w))).toEqual([1, 2, 3]);
  });

  it('names the missing variable, the mismatched shapes, and the damaged file', async () => {
    buildModel();
    const sess = tf.Session();
    await sess.run(tf.global_variables_initializer());
    const path = await tf.train.Saver().save(sess, join(dir, 'model.safetensors'));

    tf.reset_default_graph();
    buildModel();
    tf.Variable(tf.zeros([2]), { name: 'extra' });
    await expect(tf.train.Saver().restore(tf.Session(), path)).rejects.toThrow(tf.errors.NotFoundError);
    await expect(tf.train.Saver().restore(tf.Session(), path)).rejects.toThrow(/variable 'extra' not found in checkpoint '.*model.safetensors'/);

    tf.reset_default_graph();
    buildModel({ hidden: 7 });
    await expect(tf.train.Saver().restore(tf.Session(), path)).rejects.toThrow(
      /variable 'fc1\/weight' is float32 \[4,7\] in the graph but float32 \[4,6\] in checkpoint/,
    );
    await expect(tf.train.Saver().restore(tf.Session(), join(dir, 'absent.safetensors'))).rejects.toThrow(tf.errors.NotFoundError);

    const truncated = join(dir, 'truncated.safetensors');
    const whole = readFileSync(path);
    writeFileSync(truncated, whole.subarray(0, whole.length - 10));
    await expect(tf.train.Saver().restore(tf.Session(), truncated)).rejects.toThrow(tf.errors.DataLossError);
    await expect(tf.train.Saver().restore(tf.Session(), truncated)).rejects.toThrow(
      new RegExp(`'.*truncated.safetensors'.*found ${whole.length - 10}`),
    );
  });

  it('refuses a session of another graph and an empty graph', () => {
    expect(() => tf.train.Saver()).toThrow(/no variables to save/);
    tf.Variable(tf.zeros([1]), { name: 'v' });
    const saver = tf.train.Saver();
    expect(saver).toBeInstanceOf(tf.train.Saver);
    return expect(saver.save(tf.Session({ graph: new tf.Graph() }), join(dir, 'x'))).rejects.toThrow(/another graph/);
  });
});
