/** The seed's model: softmax regression trained by plain gradient descent on the mean cross-entropy. */
import * as m from '../api/math-core';
import { assign, placeholder, VariableFn } from '../api/variables';
import { zeros } from '../api/tf-array';
import { gradients } from '../autodiff';
import type { Tensor } from '../graph/tensor';
import type { BuiltModel, ModelOptions } from './model';
import { makeOptimizer } from './optimizer-choice';

export function buildSoftmaxRegression({ learningRate, optimizer = 'sgd' }: ModelOptions): BuiltModel {
  const x = placeholder('float32', [null, 784], 'x');
  const W = VariableFn(zeros([784, 10]), { name: 'W' });
  const logits = m.matmul(x, W);
  const probabilities = m.softmax(logits);
  const labels = placeholder('float32', [null, 10], 'labels');
  const loss = m.reduceMean(m.neg(m.reduceSum(m.mul(labels, m.log(probabilities)), [1])));
  const trainOp = optimizer === 'sgd' ? seedUpdate(loss, W, learningRate) : makeOptimizer(optimizer, learningRate).minimize(loss);
  const accuracy = m.reduceMean(m.equal(m.argmax(probabilities, 1), m.argmax(labels, 1)));
  return { x, labels, logits, probabilities, loss, trainOp, accuracy, flatten: true };
}

/** The seed's hand-written update, W ← W − lr · dL/dW (what GradientDescentOptimizer computes too). */
function seedUpdate(loss: Tensor, W: Tensor, learningRate: number): Tensor {
  const [gradW] = gradients(loss, [W]);
  if (gradW === null) throw new Error('softmax regression: the loss does not depend on W');
  return assign(W, m.sub(W, m.mul(learningRate, gradW)));
}
