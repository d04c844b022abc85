/** tf.variable_scope / tf.get_variable (TF-1's sharing rules and names) and the initializers. */
import { beforeEach, describe, expect, it } from 'vitest';
import * as tf from '../index';
import type { NDArray } from '../ndarray';

beforeEach(() => tf.reset_default_graph());

async function values(...ts: tf.Tensor[]): Promise<number[][]> {
  const sess = tf.Session();
  await sess.run(tf.global_variables_initializer());
  const out = (await sess.run(ts)) as NDArray[];
  sess.close();
  return out.map((a) => Array.from(a.data));
}

describe('tf.variable_scope and tf.get_variable', () => {
  it('names a variable scope/name, nested scopes joined, whatever name scope surrounds it', () => {
    const w = tf.variable_scope('outer', () => tf.variable_scope('inner', () => tf.get_variable('w', [2, 3])));
    expect(w.op.name).toBe('outer/inner/w');
    expect(w.shape).toEqual([2, 3]);
    const v = tf.name_scope('ns', () => tf.variable_scope('vs', () => {
      const made = tf.get_variable('v', [1]);
      // Ops still take the name scope (ns/vs/...), the variable only the variable scope.
      expect(tf.add(made, 1).op.name).toBe('ns/vs/Add');
      return made;
    }));
    expect(v.op.name).toBe('vs/v');
    expect(tf.trainable_variables().map((t) => t.op.name)).toEqual(['outer/inner/w', 'vs/v']);
  });

  it('shares with reuse: true (ops of the second pass in name scope fc_1, the variable is the same object)', () => {
    const layer = (x: tf.Tensor): tf.Tensor => tf.matmul(x, tf.get_variable('w', [3, 2]));
    const x = tf.placeholder(tf.float32, [null, 3]);
    const a = tf.variable_scope('fc', () => layer(x));
    const b = tf.variable_scope('fc', { reuse: true }, () => layer(x));
    expect(a.op.name).toBe('fc/MatMul');
    expect(b.op.name).toBe('fc_1/MatMul');
    expect(a.op.inputs[1]).toBe(b.op.inputs[1]);
    expect(tf.global_variables()).toHaveLength(1);
  });

  it('creating a name that exists without reuse is an error naming the variable', () => {
    tf.variable_scope('fc', () => tf.get_variable('w', [3]));
    expect(() => tf.variable_scope('fc', () => tf.get_variable('w', [3]))).toThrow(tf.errors.InvalidArgumentError);
    expect(() => tf.variable_scope('fc', () => tf.get_variable('w', [3]))).toThrow(/Variable fc\/w already exists, disallowed/);
  });

  it('reuse of a missing variable is an error naming it; reuse is inherited by inner scopes', () => {
    expect(() => tf.variable_scope('fc', { reuse: true }, () => tf.get_variable('w', [3]))).toThrow(/Variable fc\/w does not exist/);
    tf.variable_scope('a', () => tf.variable_scope('b', () => tf.get_variable('w', [1])));
    const shared = tf.variable_scope('a', { reuse: true }, () => tf.variable_scope('b', () => tf.get_variable('w', [1])));
    expect(shared.op.name).toBe('a/b/w');
    expect(() => tf.variable_scope('a', { reuse: true }, () => tf.variable_scope('c', () => tf.get_variable('w', [1])))).toThrow(/Variable a\/c\/w does not exist/);
  });

  it('tf.AUTO_REUSE creates on first use and shares after; reuse_variables() switches a scope to sharing', () => {
    const first = tf.variable_scope('s', { reuse: tf.AUTO_REUSE }, () => tf.get_variable('w', [2]));
    const second = tf.variable_scope('s', { reuse: tf.AUTO_REUSE }, () => tf.get_variable('w', [2]));
    expect(second).toBe(first);
    const [x, y] = tf.variable_scope('t', () => {
      const made = tf.get_variable('w', [2]);
      tf.get_variable_scope().reuse_variables();
      return [made, tf.get_variable('w', [2])];
    });
    expect(y).toBe(x);
    expect(tf.get_variable_scope().name).toBe('');
  });

  it('sharing with another shape or dtype is an error naming both', () => {
    tf.variable_scope('s', () => tf.get_variable('w', [2, 3]));
    expect(() => tf.variable_scope('s', { reuse: true }, () => tf.get_variable('w', [3, 2]))).toThrow(/share variable s\/w, but specified shape \[3,\s?2\] and found shape \[2,\s?3\]/);
    expect(() => tf.variable_scope('s', { reuse: true }, () => tf.get_variable('w', { dtype: tf.int32 }))).toThrow(/specified dtype int32 and found dtype float32/);
  });

  it('a variable scope object re-enters its scope; default_name gives unique scopes', () => {
    const scope = tf.variable_scope('model', () => tf.get_variable_scope());
    const w = tf.name_scope('elsewhere', () => tf.variable_scope(scope, () => tf.get_variable('w', [1])));
    expect(w.op.name).toBe('model/w');
    const names = [0, 1, 2].map(() => tf.variable_scope(null, { default_name: 'dense' }, () => tf.get_variable('k', [1]).op.name));
    expect(names).toEqual(['dense/k', 'dense_1/k', 'dense_2/k']);
  });

  it('is created outside control dependencies, so its initializer runs without the ops around it', async () => {
    const p = tf.placeholder(tf.float32, []);
    const v = tf.control_dependencies([tf.identity(p)], () => tf.get_variable('v', { initializer: tf.constant_initializer(4), shape: [] }));
    expect(v.op.controlInputs).toHaveLength(0);
    expect(await values(v)).toEqual([[4]]);
  });

  it('takes an initial value as the initializer, and refuses bad arguments with errors naming get_variable', async () => {
    const v = tf.get_variable('v', { initializer: tf.constant([[1, 2], [3, 4]]) });
    const c = tf.get_variable('c', { initializer: [5, 6] });
    expect(v.shape).toEqual([2, 2]);
    expect(await values(v, c)).toEqual([[1, 2, 3, 4], [5, 6]]);
    expect(() => tf.get_variable('u')).toThrow(/get_variable: Variable u needs a shape/);
    expect(() => tf.get_variable('u', [2], { initializer: tf.constant([1, 2, 3]) })).toThrow(/has shape \[3\] but shape \[2\]/);
    expect(() => tf.get_variable('u', [-1])).toThrow(/get_variable: the shape of 'u'/);
    expect(() => tf.get_variable('u', [1], { initialiser: tf.zeros_initializer() } as never)).toThrow(/unknown option 'initialiser'/);
    expect(() => tf.get_variable(3 as never)).toThrow(/get_variable: the name must be a string/);
    expect(() => tf.variable_scope('x', { reuse: 'yes' } as never, () => 1)).toThrow(/variable_scope: reuse must be/);
    tf.add(1, 2, 'taken');
    expect(() => tf.get_variable('taken', [1])).toThrow(/an op of that name already exists/);
    tf.name_scope('scoped', () => tf.add(1, 2));
    expect(() => tf.get_variable('scoped', [1])).toThrow(/Variable scoped: the name is taken by a name scope/);
    expect(tf.global_variables().map((v) => v.op.name)).toEqual(['v', 'c']);
  });

  it('uses the scope initializer, else Glorot uniform for floats and zeros for int32', async () => {
    const a = tf.variable_scope('s', { initializer: tf.constant_initializer(0.5) }, () => tf.variable_scope('t', () => tf.get_variable('a', [3])));
    const g = tf.get_variable('g', [40, 60]);
    const i = tf.get_variable('i', [2], { dtype: tf.int32 });
    const [av, gv, iv] = await values(a, g, i);
    expect(av).toEqual([0.5, 0.5, 0.5]);
    expect(iv).toEqual([0, 0]);
    const limit = Math.sqrt(6 / 100);
    expect(Math.max(...gv.map(Math.abs))).toBeLessThanOrEqual(limit);
    expect(Math.max(...gv.map(Math.abs))).toBeGreaterThan(0.95 * limit);
    // Uniform on ±limit has variance limit²/3.
    const variance = gv.reduce((s, v) => s + v * v, 0) / gv.length;
    expect(variance).toBeGreaterThan(0.9 * limit ** 2 / 3);
    expect(variance).toBeLessThan(1.1 * limit ** 2 / 3);
  });
});

describe('initializers', () => {
  it('zeros, ones and constant (a list shorter than the shape fills with its last value, as TF-1)', async () => {
    const vs = [
      tf.get_variable('z', [2, 2], { initializer: tf.zeros_initializer() }),
      tf.get_variable('o', [3], { initializer: tf.ones_initializer() }),
      tf.get_variable('c', [2, 3], { initializer: tf.constant_initializer([1, 2, 3, 4]) }),
      tf.get_variable('k', [2], { initializer: new tf.constant_initializer(7, { dtype: tf.int32 }), dtype: tf.int32 }),
    ];
    expect(await values(...vs)).toEqual([[0, 0, 0, 0], [1, 1, 1], [1, 2, 3, 4, 4, 4], [7, 7]]);
    expect(() => tf.get_variable('bad', [2], { initializer: tf.constant_initializer([1, 2, 3]) })).toThrow(/constant_initializer: 3 values do not fit a variable of shape \[2\]/);
    expect(() => tf.get_variable('bad2', [4], { initializer: tf.constant_initializer([1, 2], { verify_shape: true }) })).toThrow(/constant_initializer: 2 values/);
  });

  it('glorot_uniform_initializer counts a conv kernel window in both fans', async () => {
    const k = tf.get_variable('k', [5, 5, 4, 8], { initializer: tf.glorot_uniform_initializer({ seed: 3 }) });
    const [kv] = await values(k);
    const limit = Math.sqrt(6 / (25 * 4 + 25 * 8));
    expect(Math.max(...kv.map(Math.abs))).toBeLessThanOrEqual(limit);
    expect(Math.max(...kv.map(Math.abs))).toBeGreaterThan(0.95 * limit);
  });

  it('random_normal and truncated_normal: mean and stddev as asked, truncated within 2 stddev, seeded draws repeat', async () => {
    const n = tf.get_variable('n', [4000], { initializer: tf.random_normal_initializer(1, 0.5, 7) });
    const t = tf.get_variable('t', [4000], { initializer: tf.truncated_normal_initializer({ mean: -1, stddev: 0.1, seed: 7 }) });
    const [nv, tv] = await values(n, t);
    const stats = (xs: number[]) => {
      const mean = xs.reduce((a, b) => a + b, 0) / xs.length;
      return { mean, sd: Math.sqrt(xs.reduce((a, b) => a + (b - mean) ** 2, 0) / xs.length) };
    };
    expect(stats(nv).mean).toBeCloseTo(1, 1);
    expect(stats(nv).sd).toBeGreaterThan(0.47);
    expect(stats(nv).sd).toBeLessThan(0.53);
    expect(Math.min(...tv)).toBeGreaterThanOrEqual(-1.2 - 1e-6);
    expect(Math.max(...tv)).toBeLessThanOrEqual(-0.8 + 1e-6);
    // Truncation at 2σ leaves a stddev of about 0.88σ.
    expect(stats(tv).sd).toBeGreaterThan(0.083);
    expect(stats(tv).sd).toBeLessThan(0.093);
    tf.reset_default_graph();
    const again = tf.get_variable('n', [4000], { initializer: tf.random_normal_initializer(1, 0.5, 7) });
    expect((await values(again))[0]).toEqual(nv);
  });

  it('refuses bad parameters naming the initializer', () => {
    expect(() => tf.random_normal_initializer({ stddev: -1 })).toThrow(/random_normal_initializer: stddev must be a positive number/);
    expect(() => tf.truncated_normal_initializer({ seed: 1.5 })).toThrow(/truncated_normal_initializer: seed must be an integer/);
    expect(() => tf.glorot_uniform_initializer({ dtype: tf.int32 })).toThrow(/glorot_uniform_initializer: only float32/);
    expect(() => tf.zeros_initializer()([2, -1])).toThrow(/zeros_initializer: shape must be/);
    expect(() => tf.random_uniform_initializer(1, 0)).toThrow(/random_uniform_initializer: maxval \(0\) must be greater/);
  });
});
