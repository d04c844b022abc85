/**
 * Every extra TF-1 op, forward and gradient, through a Session on each built-in backend (wasm, and
 * webgpu where an adapter exists) against the cpu backend: the ops lower to primitives each backend
 * passes conformance for, and this checks the lowerings themselves (strided views, compile-time
 * shape values, select/gather/segmentSum calls) on every one.
 */
import { describe, expect, it } from 'vitest';
import * as tf from '../index';
import type { Backend } from '../../backends/interface';
import { createWasmBackend } from '../../backends/wasm';
import { createWebGpuBackendAsync } from '../../backends/webgpu';
import { expectClose, makeRng, ndarray, randomFloats, type Tensor } from './test-support';

/** One graph using every extra op; returns the fetches (values and gradients) and its feeds. */
function buildAll(graph: tf.Graph): { fetches: Tensor[]; feeds: [Tensor, tf.NDArray][] } {
  return graph.as_default(() => {
    const rng = makeRng(11);
    const x = tf.placeholder('float32', [null, 4]);
    const xv = ndarray(Float32Array.from(randomFloats(rng, 12), (v) => v * 3), [3, 4]);
    const ids = tf.placeholder('int32', [5]);
    const idv = ndarray(Int32Array.of(2, 0, 2, 1, 7), [5], 'int32');
    const emb = tf.constant(ndarray(randomFloats(rng, 12), [4, 3]));
    const act = [tf.nn.relu6(x), tf.nn.elu(x), tf.nn.selu(x), tf.nn.leaky_relu(x), tf.nn.softplus(x), tf.nn.softsign(x)];
    const [l, r] = tf.split(x, 2, 1);
    const stacked = tf.stack([l, r], 2);
    const [u0] = tf.unstack(stacked, { axis: 2 });
    const [mean, variance] = tf.nn.moments(x, [0]);
    const bn = tf.nn.batch_normalization(x, mean, variance, 0.5, 2, 1e-3);
    const picked = tf.gather(tf.transpose(x), ids);
    const looked = tf.nn.embedding_lookup(emb, ids);
    const chosen = tf.where(tf.greater(x, 0), tf.sqrt(tf.abs(x)), tf.negative(x));
    const values = [
      ...act, stacked, u0, tf.tile(x, [2, 3]), tf.pad(x, [[1, 0], [2, 1]], { constant_values: -2 }), tf.pad(x, [[0, 0], [2, 3]], 'REFLECT'),
      tf.clip_by_value(x, -1, 1), tf.reduce_logsumexp(x, 1), mean, variance, bn, picked, looked, chosen,
      tf.nn.sigmoid_cross_entropy_with_logits({ labels: tf.sigmoid(r), logits: l }),
      tf.losses.mean_squared_error(l, r), tf.losses.softmax_cross_entropy(tf.nn.softmax(r), l, { label_smoothing: 0.1 }),
      tf.losses.sigmoid_cross_entropy(tf.sigmoid(r), l), tf.losses.sparse_softmax_cross_entropy([1, 0, 1], l),
      tf.shape(x), tf.size(x), tf.rank(x), tf.range(1, 10, 2),
    ];
    // Every float value feeds the loss with its own weight, so each one's gradient path is exercised.
    const loss = values.filter((v) => v.dtype === 'float32')
      .map((v, i) => tf.reduce_sum(tf.multiply(v, 0.1 * (i + 1))))
      .reduce((a, b) => tf.add(a, b));
    const [gx] = tf.gradients(loss, x) as Tensor[];
    return { fetches: [...values, gx], feeds: [[x, xv], [ids, idv]] };
  });
}

async function run(backend: Backend | 'cpu'): Promise<tf.NDArray[]> {
  const graph = new tf.Graph();
  const { fetches, feeds } = buildAll(graph);
  const sess = tf.Session({ backend, graph });
  try {
    return await sess.run(fetches, { feed_dict: feeds });
  } finally {
    sess.close();
  }
}

async function webgpuOrReason(): Promise<Backend | string> {
  try {
    return await createWebGpuBackendAsync();
  } catch (e) {
    return e instanceof Error ? e.message : String(e);
  }
}

describe('every extra op on every backend', () => {
  for (const name of ['wasm', 'webgpu']) {
    it(`${name} gives the cpu values and gradients`, { timeout: 120_000 }, async (t) => {
      let backend: Backend;
      if (name === 'webgpu') {
        const got = await webgpuOrReason();
        if (typeof got === 'string') {
          t.skip(`no WebGPU adapter here: ${got}`);
          return;
        }
        backend = got;
      } else backend = createWasmBackend();
      const want = await run('cpu');
      const got = await run(backend);
      expect(got.length).toBe(want.length);
      got.forEach((g, i) => {
        expect(g.shape, `output ${i} shape`).toEqual(want[i].shape);
        expect(g.dtype, `output ${i} dtype`).toBe(want[i].dtype);
        // Transcendentals differ by a few ulp between backends; selection and copies are exact.
        expectClose(g.data, want[i].data, { rtol: 2e-5, atol: 2e-5 }, `${name} output ${i} vs cpu`);
      });
    });
  }
});
