/**
 * sess.findNonFinite: on a constructed graph where a softmax underflows to 0 and a log of it gives
 * -Infinity, it names the Log node (not the later ops that only carried the value on), its shape,
 * and the input that was 0; on a graph without a non-finite value it finds nothing; a variable that is
 * already NaN is named as the input that was non-finite; and the run still updates variables.
 */
import { beforeEach, describe, expect, it } from 'vitest';
import * as tf from './index';

beforeEach(() => tf.reset_default_graph());

describe('Session.findNonFinite', () => {
  for (const backend of ['cpu', 'wasm']) {
    it(`names the first node that made a non-finite value, with its op, shape and the input that caused it (${backend})`, async () => {
      const logits = tf.placeholder(tf.float32, [null, 3], 'logits');
      const probs = tf.nn.softmax(logits, 'Softmax');
      const logp = tf.log(probs, 'Log_3');
      const loss = tf.reduce_mean(tf.multiply(logp, -1, 'negate'));
      const sess = tf.Session({ backend });
      const feed = { feed_dict: { logits: [[0, 0, 0], [1000, 0, -1000]] } };
      // The ordinary run: the loss is Infinity, with no word on where it came from.
      expect((await sess.run(loss, feed)).item()).toBe(Infinity);
      const found = await sess.findNonFinite(loss, feed);
      expect(found).not.toBeNull();
      expect(found).toMatchObject({ node: 'Log_3', op: 'Log', shape: [2, 3], nan: 0, infinity: 2 });
      expect(found?.inputs).toEqual([{ name: 'Softmax', op: 'Softmax', shape: [2, 3], note: 'has 0s' }]);
      expect(found?.message).toBe("the first non-finite value came from Log 'Log_3' [2,3] (2 ±Infinity): input Softmax 'Softmax' has 0s");
      expect(await sess.findNonFinite(loss, { feed_dict: { logits: [[0, 1, 2]] } })).toBeNull();
      sess.close();
    });
  }

  it('names an input that was already NaN, and updates variables as run would', async () => {
    const w = tf.Variable(tf.constant([1, 2]), { name: 'w' });
    const x = tf.placeholder(tf.float32, [2], 'x');
    const y = tf.multiply(w, x, 'scaled');
    const step = tf.assign(w, tf.add(w, 1, 'bump'));
    const sess = tf.Session({ backend: 'cpu' });
    await sess.run(tf.global_variables_initializer());
    const found = await sess.findNonFinite([y, step], { feed_dict: { x: [NaN, 1] } });
    expect(found).toMatchObject({ node: 'scaled', op: 'Mul', nan: 1 });
    expect(found?.inputs.map((i) => [i.name, i.note])).toEqual([['w', null], ['x', 'has NaN']]);
    expect(found?.message).toContain("input Placeholder 'x' has NaN");
    expect((await sess.run(w)).toArray()).toEqual([2, 3]);
    sess.close();
  });
});
