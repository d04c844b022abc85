/**
 * The seed's tinyflow program, line by line: softmax regression on MNIST with tf.gradients and
 * tf.assign. Run: npx tsx examples/mnist_softmax.ts [--steps N] [--backend NAME]
 */
import * as tf from '../src-core';
import { get_mnist } from '../src-core/datasets';
import { exampleArgs, isMain } from './example-args';

export async function main({ steps = 1000, backend = 'cpu', quiet = false } = {}) {
  tf.reset_default_graph();
  const started = performance.now();

  // Create the model
  const x = tf.placeholder(tf.float32, [null, 784]);
  const W = tf.Variable(tf.zeros([784, 10]));
  const y = tf.nn.softmax(tf.matmul(x, W));

  // Define loss and optimizer
  const y_ = tf.placeholder(tf.float32, [null, 10]);
  const cross_entropy = tf.reduce_mean(tf.negative(tf.reduce_sum(tf.multiply(y_, tf.log(y)), { reduction_indices: [1] })));

  // Update rule
  const learning_rate = 0.5;
  const W_grad = tf.gradients(cross_entropy, [W])[0]!;
  const train_step = tf.assign(W, tf.subtract(W, tf.multiply(learning_rate, W_grad)));

  // Training Loop
  const sess = tf.Session({ backend });
  await sess.run(tf.initialize_all_variables());
  const mnist = get_mnist({ flatten: true, onehot: true });
  for (let i = 0; i < steps; i++) {
    const [batch_xs, batch_ys] = mnist.train.next_batch(100);
    await sess.run(train_step, { feed_dict: [[x, batch_xs], [y_, batch_ys]] }); // Real execution happens here
  }
  const trainSeconds = (performance.now() - started) / 1000;

  // Evaluate on the held-out digits.
  const correct_prediction = tf.equal(tf.argmax(y, 1), tf.argmax(y_, 1));
  const accuracy = tf.reduce_mean(correct_prediction);
  const acc = (await sess.run(accuracy, { feed_dict: [[x, mnist.test.images], [y_, mnist.test.labels]] })).item();
  const weights = await sess.run(W);
  if (!quiet) {
    console.log(`test accuracy ${acc.toFixed(4)} after ${steps} steps of 100 ` +
      `(${trainSeconds.toFixed(2)} s, ${(steps / trainSeconds).toFixed(0)} steps/s, backend ${backend})`);
  }
  sess.close();
  return { accuracy: acc, W: weights, seconds: trainSeconds };
}

if (isMain(import.meta.url)) await main(exampleArgs());
