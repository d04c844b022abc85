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
  /**
   * User models' bool scalar flag for dropout and batch normalization: true unless fed; evaluation and
   * prediction feed it false. Absent for the zoo (no layer depends on it).
   */
  training?: Tensor;
  /**
   * The layers in order, for views that look inside the model (activations, filters). Absent for models
   * that cannot say (a model file's bare graph): views then find the layers in the forward graph.
   */
  layers?: ModelLayer[];
  /**
   * The gradient tensor the update applies to each trainable variable, so a trainer can fetch it with
   * the train op on the same run (no second backward pass). Absent when the model cannot say.
   */
  gradients?: VariableGradient[];
}

export interface ModelLayer {
  name: string;
  /** dense, conv, pool, activation, reshape, ... (the spec's layer kind, coarsened). */
  kind: string;
  /** The layer's output for the batch fed to `x`. */
  output: Tensor;
  /** The Variables the layer created (weights first), none for a weightless layer. */
  weights: Tensor[];
  /** Where an image-shaped (rank 4) output keeps its channels. */
  dataFormat: 'NCHW' | 'NHWC';
}

export interface VariableGradient {
  variable: Tensor;
  gradient: Tensor;
}

export interface ModelOptions {
  learningRate: number;
  /** The model's own choice when absent (the zoo entry's `defaultOptimizer`). */
  optimizer?: OptimizerName;
  /** Output units and one-hot label width: the data set's class count (default 10, MNIST's). */
  numClasses?: number;
}
