/**
 * The app's model: the trainer's TrainableModel (graph, session, saver, train step, backend switch)
 * plus a saliency gradient (our own autodiff, w.r.t. the input placeholder) for the Draw view.
 */
import * as tf from '../../src-core';
import { TrainableModel } from '../../src-core/training/trainable';
import { DEFAULT_NUM_CLASSES, type BuiltModel, type ModelOptions, type OptimizerName } from '../../src-core/models';
import { buildPreparedModel, type PreparedModel } from '../../src-core/models/model-file';
import type { Tensor } from '../../src-core';

interface Saliency {
  /** [1, classes] one-hot mask choosing the class whose probability the saliency map differentiates. */
  mask: Tensor;
  grad: Tensor | null;
}

function buildSaliency(model: BuiltModel, numClasses: number): Saliency {
  // Scoped so the Inspect view can leave the app's own ops out of the model's diagram.
  return tf.name_scope('saliency', () => {
    const mask = tf.placeholder(tf.float32, [null, numClasses], 'mask');
    const [grad] = tf.gradients(tf.reduce_sum(tf.multiply(model.probabilities, mask)), [model.x]);
    return { mask, grad: grad ?? null };
  });
}

export class ModelRuntime extends TrainableModel<Saliency> {
  /**
   * numClasses: the data's class count (default 10), the output layer's units. prepared: a user's own
   * model (layer model or model file, see session-model.ts), built instead of the zoo model `name`,
   * which is then its display name; null: the zoo's.
   */
  constructor(
    name: string,
    learningRate: number,
    backend: string,
    optimizer?: OptimizerName,
    numClasses = DEFAULT_NUM_CLASSES,
    readonly prepared: PreparedModel | null = null,
  ) {
    const build = prepared === null ? undefined : (options: ModelOptions) => buildPreparedModel(prepared, options);
    super({ model: name, backend, learningRate, optimizer, numClasses, build }, (model) => buildSaliency(model, numClasses));
  }

  get saliencyMask(): Tensor {
    return this.extras.mask;
  }

  get saliency(): Tensor | null {
    return this.extras.grad;
  }
}
