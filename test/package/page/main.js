// A browser page that imports the installed package through Vite: a two-layer graph and its gradient
// on cpu and on wasm (whose kernels.wasm Vite must emit as an asset), results on window.__tinyflow.
import * as tf from 'tinyflow-studio';

async function run(backend) {
  const g = new tf.Graph();
  const { loss, grad, init } = g.as_default(() => {
    const x = tf.constant([[1, 2], [3, 4]]);
    const w = tf.Variable(tf.constant([[0.5, -1], [2, 0.25]]));
    const loss = tf.reduce_sum(tf.square(tf.matmul(x, w)));
    return { loss, grad: tf.gradients(loss, [w])[0], init: tf.global_variables_initializer() };
  });
  const sess = tf.Session({ backend, graph: g });
  await sess.run(init);
  const [l, dw] = await sess.run([loss, grad]);
  sess.close();
  return { loss: l.item(), grad: Array.from(dw.data) };
}

window.__tinyflow = Promise.all([run('cpu'), run('wasm')]).then(
  ([cpu, wasm]) => ({ cpu, wasm }),
  (e) => ({ error: String(e && e.stack ? e.stack : e) }),
);
