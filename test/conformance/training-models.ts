/**
 * The models the training checks run, built only from the public tf API: the seed's softmax
 * regression, an MLP, and (once tf.nn has convolutions) LeNet. Each returns what a training loop needs.
 */
import * as tf from '../../src-core';
import { floats, makeRng } from './data';

export interface TrainingModel {
  graph: tf.Graph;
  x: tf.Tensor;
  labels: tf.Tensor;
  init: tf.Operation;
  trainStep: tf.Tensor | tf.Operation;
  loss: tf.Tensor;
  /** Fraction of the batch classified correctly: argmax, equal and a bool mean (needs int32 and bool). */
  accuracy: tf.Tensor;
  weights: tf.Tensor[];
}

/** A fixed random linear "teacher": labels are the argmax of x · T, so there is something to learn. */
let teacher: Float32Array | undefined;

/**
 * One batch of MNIST-like data: images that are mostly background (0) with strokes in (0, 1] (dense
 * random images would drive the seed's unguarded log(softmax) to NaN within a few steps at its
 * learning rate), and the one-hot labels the teacher gives them.
 */
export function batch(size: number, features: number, step: number): { xs: tf.NDArray; ys: tf.NDArray } {
  const rng = makeRng(1000 + step);
  const xs = floats(rng, size * features, 0, 1).map((v) => (rng() < 0.8 ? 0 : v));
  teacher ??= floats(makeRng(7), features * 10, -1, 1);
  const ys = new Float32Array(size * 10);
  for (let i = 0; i < size; i++) {
    const scores = new Float64Array(10);
    for (let f = 0; f < features; f++) for (let c = 0; c < 10; c++) scores[c] += xs[i * features + f] * teacher[f * 10 + c];
    ys[i * 10 + scores.indexOf(Math.max(...scores))] = 1;
  }
  return { xs: new tf.NDArray(xs, [size, features]), ys: new tf.NDArray(ys, [size, 10]) };
}

function meanCrossEntropy(labels: tf.Tensor, probabilities: tf.Tensor): tf.Tensor {
  return tf.reduce_mean(tf.negative(tf.reduce_sum(tf.multiply(labels, tf.log(probabilities)), { reduction_indices: [1] })));
}

function accuracyOf(labels: tf.Tensor, probabilities: tf.Tensor): tf.Tensor {
  return tf.reduce_mean(tf.equal(tf.argmax(probabilities, 1), tf.argmax(labels, 1)));
}

/** Plain gradient descent on every variable: tf.gradients plus one tf.assign each, grouped. */
function sgd(loss: tf.Tensor, weights: tf.Tensor[], rate: number): tf.Operation {
  const grads = tf.gradients(loss, weights);
  return tf.group(weights.map((w, i) => tf.assign(w, tf.subtract(w, tf.multiply(rate, grads[i] as tf.Tensor)))));
}

function randomInit(shape: number[], scale: number, seed: number): tf.Tensor {
  const size = shape.reduce((n, d) => n * d, 1);
  return tf.constant(new tf.NDArray(floats(makeRng(seed), size, -scale, scale), shape));
}

/** The seed program: x [null, 784], W zeros, softmax(matmul), mean cross-entropy, rate 0.5. */
export function softmaxRegression(): TrainingModel {
  const graph = new tf.Graph();
  return graph.as_default(() => {
    const x = tf.placeholder(tf.float32, [null, 784]);
    const W = tf.Variable(tf.zeros([784, 10]));
    const y = tf.nn.softmax(tf.matmul(x, W));
    const labels = tf.placeholder(tf.float32, [null, 10]);
    const loss = meanCrossEntropy(labels, y);
    const grad = tf.gradients(loss, [W])[0] as tf.Tensor;
    const trainStep = tf.assign(W, tf.subtract(W, tf.multiply(0.5, grad)));
    return { graph, x, labels, init: tf.global_variables_initializer(), trainStep, loss, accuracy: accuracyOf(labels, y), weights: [W] };
  });
}

/** 784-64-10 with a ReLU hidden layer and biases. */
export function mlp(): TrainingModel {
  const graph = new tf.Graph();
  return graph.as_default(() => {
    const x = tf.placeholder(tf.float32, [null, 784]);
    const W1 = tf.Variable(randomInit([784, 64], 0.08, 1));
    const b1 = tf.Variable(tf.zeros([64]));
    const W2 = tf.Variable(randomInit([64, 10], 0.3, 2));
    const b2 = tf.Variable(tf.zeros([10]));
    const hidden = tf.nn.relu(tf.add(tf.matmul(x, W1), b1));
    const y = tf.nn.softmax(tf.add(tf.matmul(hidden, W2), b2));
    const labels = tf.placeholder(tf.float32, [null, 10]);
    const loss = meanCrossEntropy(labels, y);
    const weights = [W1, b1, W2, b2];
    return { graph, x, labels, init: tf.global_variables_initializer(), trainStep: sgd(loss, weights, 0.1), loss, accuracy: accuracyOf(labels, y), weights };
  });
}

/** The TF-1 convolution API (API.md), looked up at run time because tf.nn does not have it yet. */
interface ConvApi {
  conv2d(input: tf.Tensor, filter: tf.Tensor, strides: number[], padding: 'SAME' | 'VALID'): tf.Tensor;
  max_pool(value: tf.Tensor, ksize: number[], strides: number[], padding: 'SAME' | 'VALID'): tf.Tensor;
}

export function convApi(): ConvApi | null {
  const nn = tf.nn as Record<string, unknown>;
  return typeof nn.conv2d === 'function' && typeof nn.max_pool === 'function' ? (nn as unknown as ConvApi) : null;
}

/** LeNet-5-like, NHWC: conv 5x5x6, pool, conv 5x5x16, pool, 120-84-10 dense. */
export function lenet(conv: ConvApi): TrainingModel {
  const graph = new tf.Graph();
  return graph.as_default(() => {
    const x = tf.placeholder(tf.float32, [null, 784]);
    const image = tf.reshape(x, [-1, 28, 28, 1]);
    const K1 = tf.Variable(randomInit([5, 5, 1, 6], 0.2, 3));
    const K2 = tf.Variable(randomInit([5, 5, 6, 16], 0.1, 4));
    const W3 = tf.Variable(randomInit([7 * 7 * 16, 120], 0.05, 5));
    const W4 = tf.Variable(randomInit([120, 84], 0.1, 6));
    const W5 = tf.Variable(randomInit([84, 10], 0.1, 7));
    const pool = (t: tf.Tensor) => conv.max_pool(t, [1, 2, 2, 1], [1, 2, 2, 1], 'SAME');
    const c1 = pool(tf.nn.relu(conv.conv2d(image, K1, [1, 1, 1, 1], 'SAME')));
    const c2 = pool(tf.nn.relu(conv.conv2d(c1, K2, [1, 1, 1, 1], 'SAME')));
    const flat = tf.reshape(c2, [-1, 7 * 7 * 16]);
    const d1 = tf.nn.relu(tf.matmul(flat, W3));
    const d2 = tf.nn.relu(tf.matmul(d1, W4));
    const y = tf.nn.softmax(tf.matmul(d2, W5));
    const labels = tf.placeholder(tf.float32, [null, 10]);
    const loss = meanCrossEntropy(labels, y);
    const weights = [K1, K2, W3, W4, W5];
    return { graph, x, labels, init: tf.global_variables_initializer(), trainStep: sgd(loss, weights, 0.2), loss, accuracy: accuracyOf(labels, y), weights };
  });
}
