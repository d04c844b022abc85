/**
 * The compute engine behind every worker channel. Transport-free, so the worker thread, the tests and
 * the in-process client share it: handle() takes a validated request and resolves to its response.
 */
import { registeredBackends } from '../../backends';
import { MODELS } from '../../src-core/models';
import type { RequestChannel, EventChannel } from '../../src-app-api/channels';
import type { EventPayload, Req, Res } from '../../src-app-api/schemas';
import { compareBackends } from './compare';
import { opCoverage } from './coverage';
import { loadData } from './datasets';
import { inspectSnapshot } from './inspect';
import { Lock, yieldToEventLoop } from './lock';
import { modelCode } from './model-code';
import { ModelRuntime } from './model-runtime';
import { predict } from './predict';
import { Trainer } from './trainer';
import { UserSet } from './user-set';

export type WorkerChannel = Exclude<RequestChannel, 'dialog:pick-data-dir'>;
export type EmitEvent = <E extends EventChannel>(channel: E, payload: EventPayload<E>) => void;

type Handlers = { [C in WorkerChannel]: (payload: Req<C>) => Promise<Res<C>> | Res<C> };

const OK = { ok: true } as const;

export class ComputeEngine {
  private readonly lock = new Lock();
  private readonly userSet = new UserSet();
  private readonly trainer: Trainer;
  /** Used for predictions before any training started, so the Draw view always has a model. */
  private idleRuntime: ModelRuntime | null = null;

  constructor(emit: EmitEvent) {
    this.trainer = new Trainer(this.lock, (p) => emit('train:progress', p), this.userSet);
  }

  handle<C extends WorkerChannel>(channel: C, payload: Req<C>): Promise<Res<C>> {
    const handler = this.handlers[channel] as (p: Req<C>) => Promise<Res<C>> | Res<C>;
    return Promise.resolve(handler(payload));
  }

  private readonly handlers: Handlers = {
    'app:info': () => ({
      models: Object.entries(MODELS).map(([name, e]) => ({ name, description: e.description, defaultLearningRate: e.defaultLearningRate, code: modelCode(name, e.description) })),
      backends: registeredBackends(),
      progress: this.trainer.progress(),
      userSetSize: this.userSet.size,
    }),
    'train:start': async (config) => {
      await this.trainer.start(config);
      return OK;
    },
    'train:pause': () => (this.trainer.pause(), OK),
    'train:resume': () => (this.trainer.resume(), OK),
    'train:stop': () => (this.trainer.stop(), OK),
    'train:set-backend': async ({ backend }) => ({ backend, variablesMoved: await this.trainer.switchBackend(backend) }),
    predict: async (request) => {
      const runtime = await this.currentRuntime();
      return this.lock.run(() => predict(runtime, request, this.trainer.progress().step));
    },
    'userset:add': ({ pixels, label }) => ({ size: this.userSet.add(pixels, label) }),
    'inspect:snapshot': async ({ misclassifiedLimit }) => {
      const runtime = await this.currentRuntime();
      const data = this.trainer.data ?? loadData(null, runtime.model.flatten);
      return this.lock.run(() => inspectSnapshot(runtime, data, this.trainer.progress().step, misclassifiedLimit));
    },
    // Holds the lock for the whole comparison, so live training pauses rather than skewing the timings.
    'compare:run': (request) => this.lock.run(() => compareBackends(request, yieldToEventLoop)),
    'compare:coverage': () => opCoverage(),
  };

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
