/**
 * The compute engine behind every worker channel. Transport-free, so the worker thread, the tests and
 * the in-process client share it: handle() takes a validated request and resolves to its response.
 */
import { registeredBackends } from '../../backends';
import { NDArray } from '../../src-core';
import { MODELS, modelCode, modelEntry } from '../../src-core/models';
import type { RequestChannel, EventChannel, HostChannel } from '../../src-app-api/channels';
import type { EventPayload, Req, Res } from '../../src-app-api/schemas';
import type { OptimizerChoice } from '../../src-app-api/checkpoint-schemas';
import type { InternalChannel, InternalReq, InternalRes, WorkerData } from '../../src-app-api/worker-api';
import type { OptimizerName } from '../../src-core/models';
import { DEFAULT_LEARNING_RATES } from '../../src-core/models/optimizer-choice';
import { Autosaver } from './autosave';
import { backendOffer } from './backend-offer';
import { CompareRunner } from './compare-runner';
import { opCoverage } from './coverage';
import { detectDataSources } from '../../src-core/datasets/load-data-dir';
import { previewData } from './data-preview';
import { loadData } from './datasets';
import { trainingPlan } from './graph-plan';
import { activationsOf } from './activations';
import { inspectSnapshot } from './inspect';
import { Lock } from './lock';
import { checkModel } from './model-check';
import { inspectNode, type InspectBatch } from './node-values';
import { ModelRuntime } from './model-runtime';
import { exportSessionOnnx } from './onnx-export';
import { nothingDrawn, predict } from './predict';
import { Trainer } from './trainer';
import { RunRecorder } from './run-recorder';
import { RunStore, runsDirFor } from './runs';
import { UserSet, userSetPathFor } from './user-set';

export type WorkerChannel = Exclude<RequestChannel, HostChannel>;
export type EmitEvent = <E extends EventChannel>(channel: E, payload: EventPayload<E>) => void;

type Handlers = { [C in WorkerChannel]: (payload: Req<C>) => Promise<Res<C>> | Res<C> };

const OK = { ok: true } as const;
/** Examples fed to inspect a node before any training batch exists. */
const INSPECT_TEST_BATCH = 100;

/** The contract's optimizer names and the zoo's must stay the same set; this fails to compile otherwise. */
const sameOptimizers: [OptimizerChoice, OptimizerName] extends [OptimizerName, OptimizerChoice] ? true : never = true;
void sameOptimizers;

const DIGIT_NAMES = Array.from({ length: 10 }, (_, i) => String(i));

/** "a, b, c" — at most 12 names, then "…". */
function shortList(names: readonly string[]): string {
  return names.length > 12 ? `${names.slice(0, 12).join(', ')}, …` : names.join(', ');
}

/** Without a host-given autosave path (tests, scripts) nothing is autosaved. */
export const NO_AUTOSAVE: WorkerData = { autosavePath: null, autosaveMs: 10_000 };

export class ComputeEngine {
  private readonly lock = new Lock();
  private readonly userSet: UserSet;
  private readonly trainer: Trainer;
  private readonly compare = new CompareRunner();
  /** Used for predictions before any training started, so the Draw view always has a model. */
  private idleRuntime: ModelRuntime | null = null;

  constructor(emit: EmitEvent, options: WorkerData = NO_AUTOSAVE) {
    // The user's drawings live beside the autosave, so a restarted worker (or app) has them again.
    this.userSet = new UserSet(userSetPathFor(options.autosavePath));
    try {
      this.userSet.load();
    } catch (e) {
      console.error(`${e instanceof Error ? e.message : String(e)}; starting with an empty set`);
    }
    // Only a session with a model is worth saving: a fresh worker restoring an autosave must not overwrite it.
    const autosaver = new Autosaver(options.autosavePath, options.autosaveMs, async (path) => {
      if (this.trainer.runtime !== null) await this.trainer.save(path);
    });
    // Runs are kept beside the autosave too; a corrupt run file is skipped with a message, never fatal.
    const runs = new RunStore(runsDirFor(options.autosavePath));
    runs.load();
    this.trainer = new Trainer(this.lock, (p) => emit('train:progress', p), this.userSet, autosaver, new RunRecorder(runs));
  }

  /** The host-only channels: checkpoints by path (see src-app-api/worker-api.ts). */
  async handleInternal<C extends InternalChannel>(channel: C, payload: InternalReq<C>): Promise<InternalRes<C>> {
    if (channel === 'checkpoint:write') {
      const { path } = payload as InternalReq<'checkpoint:write'>;
      const meta = await this.trainer.save(path);
      return { model: meta.config.model, step: meta.step, savedAt: meta.savedAt } as InternalRes<C>;
    }
    if (channel === 'checkpoint:export-onnx') {
      const { path } = payload as InternalReq<'checkpoint:export-onnx'>;
      return (await exportSessionOnnx(this.trainer.runtime, this.lock, path)) as InternalRes<C>;
    }
    const { path, source, label, resume } = payload as InternalReq<'checkpoint:load'>;
    const meta = await this.trainer.restore(path, { source, label }, resume);
    return { model: meta.config.model, step: meta.step, savedAt: meta.savedAt } as InternalRes<C>;
  }

  handle<C extends WorkerChannel>(channel: C, payload: Req<C>): Promise<Res<C>> {
    const handler = this.handlers[channel] as (p: Req<C>) => Promise<Res<C>> | Res<C>;
    // A handler that throws at once (a refused drawing) rejects like one that fails later.
    try {
      return Promise.resolve(handler(payload));
    } catch (e) {
      return Promise.reject(e instanceof Error ? e : new Error(String(e)));
    }
  }

  private readonly handlers: Handlers = {
    'app:info': async () => ({
      models: Object.entries(MODELS).map(([name, e]) => ({
        name,
        description: e.description,
        defaultLearningRate: e.defaultLearningRate,
        defaultOptimizer: e.defaultOptimizer,
        // Generated from the spec the model is built from; the renderer generates the running config's the same way.
        code: modelCode(name) ?? '',
      })),
      // Only backends that start here: a registered one without its hardware (webgpu) is not offered.
      ...(await backendOffer()),
      optimizerRates: { ...DEFAULT_LEARNING_RATES },
      progress: this.trainer.progress(),
      userSetSize: this.userSet.size,
      userSetCapacity: this.userSet.capacity,
      dataSources: detectDataSources().map(({ id, name, dir }) => ({ id, name, dir })),
    }),
    'train:start': async (config) => {
      await this.trainer.start(config);
      return OK;
    },
    // Stop and pause end a running comparison too: the user wants the machine back.
    'train:pause': () => (this.compare.cancel(), this.trainer.pause(), OK),
    'train:resume': async ({ learningRate }) => (await this.trainer.resume(learningRate), OK),
    'train:diagnose': () => this.trainer.diagnose(),
    'train:stop': () => (this.compare.cancel(), this.trainer.stop(), OK),
    'train:set-backend': async ({ backend }) => ({ backend, variablesMoved: await this.trainer.switchBackend(backend) }),
    predict: async (request) => {
      const empty = nothingDrawn(request, this.trainer.step, this.trainer.runtime?.name ?? null, this.classNames());
      if (empty !== null) return empty;
      const runtime = await this.currentRuntime();
      return this.lock.run(() => predict(runtime, request, this.trainer.step, this.classNames()));
    },
    'userset:add': ({ pixels, label }) => {
      const classes = this.classNames();
      if (label >= classes.length) throw new Error(`userset:add: label ${label} is not a class of this session's data (${classes.length} classes: ${shortList(classes)})`);
      const id = this.userSet.add(pixels, label);
      return { size: this.userSet.size, id };
    },
    'userset:list': ({ offset, limit }) => ({
      total: this.userSet.size,
      capacity: this.userSet.capacity,
      drawings: this.userSet.list(offset, limit).map((d) => ({ id: d.id, label: d.label, pixels: Array.from(d.pixels) })),
    }),
    'userset:delete': ({ id }) => (this.userSet.delete(id), { size: this.userSet.size }),
    'inspect:snapshot': async ({ misclassifiedLimit }) => {
      const runtime = await this.currentRuntime();
      const data = this.trainer.data ?? loadData(null, runtime.model.flatten);
      return this.lock.run(() => inspectSnapshot(runtime, data, this.trainer.step, misclassifiedLimit, () => this.lock.handOver()));
    },
    'inspect:node': async ({ node, bins }) => {
      const runtime = await this.currentRuntime();
      return this.lock.run(async () => inspectNode(runtime, this.inspectBatch(runtime), this.trainer.step, node, bins));
    },
    'inspect:activations': async ({ source }) => {
      const runtime = await this.currentRuntime();
      const { test } = this.trainer.data ?? loadData(null, runtime.model.flatten);
      return this.lock.run(() => activationsOf(runtime, test, source, this.trainer.step));
    },
    'inspect:histories': ({ variable }) => this.trainer.histories.answer(variable),
    'inspect:plan': async () => {
      const runtime = await this.currentRuntime();
      return this.lock.run(async () => trainingPlan(runtime, this.inspectBatch(runtime)));
    },
    // In its own thread and without the lock: training goes on beside it (the caption says so).
    'compare:run': async (request) => {
      modelEntry(request.model); // an unknown model is one clear error, not one per backend row
      const training = (): boolean => this.trainer.state === 'running';
      const trainingAtStart = training();
      const { rows, cancelled, budgetMsPerBackend } = await this.compare.run(request);
      const caption = {
        model: request.model,
        steps: request.steps,
        batchSize: request.batchSize,
        budgetSecondsPerBackend: budgetMsPerBackend / 1000,
        sharedWithTraining: trainingAtStart || training(),
        cancelled,
      };
      return { rows, caption };
    },
    'compare:cancel': () => ({ cancelled: this.compare.cancel() }),
    'compare:coverage': () => opCoverage(),
    'data:preview': (request) => previewData(request),
    // Without the lock: a model file is built in its own thread, a layer model only summarized.
    'model:check': (request) => checkModel(request),
    'runs:list': () => this.trainer.runs.store.list(),
    'runs:get': ({ ids }) => ({ runs: this.trainer.runs.store.get(ids) }),
    'runs:delete': ({ ids }) => this.trainer.runs.store.delete(ids),
    'runs:rename': ({ id, name }) => ({ run: this.trainer.runs.store.rename(id, name) }),
  };

  /** The batch the last training step saw, else (nothing trained yet) the head of the test split. */
  private inspectBatch(runtime: ModelRuntime): InspectBatch {
    const last = this.trainer.runtime === runtime ? this.trainer.lastBatch : null;
    if (last !== null) return { images: last[0], labels: last[1], source: 'train' };
    const { test } = this.trainer.data ?? loadData(null, runtime.model.flatten);
    const n = Math.min(INSPECT_TEST_BATCH, test.num_examples);
    const images = runtime.shapeImages((test.images.data as Float32Array).subarray(0, n * 784), n);
    const k = runtime.numClasses;
    return { images, labels: new NDArray((test.labels.data as Float32Array).subarray(0, n * k), [n, k]), source: 'test' };
  }

  /** The loaded session's classes; before any session, the bundled digits' (the idle model's). */
  private classNames(): string[] {
    return this.trainer.data?.class_names ?? DIGIT_NAMES;
  }

  private async currentRuntime(): Promise<ModelRuntime> {
    if (this.trainer.runtime) return this.trainer.runtime;
    if (!this.idleRuntime) {
      const [name, entry] = Object.entries(MODELS)[0];
      const runtime = new ModelRuntime(name, entry.defaultLearningRate, registeredBackends().includes('cpu') ? 'cpu' : registeredBackends()[0]);
      await runtime.initialize();
      this.idleRuntime = runtime;
    }
    return this.idleRuntime;
  }
}
