/**
 * A model of the zoo built in its own graph with what any trainer needs around it: a session on a chosen
 * backend, the initializer, a Saver over every variable (optimizer slots included), one train step, test
 * accuracy, and restore ops that let a live session move to another backend without losing its variables.
 * The CLI's loop and the app's worker both train through this class, so a checkpoint written by one
 * opens in the other.
 */
import { Session, type FailoverEvent } from '../session';
import { withDefaultGraph, Graph } from '../graph/graph';
import { assign, global_variables, global_variables_initializer, group, placeholder } from '../api/variables';
import { Saver } from '../api/saver';
import { DEFAULT_NUM_CLASSES, modelEntry, type BuiltModel, type ModelOptions, type OptimizerName } from '../models';
import { NDArray } from '../ndarray';
import { modelSourceToMetadata, type UserModelSource } from '../models/user-model';
import type { Operation } from '../graph/operation';
import type { Tensor } from '../graph/tensor';
import type { DataSet } from '../datasets/dataset';
import { FailedPreconditionError } from '../errors';
import { allFinite, type GoodWeights, type NonFiniteDiagnosis, type ReplayBatch, type WeightSnapshot } from './divergence';

export interface TrainableOptions {
  model: string;
  backend: string;
  /** Default: the model's own. */
  learningRate?: number;
  /** Default: the model's own (sgd for softmax, adam for mlp). */
  optimizer?: OptimizerName;
  /** The data set's class count (default 10): the output layer's units. */
  numClasses?: number;
  /**
   * Builds the model in this trainable's graph instead of the zoo entry `model` names: a user's own model
   * (layer editor or model file, whose code was loaded beforehand); `model` is then its display name.
   */
  build?: (options: ModelOptions) => BuiltModel;
  /** A user model's source, written into saved checkpoints as 'model_source' so they rebuild without it. */
  modelSource?: UserModelSource;
}

/** A user model's rate and optimizer when the caller names none (the zoo's come from its entry). */
const USER_MODEL_DEFAULTS = { learningRate: 0.001, optimizer: 'adam' } as const satisfies { learningRate: number; optimizer: OptimizerName };

const INFERENCE_FLAG = NDArray.from(false);

export class TrainableModel<Extras = null> implements GoodWeights {
  readonly graph = new Graph();
  readonly name: string;
  /** A user model's source (see TrainableOptions.modelSource); undefined for the zoo. */
  readonly modelSource: UserModelSource | undefined;
  /** The rate the model's update was built with. */
  readonly learningRate: number;
  readonly optimizer: OptimizerName;
  /** Output units: the class count of the data the model was built for. */
  readonly numClasses: number;
  readonly model: BuiltModel;
  readonly variables: Tensor[];
  /** Saves and restores every variable, optimizer slots included. */
  readonly saver: Saver;
  /** Whatever `extend` added to the graph (the app's saliency gradient); built before the session opens. */
  readonly extras: Extras;
  session: Session;
  backend: string;
  /** The last time the session's device was lost and training moved to another backend. */
  lastFailover: FailoverEvent | null = null;
  private readonly init: Operation;
  private readonly restoreFeeds: Tensor[];
  private readonly restoreOp: Operation;

  constructor(options: TrainableOptions, extend: (model: BuiltModel) => Extras) {
    const entry = options.build === undefined ? modelEntry(options.model) : null;
    const build = options.build ?? (entry as NonNullable<typeof entry>).build;
    this.name = options.model;
    this.modelSource = options.modelSource;
    this.backend = options.backend;
    this.learningRate = options.learningRate ?? entry?.defaultLearningRate ?? USER_MODEL_DEFAULTS.learningRate;
    this.optimizer = options.optimizer ?? entry?.defaultOptimizer ?? USER_MODEL_DEFAULTS.optimizer;
    this.numClasses = options.numClasses ?? DEFAULT_NUM_CLASSES;
    const built = withDefaultGraph(this.graph, () => {
      const model = build({ learningRate: this.learningRate, optimizer: this.optimizer, numClasses: this.numClasses });
      // Taken after the model, so they cover the optimizer's state as well as the weights.
      const variables = global_variables();
      const init = global_variables_initializer();
      // Scoped 'restore' so views of the model's graph can leave the trainer's own ops out.
      const restore = this.graph.nameScope('restore', () => {
        const feeds = variables.map((v) => placeholder(v.dtype, [...(v.shape as number[])], v.op.name));
        return { feeds, op: group(...variables.map((v, i) => assign(v, feeds[i]))) };
      });
      const extras = extend(model);
      const saver = new Saver({ var_list: variables, name: 'restore_checkpoint' });
      return { model, variables, init, restore, extras, saver };
    });
    this.model = built.model;
    this.variables = built.variables;
    this.init = built.init;
    this.restoreFeeds = built.restore.feeds;
    this.restoreOp = built.restore.op;
    this.extras = built.extras;
    this.saver = built.saver;
    this.session = this.openSession(options.backend);
  }

  async initialize(): Promise<void> {
    await this.session.run(this.init);
  }

  /** One optimizer step on a batch (images in any layout with n rows); resolves to the batch's loss. */
  async trainStep(images: NDArray, labels: NDArray): Promise<number> {
    const { model } = this;
    const out = await this.session.run({ train: model.trainOp, loss: model.loss }, [[model.x, this.imagesFor(images)], [model.labels, labels]]);
    return out.loss.item();
  }

  async accuracy(images: NDArray, labels: NDArray): Promise<number> {
    const out = await this.session.run(this.model.accuracy, [[this.model.x, this.imagesFor(images)], [this.model.labels, labels], ...this.inferenceFeeds()]);
    return out.item();
  }

  /**
   * What every evaluation or prediction feeds besides the images: a user model's `training` flag set
   * false (dropout off, batch norm on its moving statistics); nothing for the zoo's models.
   */
  inferenceFeeds(): [Tensor, NDArray][] {
    return this.model.training === undefined ? [] : [[this.model.training, INFERENCE_FLAG]];
  }

  /**
   * An evaluator over the first `limit` examples of a test split (all when absent); the images are
   * laid out once, so calling it between steps costs only the forward pass.
   */
  testEvaluator(test: DataSet, limit?: number): () => Promise<number> {
    const n = Math.min(limit ?? test.num_examples, test.num_examples);
    const images = this.shapeImages((test.images.data as Float32Array).subarray(0, n * this.imageSize), n);
    const labels = new NDArray((test.labels.data as Float32Array).subarray(0, n * this.numClasses), [n, this.numClasses]);
    return () => this.accuracy(images, labels);
  }

  async readVariables(): Promise<NDArray[]> {
    return this.variables.length === 0 ? [] : this.session.run(this.variables);
  }

  async writeVariables(session: Session, values: NDArray[]): Promise<void> {
    if (values.length === 0) return;
    await session.run(this.restoreOp, this.restoreFeeds.map((p, i): [Tensor, NDArray] => [p, values[i]]));
  }

  /** GoodWeights: host copies of every variable (optimizer slots included), or null when any is not finite. */
  async snapshot(step: number): Promise<WeightSnapshot | null> {
    const values = await this.readVariables();
    return allFinite(values) ? { step, values } : null;
  }

  /** GoodWeights: puts a snapshot's values back into the session. */
  async write(snapshot: WeightSnapshot): Promise<void> {
    await this.writeVariables(this.session, [...snapshot.values]);
  }

  /** Whether every variable of the session is finite now: nothing non-finite may be saved. */
  async weightsFinite(): Promise<boolean> {
    return allFinite(await this.readVariables());
  }

  /**
   * GoodWeights: from `from`, trains `batches` again, each step on a checking plan
   * (Session.findNonFinite), and stops at the first step with a non-finite value; the session holds
   * `from` again afterwards, whatever happened.
   */
  async replay(from: WeightSnapshot, batches: readonly ReplayBatch[]): Promise<NonFiniteDiagnosis> {
    const { model } = this;
    await this.write(from);
    try {
      for (const b of batches) {
        const feeds: [Tensor, NDArray][] = [[model.x, this.imagesFor(b.images)], [model.labels, b.labels]];
        const found = await this.session.findNonFinite({ train: model.trainOp, loss: model.loss }, feeds);
        if (found === null) continue;
        return {
          step: b.step,
          node: { name: found.node, op: found.op, shape: found.shape },
          inputs: found.inputs.map((i) => ({ name: i.name, op: i.op, note: i.note })),
          message: `replaying step ${b.step} from the weights of step ${from.step}: ${found.message}`,
        };
      }
      const last = batches.length > 0 ? batches[batches.length - 1].step : from.step;
      return {
        step: last, node: null, inputs: [],
        message: `replaying steps ${from.step + 1} to ${last} from the weights of step ${from.step} on an unfused plan gave only finite values: the divergence did not reproduce there`,
      };
    } finally {
      await this.write(from);
    }
  }

  /**
   * Takes every variable's value (optimizer slots included) from `other`, a model of the same
   * definition built with other settings (another learning rate): training goes on where it was.
   */
  async adoptVariables(other: TrainableModel<unknown>): Promise<void> {
    const mismatch = this.variables.findIndex((v, i) => other.variables[i]?.op.name !== v.op.name);
    if (mismatch >= 0 || other.variables.length !== this.variables.length) {
      throw new FailedPreconditionError(
        `adoptVariables: model '${other.name}' (${other.variables.length} variables) does not match '${this.name}' (${this.variables.length}); first difference at variable ${mismatch >= 0 ? `'${this.variables[mismatch].op.name}'` : mismatch}`,
      );
    }
    await this.writeVariables(this.session, await other.readVariables());
  }

  /**
   * Reads every variable (weights and optimizer slots: they are variables too), opens a session on the
   * new backend, writes the values back through the restore ops, then closes the old session. Call it
   * between two steps; the step count and the data stream are the caller's and carry on unchanged.
   */
  async switchBackend(backend: string): Promise<number> {
    const values = await this.readVariables();
    const next = this.openSession(backend);
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

  /** A session on `backend` that moves to the next backend, variables and all, if its device is lost. */
  private openSession(backend: string): Session {
    return new Session({
      backend,
      graph: this.graph,
      // Per-node kernel times for the app's Inspect view: two clock reads per node and step.
      profile: true,
      failover: {
        onFailover: (event) => {
          this.backend = event.to;
          this.lastFailover = event;
        },
      },
    });
  }

  /** The checkpoint records the model and its class count (and the class names when given) beside the weights. */
  async save(path: string, classNames?: readonly string[]): Promise<string> {
    const metadata: Record<string, string> = { model: this.name, num_classes: String(this.numClasses) };
    if (classNames !== undefined) metadata.class_names = JSON.stringify(classNames);
    if (this.modelSource !== undefined) metadata.model_source = modelSourceToMetadata(this.modelSource);
    return this.saver.save(this.session, path, { metadata });
  }

  async restore(path: string): Promise<void> {
    await this.saver.restore(this.session, path);
  }

  /** Pixels per image: the flat input's width (784, or H·W for a user model of another image size). */
  get imageSize(): number {
    return this.model.flatten ? (this.model.x.shape?.[1] ?? 784) : 784;
  }

  /** Images laid out as the model's placeholder wants them: [n, 784] (or [n, H·W]) or tinyflow's [n, 1, 28, 28]. */
  imagesFor(images: NDArray): NDArray {
    const n = images.shape[0];
    const wanted = this.model.flatten ? [n, this.imageSize] : [n, 1, 28, 28];
    return images.shape.length === wanted.length ? images : images.reshape(wanted);
  }

  /** `count` flat images (imageSize pixels each) shaped the way this model's input placeholder wants them. */
  shapeImages(flat: Float32Array, count: number): NDArray {
    return new NDArray(flat, this.model.flatten ? [count, this.imageSize] : [count, 1, 28, 28]);
  }

  close(): void {
    this.session.close();
  }
}
