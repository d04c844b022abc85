/**
 * tinyflow's mnist_mlp_auto_shape_inference: 784 → 100 (ReLU) → 10 built from tf.nn.linear layers,
 * trained by Adam at 0.005. The input has a known width here, so the layers' weights are ordinary
 * initialised variables (N(0, 0.01²) weights, zero biases) and global_variables_initializer covers them.
 */
import * as m from '../api/math-core';
import { linear } from '../api/layers';
import { placeholder } from '../api/variables';
import type { BuiltModel, ModelOptions } from './model';
import { makeOptimizer } from './optimizer-choice';

export function buildMlp({ learningRate, optimizer = 'adam' }: ModelOptions): BuiltModel {
  const x = placeholder('float32', [null, 784], 'x');
  const fc1 = linear(x, { num_hidden: 100, name: 'fc1' });
  const logits = linear(m.relu(fc1), { num_hidden: 10, name: 'fc2' });
  const probabilities = m.softmax(logits);
  const labels = placeholder('float32', [null, 10], 'labels');
  // One-hot labels (the zoo's convention): the same loss as tinyflow's sparse one.
  const loss = m.reduceMean(m.softmaxCrossEntropy(logits, labels));
  const trainOp = makeOptimizer(optimizer, learningRate).minimize(loss);
  const accuracy = m.reduceMean(m.equal(m.argmax(logits, 1), m.argmax(labels, 1)));
  return { x, labels, logits, probabilities, loss, trainOp, accuracy, flatten: true };
}
