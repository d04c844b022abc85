/**
 * tinyflow's mnist_mlp_auto_shape_inference.py, line by line: the layers create their own weights, and
 * tf.infer_variable_shapes tells their shapes once the placeholders' shapes are known.
 * Run: npx tsx examples/mnist_mlp_auto_shape_inference.ts [--steps N] [--backend NAME]
 * (--steps: steps per epoch; tinyflow runs 600, two epochs here.)
 */
import * as tf from '../src-core';
import { get_mnist } from '../src-core/datasets';
import { exampleArgs, isMain } from './example-args';

export async function main({ steps = 600, epochs = 2, backend = 'cpu', quiet = false } = {}) {
  tf.reset_default_graph();
  const log = quiet ? () => undefined : console.log;
  const started = performance.now();

  // Create the model
  const x = tf.placeholder(tf.float32);
  const fc1 = tf.nn.linear(x, { num_hidden: 100, name: 'fc1', no_bias: false });
  const relu1 = tf.nn.relu(fc1);
  const fc2 = tf.nn.linear(relu1, { num_hidden: 10, name: 'fc2' });

  // define loss
  const label = tf.placeholder(tf.float32);
  const cross_entropy = tf.nn.mean_sparse_softmax_cross_entropy_with_logits(fc2, label);
  const train_step = tf.train.AdamOptimizer(0.005).minimize(cross_entropy);

  const sess = tf.Session({ backend });

  // Automatic variable shape inference API, infers the shape and initialize the weights.
  const known_shape = new Map([[x, [100, 28 * 28]], [label, [100]]]);
  const init_step = [];
  for (const [v, name, shape] of tf.infer_variable_shapes(cross_entropy, { feed_dict: known_shape })) {
    // tinyflow's default stdev (1.0) is too wide for these weights (0.878 after 2 epochs): 0.01 is given.
    init_step.push(tf.assign(v, tf.normal(shape, 0.01)));
    log(`shape[${name}]=[${shape.join(', ')}]`);
  }
  await sess.run(init_step);

  // get the mnist dataset
  const mnist = get_mnist({ flatten: true, onehot: false });

  for (let epoch = 0; epoch < epochs; epoch++) {
    let sum_loss = 0.0;
    const num_batch = steps;
    for (let i = 0; i < num_batch; i++) {
      const [batch_xs, batch_ys] = mnist.train.next_batch(100);
      const [loss] = await sess.run([cross_entropy, train_step] as const, { feed_dict: [[x, batch_xs], [label, batch_ys]] });
      sum_loss += loss.item();
    }
    log(`epoch[${epoch}] cross_entropy=${(sum_loss / num_batch).toPrecision(6)}`);
  }
  const trainSeconds = (performance.now() - started) / 1000;

  // tinyflow's line, unchanged: argmax is int32 here (float in tinyflow) and compares with the float labels as float32.
  const correct_prediction = tf.equal(tf.argmax(fc2, 1), label);
  const accuracy = tf.reduce_mean(correct_prediction);
  const acc = (await sess.run(accuracy, { feed_dict: [[x, mnist.test.images], [label, mnist.test.labels]] })).item();
  const totalSteps = steps * epochs;
  log(`test accuracy ${acc.toFixed(4)} after ${totalSteps} steps of 100 ` +
    `(${trainSeconds.toFixed(2)} s, ${(totalSteps / trainSeconds).toFixed(0)} steps/s, backend ${backend})`);
  sess.close();
  return { accuracy: acc, seconds: trainSeconds, steps: totalSteps };
}

if (isMain(import.meta.url)) await main(exampleArgs());
