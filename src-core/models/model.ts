/** What every model of the zoo builds: the tensors a trainer, the app and the CLI need. */
import type { Operation } from '../graph/operation';
import type { Tensor } from '../graph/tensor';
import type { OptimizerName } from './optimizer-choice';

export interface BuiltModel {
  /** Images placeholder, [null, 784] or [null, 1, 28, 28] depending on the model. */
  x: Tensor;
  /** One-hot labels placeholder [null, numClasses]. */
  labels: Tensor;
  logits: Tensor;
  probabilities: Tensor;
  loss: Tensor;
  trainOp: Operation | Tensor;
  accuracy: Tensor;
  /** Whether the model wants flattened images. */
  flatten: boolean;
}

export interface ModelOptions {
  learningRate: number;
  /** The model's own choice when absent (the zoo entry's `defaultOptimizer`). */
  optimizer?: OptimizerName;
  /** Output units and one-hot label width: the data set's class count (default 10, MNIST's). */
  numClasses?: number;
}
