/**
 * The seed's numpy program, line by line, on tinyflow's eager `np` module: softmax regression with
 * the hand-derived gradient dC/dW = x^T (a - y). Run: npx tsx examples/mnist_softmax_numpy.ts
 */
import { np, type NDArray } from '../src-core';
import { get_mnist } from '../src-core/datasets';
import { exampleArgs, isMain } from './example-args';

function softmax(x: NDArray): NDArray {
  x = np.subtract(x, np.max(x, { axis: 1, keepdims: true }));
  x = np.exp(x);
  x = np.divide(x, np.sum(x, { axis: 1, keepdims: true }));
  return x;
}

export function main({ steps = 1000, quiet = false } = {}) {
  const started = performance.now();
  // get the mnist dataset
  const mnist = get_mnist({ flatten: true, onehot: true });
  const learning_rate = 0.5 / 100;
  let W = np.zeros([784, 10]);
  for (let i = 0; i < steps; i++) {
    const [batch_xs, batch_ys] = mnist.train.next_batch(100);
    // forward
    const y = softmax(np.dot(batch_xs, W));
    // backward
    const y_grad = np.subtract(y, batch_ys);
    const W_grad = np.dot(batch_xs.T, y_grad);
    // update
    W = np.subtract(W, np.multiply(learning_rate, W_grad));
  }
  const trainSeconds = (performance.now() - started) / 1000;

  const predicted = np.argmax(np.dot(mnist.test.images, W), { axis: 1 });
  const actual = np.argmax(mnist.test.labels, { axis: 1 });
  const accuracy = np.mean(np.equal(predicted, actual)).item();
  if (!quiet) {
    console.log(`test accuracy ${accuracy.toFixed(4)} after ${steps} steps of 100 ` +
      `(${trainSeconds.toFixed(2)} s, ${(steps / trainSeconds).toFixed(0)} steps/s)`);
  }
  return { accuracy, W, seconds: trainSeconds };
}

if (isMain(import.meta.url)) main(exampleArgs());
