/**
 * A TF-1 CNN in the style of TensorFlow's "Deep MNIST" tutorial, written with TF-1's own ops (NHWC,
 * explicit Variables, truncated-normal weights with stddev 0.1, biases 0.1): reshape → conv 5×5 SAME →
 * ReLU → max-pool 2 → conv 5×5 SAME → ReLU → max-pool 2 → dense → ReLU → dense 10. Narrower than the
 * tutorial (16 / 32 filters and 256 units instead of 32 / 64 / 1024) and without dropout, so that it
 * trains in minutes on a CPU backend.
 */
import * as m from '../api/math-core';
import { truncated_normal } from '../api/random';
import { constant } from '../api/tf-array';
import { placeholder, VariableFn, type Variable } from '../api/variables';
import type { Tensor } from '../graph/tensor';
import type { BuiltModel, ModelOptions } from './model';
import { makeOptimizer } from './optimizer-choice';

const weight = (shape: number[], name: string): Variable => VariableFn(truncated_normal(shape, { stddev: 0.1 }), { name });
const bias = (size: number, name: string): Variable => VariableFn(constant(0.1, { shape: [size] }), { name });

function convReluPool(x: Tensor, inChannels: number, filters: number, name: string): Tensor {
  const W = weight([5, 5, inChannels, filters], `${name}/W`);
  const b = bias(filters, `${name}/b`);
  const conv = m.conv2d(x, W, { strides: [1, 1, 1, 1], padding: 'SAME', data_format: 'NHWC', dilations: [1, 1, 1, 1] });
  const h = m.relu(m.biasAdd(conv, b, 'NHWC'));
  return m.maxPool(h, { ksize: [1, 2, 2, 1], strides: [1, 2, 2, 1], padding: 'SAME', data_format: 'NHWC' });
}

export function buildCnn({ learningRate, optimizer = 'adam' }: ModelOptions): BuiltModel {
  const x = placeholder('float32', [null, 784], 'x');
  const image = m.reshape(x, [-1, 28, 28, 1]);
  const h1 = convReluPool(image, 1, 16, 'conv1');
  const h2 = convReluPool(h1, 16, 32, 'conv2');
  const flat = m.reshape(h2, [-1, 7 * 7 * 32]);
  const fc1 = m.relu(m.add(m.matmul(flat, weight([7 * 7 * 32, 256], 'fc1/W')), bias(256, 'fc1/b')));
  const logits = m.add(m.matmul(fc1, weight([256, 10], 'fc2/W')), bias(10, 'fc2/b'));
  const labels = placeholder('float32', [null, 10], 'labels');
  const loss = m.reduceMean(m.softmaxCrossEntropy(logits, labels));
  const trainOp = makeOptimizer(optimizer, learningRate).minimize(loss);
  const accuracy = m.reduceMean(m.equal(m.argmax(logits, 1), m.argmax(labels, 1)));
  return { x, labels, logits, probabilities: m.softmax(logits), loss, trainOp, accuracy, flatten: true };
}
