/**
 * TF-1's "MNIST for ML beginners" tutorial (mnist_softmax.py), line by line: softmax regression with
 * tf.nn.softmax_cross_entropy_with_logits and GradientDescentOptimizer(0.5), run in an
 * InteractiveSession (`tf.global_variables_initializer().run()`), 1,000 steps of 100.
 * Run: npx tsx examples/mnist_beginners_tf1.ts [--steps N] [--backend NAME]
 */
import * as tf from '../src-core';
import { get_mnist } from '../src-core/datasets';
import { exampleArgs, isMain } from './example-args';

export async function main({ steps = 1000, backend = 'cpu', quiet = false } = {}) {
  tf.reset_default_graph();
  const started = performance.now();

  // Import data
  const mnist = get_mnist({ flatten: true, onehot: true });

  // Create the model
  const x = tf.placeholder(tf.float32, [null, 784]);
  const W = tf.Variable(tf.zeros([784, 10]));
  const b = tf.Variable(tf.zeros([10]));
  const y = tf.add(tf.matmul(x, W), b);

  // Define loss and optimizer
  const y_ = tf.placeholder(tf.float32, [null, 10]);
  const cross_entropy = tf.reduce_mean(tf.nn.softmax_cross_entropy_with_logits({ labels: y_, logits: y }));
  const train_step = tf.train.GradientDescentOptimizer(0.5).minimize(cross_entropy);

  const sess = tf.InteractiveSession({ backend });
  await tf.global_variables_initializer().run();
  // Train
  for (let i = 0; i < steps; i++) {
    const [batch_xs, batch_ys] = mnist.train.next_batch(100);
    await sess.run(train_step, { feed_dict: [[x, batch_xs], [y_, batch_ys]] });
  }
  const trainSeconds = (performance.now() - started) / 1000;

  // Test trained model
  const correct_prediction = tf.equal(tf.argmax(y, 1), tf.argmax(y_, 1));
  const accuracy = tf.reduce_mean(tf.cast(correct_prediction, tf.float32));
  const acc = (await sess.run(accuracy, { feed_dict: [[x, mnist.test.images], [y_, mnist.test.labels]] })).item();
  if (!quiet) console.log(`test accuracy ${acc.toFixed(4)} after ${steps} steps of 100 (${trainSeconds.toFixed(2)} s, backend ${backend})`);
  sess.close();
  return { accuracy: acc, seconds: trainSeconds, steps };
}

if (isMain(import.meta.url)) await main(exampleArgs());
