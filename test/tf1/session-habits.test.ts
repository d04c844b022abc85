/**
 * TF-1's session habits (issue 14, point 2): eval/run on tensors and operations, the default session,
 * InteractiveSession, tf.Graph() with as_default, get_shape().as_list(), and `using` on a Session.
 */
import { describe, it, expect, beforeEach } from 'vitest';
import * as tf from '../../src-core';
import { createWasmBackend } from '../../backends/wasm';

beforeEach(() => tf.reset_default_graph());

describe('eval and run', () => {
  it('t.eval({feed_dict, session}) and op.run({session}) resolve like sess.run; evalSync/runSync are their twins', async () => {
    const x = tf.placeholder(tf.float32, [null, 2]);
    const v = tf.Variable(tf.zeros([2]));
    const y = tf.reduce_sum(tf.add(x, v), 1);
    const init = tf.global_variables_initializer();
    const sess = tf.Session({ backend: 'cpu' });
    const ran = init.run({ session: sess });
    expect(ran).toBeInstanceOf(Promise);
    expect(await ran).toBeUndefined();
    const result = y.eval({ feed_dict: [[x, [[1, 2], [3, 4]]]], session: sess });
    expect(result).toBeInstanceOf(Promise);
    expect((await result).toArray()).toEqual([3, 7]);
    tf.assign(v, [1, 1]).op.runSync({ session: sess });
    expect(y.evalSync({ feed_dict: { [`${x}`]: [[1, 2]] }, session: sess }).toArray()).toEqual([5]);
    await expect(y.eval({ session: sess, feed: [] } as never)).rejects.toThrow(/Tensor.eval: unknown option 'feed' \(accepted: feed_dict, session\)/);
    sess.close();
  });

  it('with no session and no default one, eval and run say how to give one', async () => {
    const c = tf.constant(1);
    await expect(c.eval()).rejects.toThrow(tf.errors.FailedPreconditionError);
    await expect(c.eval()).rejects.toThrow(/Tensor.eval 'Const:0': no default session is registered; pass \{session: sess\}/);
    expect(() => tf.group().runSync()).toThrow(/Operation.runSync 'group_deps': no default session/);
    expect(tf.get_default_session()).toBeNull();
  });
});

describe('the default session', () => {
  it('sess.as_default(fn) makes it the default inside fn (also across awaits), then restores the previous one', async () => {
    const c = tf.constant([1, 2]);
    const a = tf.Session({ backend: 'cpu' });
    const b = tf.Session({ backend: 'cpu' });
    const seen = await a.as_default(async () => {
      const outer = tf.get_default_session();
      const inner = b.as_default(() => tf.get_default_session());
      const value = (await c.eval()).toArray();
      return { outer, inner, after: tf.get_default_session(), value };
    });
    expect(seen.outer).toBe(a);
    expect(seen.inner).toBe(b);
    expect(seen.after).toBe(a);
    expect(seen.value).toEqual([1, 2]);
    expect(tf.get_default_session()).toBeNull();
    expect(() => a.as_default(() => { throw new Error('boom'); })).toThrow('boom');
    expect(tf.get_default_session()).toBeNull();
    a.close();
    b.close();
  });

  it('tf.InteractiveSession() is the default until it closes; eval needs no session then', async () => {
    const x = tf.placeholder(tf.float32);
    const y = tf.multiply(x, 2);
    const sess = tf.InteractiveSession({ backend: 'cpu' });
    expect(sess).toBeInstanceOf(tf.Session);
    expect(tf.get_default_session()).toBe(sess);
    expect((await y.eval({ feed_dict: [[x, 21]] })).item()).toBe(42);
    expect(y.evalSync({ feed_dict: [[x, 4]] }).item()).toBe(8);
    sess.close();
    expect(tf.get_default_session()).toBeNull();
  });

  it("a session of another graph is refused by eval, naming the tensor", async () => {
    const c = tf.constant(3);
    const g = tf.Graph();
    const other = tf.Session({ backend: 'cpu', graph: g });
    await expect(c.eval({ session: other })).rejects.toThrow(/Tensor.eval 'Const:0': the session's graph is not the graph this tensor belongs to/);
    other.close();
  });
});

describe('graphs and shapes', () => {
  it('tf.Graph() with and without new; g.as_default(fn) builds there; get_default_graph / reset_default_graph', () => {
    const g = tf.Graph();
    expect(g).toBeInstanceOf(tf.Graph);
    expect(new tf.Graph()).toBeInstanceOf(tf.Graph);
    const before = tf.get_default_graph();
    const c = g.as_default(() => {
      expect(tf.get_default_graph()).toBe(g);
      return tf.constant(1, { name: 'c' });
    });
    expect(c.graph).toBe(g);
    expect(tf.get_default_graph()).toBe(before);
    tf.reset_default_graph();
    expect(tf.get_default_graph()).not.toBe(before);
  });

  it('t.get_shape().as_list() and t.shape; an unknown rank has no list', () => {
    const x = tf.placeholder(tf.float32, [null, 784]);
    expect(x.get_shape().as_list()).toEqual([null, 784]);
    expect(x.get_shape().ndims).toBe(2);
    expect(x.get_shape().is_fully_defined()).toBe(false);
    expect(x.shape).toEqual([null, 784]);
    expect(tf.matmul(x, tf.zeros([784, 10])).get_shape().as_list()).toEqual([null, 10]);
    const unknown = tf.placeholder(tf.float32);
    expect(unknown.get_shape().ndims).toBeNull();
    expect(() => unknown.get_shape().as_list()).toThrow(/TensorShape.as_list: the rank of this shape is unknown/);
  });
});

describe('Symbol.dispose / Symbol.asyncDispose on Session', () => {
  it('`using sess = tf.Session(...)` gives every backend buffer back when the block ends', () => {
    const backend = createWasmBackend();
    const W = tf.Variable(tf.ones([64, 64]));
    const y = tf.reduce_sum(tf.matmul(W, W));
    {
      using sess = tf.Session({ backend });
      sess.runSync(tf.global_variables_initializer());
      expect(sess.runSync(y).item()).toBe(64 * 64 * 64);
      expect(backend.memoryStats().bytesInUse).toBeGreaterThan(64 * 64 * 4);
    }
    expect(backend.memoryStats().bytesInUse).toBe(0);
    backend.dispose();
  });

  it('`await using` closes a session whose backend is still initialising, and the closed session refuses to run', async () => {
    const c = tf.constant(1);
    let escaped: tf.Session;
    {
      await using sess = tf.Session({ backend: 'best' });
      escaped = sess;
      expect((await sess.run(c)).item()).toBe(1);
    }
    expect(escaped.isClosed).toBe(true);
    await expect(escaped.run(c)).rejects.toThrow(/attempted to use a closed Session/);
  });
});
