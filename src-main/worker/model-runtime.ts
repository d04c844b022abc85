/**
 * One model of the zoo built in its own graph, plus the extra graph pieces the app needs: a saliency
 * gradient (our own autodiff, w.r.t. the input placeholder) and restore ops that write variable values
 * fed from the host, so a running session can move to another backend without losing its variables.
 */
import * as tf from '../../src-core';
import { withDefaultGraph } from '../../src-core/graph/graph';
import { modelEntry, type BuiltModel, type OptimizerName } from '../../src-core/models';
import type { NDArray, Operation, Tensor } from '../../src-core';

export class ModelRuntime {
  readonly graph = new tf.Graph();
  readonly model: BuiltModel;
  readonly variables: Tensor[];
  private readonly init: Operation;
  private readonly restoreFeeds: Tensor[];
  private readonly restoreOp: Operation;
  /** [1, 10] one-hot mask choosing the class whose probability the saliency map differentiates. */
  readonly saliencyMask: Tensor;
  readonly saliency: Tensor | null;
  /** Saves and restores every variable, optimizer slots included, for the app's checkpoints. */
  readonly saver: tf.train.Saver;
  session: tf.Session;
  backend: string;

  constructor(readonly name: string, learningRate: number, backend: string, optimizer?: OptimizerName) {
    const entry = modelEntry(name);
    this.backend = backend;
    const built = withDefaultGraph(this.graph, () => {
      const model = entry.build({ learningRate, optimizer });
      const variables = tf.global_variables();
      const init = tf.global_variables_initializer();
      // Scoped so the Inspect view can leave the app's own ops out of the model's diagram.
      const restore = tf.name_scope('restore', () => {
        const feeds = variables.map((v) => tf.placeholder(v.dtype, [...(v.shape as number[])], v.op.name));
        return { feeds, op: tf.group(...variables.map((v, i) => tf.assign(v, feeds[i]))) };
      });
      const sal = tf.name_scope('saliency', () => {
        const mask = tf.placeholder(tf.float32, [null, 10], 'mask');
        const [grad] = tf.gradients(tf.reduce_sum(tf.multiply(model.probabilities, mask)), [model.x]);
        return { mask, grad };
      });
      // Named under 'restore' too, so the Inspect view leaves the Saver's ops out of the model's diagram.
      const saver = tf.train.Saver({ var_list: variables, name: 'restore_checkpoint' });
      return { model, variables, init, restoreFeeds: restore.feeds, restoreOp: restore.op, saliencyMask: sal.mask, saliency: sal.grad, saver };
    });
    this.model = built.model;
    this.variables = built.variables;
    this.init = built.init;
    this.restoreFeeds = built.restoreFeeds;
    this.restoreOp = built.restoreOp;
    this.saliencyMask = built.saliencyMask;
    this.saliency = built.saliency;
    this.saver = built.saver;
    this.session = new tf.Session({ backend, graph: this.graph });
  }

  async initialize(): Promise<void> {
    await this.session.run(this.init);
  }

  async readVariables(): Promise<NDArray[]> {
    return this.variables.length === 0 ? [] : this.session.run(this.variables);
  }

  /**
   * Reads every variable (weights and any optimizer slots: they are variables too), opens a session on
   * the new backend, writes the values back through the restore ops, then closes the old session.
   */
  async switchBackend(backend: string): Promise<number> {
    const values = await this.readVariables();
    const next = new tf.Session({ backend, graph: this.graph });
    try {
      await this.writeVariables(next, values);
    } catch (e) {
      next.close();
      throw e;
    }
    this.session.close();
    this.session = next;
    this.backend = backend;
    return values.length;
  }

  async writeVariables(session: tf.Session, values: NDArray[]): Promise<void> {
    if (values.length === 0) return;
    await session.run(this.restoreOp, this.restoreFeeds.map((p, i): [Tensor, NDArray] => [p, values[i]]));
  }

  /** Images shaped the way this model's input placeholder wants them. */
  shapeImages(flat: Float32Array, count: number): NDArray {
    const shape = this.model.flatten ? [count, 784] : [count, 1, 28, 28];
    return new tf.NDArray(flat, shape);
  }

  close(): void {
    this.session.close();
  }
}
