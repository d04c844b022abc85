/**
 * tinyflow's mnist_lenet with its automatic layers, NCHW: conv 5×5×20 → tanh → max-pool 2 → conv 5×5×50
 * → tanh → max-pool 2 → flatten → linear 500 → tanh → linear 10. The convolutions are VALID (classic
 * LeNet: 28 → 24 → 12 → 8 → 4, 800 features) where tinyflow's default is SAME: 3× less work on a CPU
 * for the same accuracy. Adam at 0.002, since the layers start at N(0, 0.01²) where plain SGD crawls.
 */
import * as m from '../api/math-core';
import { linear, flatten_layer } from '../api/layers';
import { conv2d, max_pool } from '../api/conv-layers';
import { placeholder } from '../api/variables';
import type { BuiltModel, ModelOptions } from './model';
import { makeOptimizer } from './optimizer-choice';

export function buildLenet({ learningRate, optimizer = 'adam' }: ModelOptions): BuiltModel {
  const x = placeholder('float32', [null, 1, 28, 28], 'x');
  const conv1 = conv2d(x, { num_filter: 20, ksize: [1, 5, 5, 1], padding: 'VALID', name: 'conv1', no_bias: false });
  const pool1 = max_pool(m.tanh(conv1), { ksize: [1, 2, 2, 1], strides: [1, 2, 2, 1] });
  const conv2 = conv2d(pool1, { num_filter: 50, ksize: [1, 5, 5, 1], padding: 'VALID', name: 'conv2', no_bias: false });
  const pool2 = max_pool(m.tanh(conv2), { ksize: [1, 2, 2, 1], strides: [1, 2, 2, 1] });
  const fc1 = linear(flatten_layer(pool2), { num_hidden: 500, name: 'fc1' });
  const logits = linear(m.tanh(fc1), { num_hidden: 10, name: 'fc2' });
  const labels = placeholder('float32', [null, 10], 'labels');
  const loss = m.reduceMean(m.softmaxCrossEntropy(logits, labels));
  const trainOp = makeOptimizer(optimizer, learningRate).minimize(loss);
  const accuracy = m.reduceMean(m.equal(m.argmax(logits, 1), m.argmax(labels, 1)));
  return { x, labels, logits, probabilities: m.softmax(logits), loss, trainOp, accuracy, flatten: false };
}
