/**
 * TF-1's "Deep MNIST for experts" tutorial, line by line and short: two 5×5 conv + 2×2 max-pool layers
 * (32 and 64 filters) written with TF-1's keyword forms (`tf.nn.conv2d(x, W, {strides, padding})`,
 * `tf.nn.max_pool(x, {ksize, strides, padding})`), a dense layer of 1024, dropout with a keep_prob
 * placeholder, Adam at the tutorial's 1e-4, in an InteractiveSession with `accuracy.eval(...)` and
 * `train_step.run(...)`. The tutorial trains 20,000 steps of 50; this runs a few hundred.
 *
 * One departure: the test accuracy is evaluated in chunks of 500 digits (the tutorial feeds all the
 * test images at once; the second convolution's patches for 2,000 images would take over 1 GiB).
 * Run: npx tsx examples/mnist_deep_tf1.ts [--steps N] [--backend NAME]
 * (--steps: training steps of 50, default 400. Default backend: wasm where available, else cpu.)
 */
import * as tf from '../src-core';
import { get_mnist } from '../src-core/datasets';
import { NDArray } from '../src-core/ndarray';
import { exampleArgs, fastBackend, isMain } from './example-args';

export interface DeepRun {
  accuracy: number;
  /** Training accuracy on the batch, every 100 steps, as the tutorial prints it. */
  trainAccuracies: [number, number][];
  seconds: number;
  steps: number;
  backend: string;
}

/** Rows [start, start + n) of a 2-D array. */
function rows(a: NDArray, start: number, n: number): NDArray {
  const width = a.shape[1];
  const end = Math.min(start + n, a.shape[0]);
  return new NDArray(a.data.slice(start * width, end * width), [end - start, width], a.dtype);
}

export async function main({ steps = 400, backend, quiet = false }: { steps?: number; backend?: string; quiet?: boolean } = {}): Promise<DeepRun> {
  tf.reset_default_graph();
  const log = quiet ? () => undefined : console.log;
  const backendName = backend ?? (await fastBackend());

  const mnist = get_mnist({ flatten: true, onehot: true });
  const sess = tf.InteractiveSession({ backend: backendName });

  const x = tf.placeholder(tf.float32, { shape: [null, 784] });
  const y_ = tf.placeholder(tf.float32, { shape: [null, 10] });

  function weight_variable(shape: number[]) {
    const initial = tf.truncated_normal(shape, { stddev: 0.1 });
    return tf.Variable(initial);
  }

  function bias_variable(shape: number[]) {
    const initial = tf.constant(0.1, { shape });
    return tf.Variable(initial);
  }

  function conv2d(x: tf.Tensor, W: tf.Tensor) {
    return tf.nn.conv2d(x, W, { strides: [1, 1, 1, 1], padding: 'SAME' });
  }

  function max_pool_2x2(x: tf.Tensor) {
    return tf.nn.max_pool(x, { ksize: [1, 2, 2, 1], strides: [1, 2, 2, 1], padding: 'SAME' });
  }

  // First convolutional layer
  const W_conv1 = weight_variable([5, 5, 1, 32]);
  const b_conv1 = bias_variable([32]);
  const x_image = tf.reshape(x, [-1, 28, 28, 1]);
  const h_conv1 = tf.nn.relu(tf.add(conv2d(x_image, W_conv1), b_conv1));
  const h_pool1 = max_pool_2x2(h_conv1);

  // Second convolutional layer
  const W_conv2 = weight_variable([5, 5, 32, 64]);
  const b_conv2 = bias_variable([64]);
  const h_conv2 = tf.nn.relu(tf.add(conv2d(h_pool1, W_conv2), b_conv2));
  const h_pool2 = max_pool_2x2(h_conv2);

  // Densely connected layer
  const W_fc1 = weight_variable([7 * 7 * 64, 1024]);
  const b_fc1 = bias_variable([1024]);
  const h_pool2_flat = tf.reshape(h_pool2, [-1, 7 * 7 * 64]);
  const h_fc1 = tf.nn.relu(tf.add(tf.matmul(h_pool2_flat, W_fc1), b_fc1));

  // Dropout
  const keep_prob = tf.placeholder(tf.float32);
  const h_fc1_drop = tf.nn.dropout(h_fc1, keep_prob);

  // Readout layer
  const W_fc2 = weight_variable([1024, 10]);
  const b_fc2 = bias_variable([10]);
  const y_conv = tf.add(tf.matmul(h_fc1_drop, W_fc2), b_fc2);

  // Train and evaluate the model
  const cross_entropy = tf.reduce_mean(tf.nn.softmax_cross_entropy_with_logits({ labels: y_, logits: y_conv }));
  const train_step = tf.train.AdamOptimizer(1e-4).minimize(cross_entropy);
  const correct_prediction = tf.equal(tf.argmax(y_conv, 1), tf.argmax(y_, 1));
  const accuracy = tf.reduce_mean(tf.cast(correct_prediction, tf.float32));
  await sess.run(tf.global_variables_initializer());
  const started = performance.now();
  const trainAccuracies: [number, number][] = [];
  for (let i = 0; i < steps; i++) {
    const batch = mnist.train.next_batch(50);
    if (i % 100 === 0) {
      const train_accuracy = (await accuracy.eval({ feed_dict: [[x, batch[0]], [y_, batch[1]], [keep_prob, 1.0]] })).item();
      trainAccuracies.push([i, train_accuracy]);
      log(`step ${i}, training accuracy ${train_accuracy.toFixed(2)}`);
    }
    await train_step.run({ feed_dict: [[x, batch[0]], [y_, batch[1]], [keep_prob, 0.5]] });
  }
  const trainSeconds = (performance.now() - started) / 1000;

  let correct = 0;
  const n = mnist.test.num_examples;
  for (let start = 0; start < n; start += 500) {
    const images = rows(mnist.test.images, start, 500);
    const chunk = (await accuracy.eval({ feed_dict: [[x, images], [y_, rows(mnist.test.labels, start, 500)], [keep_prob, 1.0]] })).item();
    correct += chunk * images.shape[0];
  }
  const acc = correct / n;
  log(`test accuracy ${acc.toFixed(4)} after ${steps} steps of 50 (${trainSeconds.toFixed(1)} s, backend ${backendName})`);
  sess.close();
  return { accuracy: acc, trainAccuracies, seconds: trainSeconds, steps, backend: backendName };
}

if (isMain(import.meta.url)) await main(exampleArgs());
