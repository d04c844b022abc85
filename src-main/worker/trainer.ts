/**
 * The worker's step-wise training loop: start, pause, resume, stop, backend switching between steps,
 * live test accuracy, examples/s and ETA, all streamed through a ProgressThrottle; plus saving the
 * session to a checkpoint and continuing one (model, optimizer slots, step) from where it was saved.
 */
import type { MnistDataSets } from '../../src-core/datasets';
import { NDArray } from '../../src-core';
import type { Restored } from '../../src-app-api/checkpoint-schemas';
import type { Progress, TrainConfig, TrainState } from '../../src-app-api/schemas';
import type { CheckpointMeta } from '../checkpoints/meta';
import type { Autosaver } from './autosave';
import { readCheckpointMeta, writeCheckpoint } from './checkpoint-io';
import { loadData } from './datasets';
import { Lock, yieldToEventLoop } from './lock';
import { ModelRuntime } from './model-runtime';
import { ProgressThrottle, type ProgressCore } from './progress-throttle';
import type { UserSet } from './user-set';

/** Live accuracy uses at most this many test examples, so evaluation stays cheap for big test sets. */
const LIVE_EVAL_EXAMPLES = 2000;
const EVAL_INTERVAL_MS = 700;

export class Trainer {
  state: TrainState = 'idle';
  runtime: ModelRuntime | null = null;
  data: MnistDataSets | null = null;
  private config: TrainConfig | null = null;
  private step = 0;
  private totalSteps = 0;
  private stepsPerEpoch = 1;
  private loss: number | null = null;
  private testAccuracy: number | null = null;
  private activeMs = 0;
  /** The step this run (re)started at: rates count only the steps trained since, not those restored. */
  private runStartStep = 0;
  private error: string | null = null;
  private restored: Restored | null = null;
  private generation = 0;
  private wake: (() => void) | null = null;
  private readonly throttle: ProgressThrottle;

  constructor(
    private readonly lock: Lock,
    emit: (p: Progress) => void,
    private readonly userSet: UserSet,
    private readonly autosaver: Autosaver,
  ) {
    this.throttle = new ProgressThrottle(emit);
  }

  async start(config: TrainConfig): Promise<void> {
    const generation = await this.build(config, null);
    this.step = 0;
    this.runStartStep = 0;
    this.loss = null;
    this.testAccuracy = null;
    this.restored = null;
    this.state = 'running';
    this.report(true);
    void this.loop(generation);
  }

  /** Rebuilds the checkpoint's model, restores every variable and the step, then pauses there or resumes. */
  async restore(path: string, restored: Omit<Restored, 'step'>, resume: boolean): Promise<CheckpointMeta> {
    const meta = await readCheckpointMeta(path);
    const generation = await this.build(meta.config, (runtime) => runtime.saver.restore(runtime.session, path));
    this.totalSteps = meta.totalSteps;
    this.step = Math.min(meta.step, meta.totalSteps);
    this.loss = meta.loss;
    this.testAccuracy = meta.testAccuracy;
    this.restored = { ...restored, step: this.step };
    this.runStartStep = this.step;
    this.state = resume ? 'running' : 'paused';
    this.report(true);
    void this.loop(generation);
    return meta;
  }

  /** Writes the session (variables, optimizer slots, config, step) to `path`, between two steps. */
  async save(path: string): Promise<CheckpointMeta> {
    const runtime = this.runtime;
    const config = this.config;
    if (runtime === null || config === null) throw new Error('checkpoint:save: no model is loaded; start training first');
    return this.lock.run(async () => {
      const meta: CheckpointMeta = {
        format: 'tinyflow-studio-checkpoint',
        version: 1,
        config: { ...config, backend: runtime.backend },
        step: this.step,
        totalSteps: this.totalSteps,
        loss: this.loss,
        testAccuracy: this.testAccuracy,
        savedAt: new Date().toISOString(),
      };
      await writeCheckpoint(runtime, path, meta);
      return meta;
    });
  }

  /** Stops the current run and builds a fresh runtime for `config`; `fill` writes its variables (else: initializers). */
  private async build(config: TrainConfig, fill: ((runtime: ModelRuntime) => Promise<void>) | null): Promise<number> {
    this.stop();
    const generation = ++this.generation;
    await this.lock.run(async () => {
      const runtime = new ModelRuntime(config.model, config.learningRate, config.backend, config.optimizer);
      try {
        await runtime.initialize();
        if (fill) await fill(runtime);
      } catch (e) {
        runtime.close();
        throw e;
      }
      this.runtime?.close();
      this.runtime = runtime;
      this.data = loadData(config.dataDir, runtime.model.flatten);
    });
    const data = this.data as MnistDataSets;
    this.config = config;
    this.stepsPerEpoch = Math.ceil(data.train.num_examples / config.batchSize);
    this.totalSteps = config.steps ?? config.epochs * this.stepsPerEpoch;
    this.activeMs = 0;
    this.error = null;
    return generation;
  }

  pause(): void {
    if (this.state !== 'running') return;
    this.setState('paused');
    void this.autosaver.now();
  }

  resume(): void {
    if (this.state !== 'paused') return;
    this.setState('running');
    this.wake?.();
  }

  stop(): void {
    if (this.state !== 'running' && this.state !== 'paused') return;
    this.generation++;
    this.setState('stopped');
    this.wake?.();
    void this.autosaver.now();
  }

  async switchBackend(backend: string): Promise<number> {
    if (this.runtime === null) throw new Error('train:set-backend: no model is loaded; start training first');
    const runtime = this.runtime;
    const moved = await this.lock.run(() => runtime.switchBackend(backend));
    this.report(true);
    return moved;
  }

  progress(): Progress {
    return { ...this.core(), lossPoints: [], accuracyPoints: [] };
  }

  private async loop(generation: number): Promise<void> {
    const runtime = this.runtime as ModelRuntime;
    const data = this.data as MnistDataSets;
    const { batchSize } = this.config as TrainConfig;
    let lastEval = performance.now();
    try {
      while (this.step < this.totalSteps && generation === this.generation) {
        if (this.state === 'paused') {
          await new Promise<void>((resolve) => (this.wake = resolve));
          continue;
        }
        const t0 = performance.now();
        const [xs, ys] = data.train.next_batch(batchSize);
        this.loss = await this.lock.run(() => this.trainStep(runtime, xs, ys));
        if (this.step % 10 === 0 && this.userSet.size > 0) {
          const [ux, uy] = this.userSet.batch(runtime.model.flatten);
          await this.lock.run(() => this.trainStep(runtime, ux, uy));
        }
        this.step++;
        this.activeMs += performance.now() - t0;
        this.throttle.addLoss(this.step, this.loss);
        const epochEnd = this.step % this.stepsPerEpoch === 0 || this.step === this.totalSteps;
        if (epochEnd || performance.now() - lastEval > EVAL_INTERVAL_MS) {
          this.testAccuracy = await this.lock.run(() => this.evaluate(runtime, data));
          this.throttle.addAccuracy(this.step, this.testAccuracy);
          lastEval = performance.now();
        }
        this.report(false);
        await this.autosaver.maybe();
        await yieldToEventLoop();
      }
      if (generation === this.generation) {
        this.setState('finished');
        await this.autosaver.now();
      }
    } catch (e) {
      if (generation !== this.generation) return;
      this.error = e instanceof Error ? e.message : String(e);
      this.setState('failed');
    }
  }

  private async trainStep(runtime: ModelRuntime, xs: NDArray, ys: NDArray): Promise<number> {
    const { model } = runtime;
    const out = await runtime.session.run({ train: model.trainOp, loss: model.loss }, [[model.x, xs], [model.labels, ys]]);
    return out.loss.item();
  }

  private async evaluate(runtime: ModelRuntime, data: MnistDataSets): Promise<number> {
    const n = Math.min(LIVE_EVAL_EXAMPLES, data.test.num_examples);
    const images = runtime.shapeImages((data.test.images.data as Float32Array).subarray(0, n * 784), n);
    const labels = new NDArray((data.test.labels.data as Float32Array).subarray(0, n * 10), [n, 10]);
    const out = await runtime.session.run(runtime.model.accuracy, [[runtime.model.x, images], [runtime.model.labels, labels]]);
    return out.item();
  }

  private setState(state: TrainState): void {
    this.state = state;
    this.report(true);
  }

  private report(force: boolean): void {
    this.throttle.update(this.core(), force);
  }

  private core(): ProgressCore {
    const c = this.config;
    const trained = this.step - this.runStartStep;
    const stepsPerSecond = trained / Math.max(this.activeMs / 1000, 1e-9);
    const running = this.state === 'running' || this.state === 'paused';
    return {
      state: this.state,
      model: c?.model ?? '',
      backend: this.runtime?.backend ?? c?.backend ?? '',
      step: this.step,
      totalSteps: this.totalSteps,
      epoch: this.step / this.stepsPerEpoch,
      loss: this.loss,
      testAccuracy: this.testAccuracy,
      examplesPerSecond: trained > 0 ? stepsPerSecond * (c?.batchSize ?? 0) : 0,
      etaSeconds: running && trained > 0 ? (this.totalSteps - this.step) / stepsPerSecond : null,
      error: this.error,
      restored: this.restored,
    };
  }
}
