/**
 * The worker's side of training: it drives src-core's TrainingLoop (the loop `tinyflow train` runs too)
 * over the app's ModelRuntime, and adds what only the app needs: the one lock every session call takes,
 * the user's drawings mixed into training, autosaves, a throttled Progress stream with the chart
 * history, backend moves between steps, and checkpoints that bring the config and the curves back.
 */
import type { MnistDataSets } from '../../src-core/datasets';
import type { NDArray } from '../../src-core';
import type { FailoverEvent } from '../../src-core/session';
import { TrainingLoop, type LoopState } from '../../src-core/training/loop';
import type { DivergenceReport } from '../../src-core/training/divergence';
import { ProgressThrottle, type ThrottledUpdate } from '../../src-core/training/throttle';
import type { Restored } from '../../src-app-api/checkpoint-schemas';
import type { Diagnosis, History, Progress, TrainConfig, TrainState } from '../../src-app-api/schemas';
import { appendSeries } from '../../src-app-api/series';
import type { CheckpointMeta } from '../checkpoints/meta';
import type { Autosaver } from './autosave';
import { readCheckpointMeta, writeCheckpoint } from './checkpoint-io';
import { chunkedEvaluator } from './chunked';
import { loadData } from './datasets';
import { Lock, yieldToEventLoop } from './lock';
import { ModelRuntime } from './model-runtime';
import { prepareSessionModel } from './session-model';
import type { UserSet } from './user-set';
import { HistoryRecorder, recordedVariables, recordingTrainStep } from './histories';
import { RunRecorder, type RunStart as RecordedRunStart } from './run-recorder';
import { RunStore } from './runs';

/** Live accuracy uses at most this many test examples, so evaluation stays cheap for big test sets. */
const LIVE_EVAL_EXAMPLES = 2000;
const EVAL_INTERVAL_MS = 700;
/** The user's drawings are trained on once every this many steps. */
const USER_SET_EVERY = 10;

export type ProgressCore = Omit<Progress, 'lossPoints' | 'accuracyPoints' | 'seriesReset'>;

interface RunStart {
  startStep: number;
  startPaused: boolean;
  loss: number | null;
  testAccuracy: number | null;
  history: History;
}

export class Trainer {
  runtime: ModelRuntime | null = null;
  data: MnistDataSets | null = null;
  /** The batch the last training step saw, so the Inspect view can show a node's values on it. */
  lastBatch: [NDArray, NDArray] | null = null;
  /** Weight and gradient histograms of the current run (kept across pause, resume and backend moves). */
  readonly histories = new HistoryRecorder();
  private loop: TrainingLoop | null = null;
  private config: TrainConfig | null = null;
  private totalSteps = 0;
  private stepsPerEpoch = 1;
  private error: string | null = null;
  private restored: Restored | null = null;
  /** What the charts have shown this session: persisted with checkpoints, handed to a reloaded page. */
  private history: History = { loss: [], accuracy: [] };
  private readonly throttle: ProgressThrottle<ProgressCore>;
  /** The last autosave's failure (or why it wrote nothing), shown on progress; null once one succeeds. */
  private autosaveError: string | null = null;

  constructor(
    private readonly lock: Lock,
    private readonly emit: (p: Progress) => void,
    private readonly userSet: UserSet,
    private readonly autosaver: Autosaver,
    /** Every run kept with its settings and curves (the Runs view); memory only unless the engine gives a store on disk. */
    readonly runs: RunRecorder = new RunRecorder(new RunStore(null)),
  ) {
    this.throttle = new ProgressThrottle((u) => this.send(u));
    autosaver.onOutcome((error) => {
      if (error === this.autosaveError) return;
      this.autosaveError = error;
      this.report(true);
    });
  }

  get state(): TrainState {
    return this.loop?.state ?? 'idle';
  }

  get step(): number {
    return this.loop?.step ?? 0;
  }

  async start(config: TrainConfig): Promise<void> {
    await this.build(config, null);
    this.restored = null;
    this.histories.reset(recordedVariables(this.runtime as ModelRuntime));
    this.runs.begin(this.runStart(0, null), false);
    this.begin({ startStep: 0, startPaused: false, loss: null, testAccuracy: null, history: { loss: [], accuracy: [] } });
  }

  /** Rebuilds the checkpoint's model, restores every variable, the step and the curves, then pauses there or resumes. */
  async restore(path: string, restored: Omit<Restored, 'step'>, resume: boolean): Promise<CheckpointMeta> {
    const meta = await readCheckpointMeta(path);
    await this.build(meta.config, (runtime) => runtime.restore(path));
    this.histories.reset(recordedVariables(this.runtime as ModelRuntime));
    this.totalSteps = meta.totalSteps;
    const step = Math.min(meta.step, meta.totalSteps);
    this.restored = { ...restored, step };
    this.runs.begin(this.runStart(step, `${restored.source} ${restored.label} at step ${step}`), true);
    const history = meta.history ?? { loss: [], accuracy: [] };
    // Points past the saved step belong to training the checkpoint never saw.
    const upTo = (points: [number, number][]) => points.filter(([s]) => s <= step);
    this.begin({ startStep: step, startPaused: !resume, loss: meta.loss, testAccuracy: meta.testAccuracy, history: { loss: upTo(history.loss), accuracy: upTo(history.accuracy) } });
    return meta;
  }

  /** Writes the session (variables, optimizer slots, config, step, curves) to `path`, between two steps. */
  async save(path: string): Promise<CheckpointMeta> {
    const runtime = this.runtime;
    const config = this.config;
    if (runtime === null || config === null) throw new Error('checkpoint:save: no model is loaded; start training first');
    // Taken now: a session being replaced is saved as itself, not with its successor's (absent) loop.
    const loop = this.loop;
    return this.lock.run(async () => {
      // Checked before anything is written: a save never leaves a non-finite checkpoint behind (after a
      // divergence the session holds the last good weights again, so this only refuses truly broken ones).
      if (!(await runtime.weightsFinite())) {
        throw new Error(`checkpoint:save: the model's weights hold NaN or Infinity (step ${loop?.step ?? 0}); nothing was written`);
      }
      const meta: CheckpointMeta = {
        format: 'tinyflow-studio-checkpoint',
        version: 1,
        config: { ...config, backend: runtime.backend },
        step: loop?.step ?? 0,
        totalSteps: this.totalSteps,
        loss: finiteOrNull(loop?.loss),
        testAccuracy: finiteOrNull(loop?.testAccuracy),
        savedAt: new Date().toISOString(),
        history: this.history,
      };
      await writeCheckpoint(runtime, path, meta);
      return meta;
    });
  }

  pause(): void {
    if (this.loop?.pause()) void this.autosaver.now();
  }

  /**
   * Resumes a paused or diverged session. With a new `learningRate` the model's update is rebuilt with
   * it (a new runtime on the same backend that takes over every variable, optimizer slots included) and
   * training goes on from the same step and curves.
   */
  async resume(learningRate?: number): Promise<void> {
    const { loop, runtime, config } = this;
    if (learningRate === undefined || loop === null || runtime === null || config === null || learningRate === runtime.learningRate) {
      loop?.resume();
      return;
    }
    if (loop.state !== 'paused' && loop.state !== 'diverged') {
      throw new Error(`train:resume: a new learning rate applies to a paused or diverged session; this one is ${loop.state}`);
    }
    const next = new ModelRuntime(config.model, learningRate, runtime.backend, config.optimizer, runtime.numClasses, runtime.prepared);
    try {
      await this.lock.run(async () => {
        await next.initialize();
        await next.adoptVariables(runtime);
      });
    } catch (e) {
      next.close();
      throw e;
    }
    if (this.loop !== loop || this.runtime !== runtime) {
      // Another session took over while the new one was built: it is not ours to resume.
      next.close();
      throw new Error('train:resume: the session was replaced meanwhile; nothing was resumed');
    }
    this.throttle.flush();
    const history = this.history;
    loop.abandon();
    await this.lock.run(async () => {
      runtime.close();
      this.runtime = next;
    });
    this.config = { ...config, learningRate };
    this.runs.learningRate(loop.step, learningRate);
    this.begin({ startStep: loop.step, startPaused: false, loss: finiteOrNull(loop.loss), testAccuracy: loop.testAccuracy, history });
  }

  /** Replays the diverging step from the last good weights with every node checked; names the first non-finite one. */
  async diagnose(): Promise<Diagnosis> {
    const loop = this.loop;
    if (loop === null) throw new Error('train:diagnose: no session is loaded; start training first');
    return loop.diagnose();
  }

  stop(): void {
    if (this.loop?.stop()) void this.autosaver.now();
  }

  async switchBackend(backend: string): Promise<number> {
    if (this.runtime === null) throw new Error('train:set-backend: no model is loaded; start training first');
    const runtime = this.runtime;
    const moved = await this.lock.run(() => runtime.switchBackend(backend));
    this.report(true);
    return moved;
  }

  /** The current state with the whole history, for a page that (re)connects: it replaces its charts. */
  progress(): Progress {
    return { ...this.core(), lossPoints: this.history.loss, accuracyPoints: this.history.accuracy, seriesReset: true };
  }

  /**
   * Builds and checks the whole new session first (model, backend, data folder, and `fill`: the
   * checkpoint's variables) beside the running one, which trains on meanwhile; only when all of it
   * worked is the running session stopped and replaced. A failure closes the new runtime and leaves
   * the running session, its weights, its state and its autosave exactly as they were.
   */
  private async build(config: TrainConfig, fill: ((runtime: ModelRuntime) => Promise<void>) | null): Promise<void> {
    // A zoo model named as a model source is the zoo model itself.
    if (config.userModel?.kind === 'zoo') config = { ...config, model: config.userModel.name, userModel: null };
    // A user's own model (layer editor, model file) is built after the data, whose class count it takes; it is fed flat images.
    const own = config.userModel != null && config.userModel.kind !== 'zoo';
    let built: ModelRuntime | null = own ? null : new ModelRuntime(config.model, config.learningRate, config.backend, config.optimizer);
    let data: MnistDataSets;
    try {
      data = loadData(config.dataDir, built?.model.flatten ?? true);
      // The data decides the output layer: a folder of 3 or 26 classes trains a model with as many outputs.
      if (built === null || data.class_names.length !== built.numClasses) {
        built?.close();
        const prepared = await prepareSessionModel(config.userModel, data.class_names.length);
        built = new ModelRuntime(config.model, config.learningRate, config.backend, config.optimizer, data.class_names.length, prepared);
      }
      if (data.train.num_examples === 0) throw new Error(`train:start: the data folder ${config.dataDir ?? '(bundled digits)'} has no training examples`);
      const fresh = built;
      // Under the lock: the new session's first runs must not interleave with a step of the old one.
      await this.lock.run(async () => {
        await fresh.initialize();
        if (fill) await fill(fresh);
      });
    } catch (e) {
      built?.close();
      throw e;
    }
    const runtime = built;
    this.stop();
    // The old loop may still be inside a step; it must not report over the new session.
    this.loop?.abandon();
    this.loop = null;
    await this.lock.run(async () => {
      this.runtime?.close();
      this.runtime = runtime;
      this.data = data;
      this.lastBatch = null;
    });
    this.config = config;
    this.stepsPerEpoch = Math.ceil(data.train.num_examples / config.batchSize);
    this.totalSteps = config.steps ?? config.epochs * this.stepsPerEpoch;
    this.error = null;
  }

  /** What the Runs view keeps of the session just built. */
  private runStart(startStep: number, restoredFrom: string | null): RecordedRunStart {
    const config = this.config as TrainConfig;
    const data = this.data as MnistDataSets;
    return { config, backend: this.runtime?.backend ?? config.backend, totalSteps: this.totalSteps, data: config.dataDir ?? 'bundled digits', classes: data.class_names.length, startStep, restoredFrom };
  }

  private begin(start: RunStart): void {
    const runtime = this.runtime as ModelRuntime;
    const data = this.data as MnistDataSets;
    const { batchSize } = this.config as TrainConfig;
    const isCurrent = (): boolean => this.loop === loop;
    const loop: TrainingLoop = new TrainingLoop(
      {
        target: {
          // On sampling steps it fetches the gradients with the train op (histories.ts).
          trainStep: (xs, ys) => recordingTrainStep(this.histories, runtime, xs, ys, loop.step + 1),
          // In chunks that hand the lock over: a prediction waits for one chunk, not the whole evaluation.
          evaluate: chunkedEvaluator(runtime, data.test, LIVE_EVAL_EXAMPLES, () => this.lock.handOver()),
        },
        nextBatch: () => (this.lastBatch = data.train.next_batch(batchSize)),
        extraBatch: (step) => (step % USER_SET_EVERY === 0 && this.userSet.size > 0 ? this.userSet.batch(runtime.model.flatten, batchSize, runtime.numClasses) : null),
        batchSize,
        totalSteps: this.totalSteps,
        stepsPerEpoch: this.stepsPerEpoch,
        startStep: start.startStep,
        startPaused: start.startPaused,
        evalEveryMs: EVAL_INTERVAL_MS,
        evalAtEpochEnd: true,
        exclusive: (fn) => this.lock.run(fn),
        yieldBetweenSteps: yieldToEventLoop,
        // Host copies of the last good weights, written back when a loss turns non-finite.
        weights: runtime,
      },
      {
        onStep: (r) => {
          if (!isCurrent()) return;
          this.runs.step(r, runtime.backend);
          this.throttle.addLoss(r.step, r.loss);
          if (r.testAccuracy !== undefined) this.throttle.addAccuracy(r.step, r.testAccuracy);
          this.report(false);
        },
        onStateChange: (state, error) => {
          if (!isCurrent()) return;
          this.onState(state, error);
        },
        afterStep: () => (isCurrent() ? this.autosaver.maybe() : Promise.resolve()),
      },
    );
    loop.loss = start.loss;
    loop.testAccuracy = start.testAccuracy;
    this.loop = loop;
    this.history = { loss: [], accuracy: [] };
    this.throttle.restart(start.history);
    this.report(true);
    void loop.run();
  }

  private onState(state: LoopState, error: unknown): void {
    if (state === 'failed') this.error = error instanceof Error ? error.message : String(error);
    this.runs.state(state, state === 'failed' ? this.error : state === 'diverged' ? (this.loop?.divergence?.message ?? null) : null, this.step);
    if (state === 'diverged') this.rewindCharts(this.loop?.divergence ?? null);
    this.report(true);
    // The session holds the last good weights again: the autosave keeps them (and their step).
    if (state === 'diverged') void this.autosaver.now();
    if (state === 'finished') void this.autosaver.now();
  }

  /** After a divergence the session is back at the last good step: the curves past it are dropped. */
  private rewindCharts(divergence: DivergenceReport | null): void {
    if (divergence?.lastGoodStep == null) return;
    const upTo = divergence.lastGoodStep;
    this.throttle.flush();
    const keep = (points: [number, number][]) => points.filter(([s]) => s <= upTo);
    this.throttle.restart({ loss: keep(this.history.loss), accuracy: keep(this.history.accuracy) });
  }

  private send(update: ThrottledUpdate<ProgressCore>): void {
    const base = update.seriesReset ? { loss: [], accuracy: [] } : this.history;
    this.history = { loss: appendSeries(base.loss, update.lossPoints), accuracy: appendSeries(base.accuracy, update.accuracyPoints) };
    this.emit({ ...update.core, lossPoints: update.lossPoints, accuracyPoints: update.accuracyPoints, seriesReset: update.seriesReset });
  }

  private report(force: boolean): void {
    this.throttle.update(this.core(), force);
  }

  private core(): ProgressCore {
    const c = this.config;
    const loop = this.loop;
    const state = this.state;
    const trained = loop ? loop.step - loop.startStep : 0;
    const stepsPerSecond = loop?.stepsPerSecond ?? 0;
    const active = state === 'running' || state === 'paused';
    const backend = this.runtime?.backend ?? c?.backend ?? '';
    return {
      state,
      config: c ? { ...c, backend } : null,
      model: c?.model ?? '',
      backend,
      step: this.step,
      totalSteps: this.totalSteps,
      epoch: this.step / this.stepsPerEpoch,
      loss: loop?.loss ?? null,
      testAccuracy: finiteOrNull(loop?.testAccuracy),
      examplesPerSecond: trained > 0 ? stepsPerSecond * (c?.batchSize ?? 0) : 0,
      etaSeconds: active && trained > 0 ? (this.totalSteps - this.step) / stepsPerSecond : null,
      error: this.error,
      restored: this.restored,
      failover: failoverOf(this.runtime?.lastFailover ?? null),
      divergence: divergenceOf(loop?.divergence ?? null),
      autosaveError: this.autosaveError,
      classNames: this.data?.class_names ?? null,
    };
  }
}

function finiteOrNull(value: number | null | undefined): number | null {
  return value !== null && value !== undefined && Number.isFinite(value) ? value : null;
}

function divergenceOf(d: DivergenceReport | null): Progress['divergence'] {
  return d === null ? null : { step: d.step, loss: d.loss, lastGoodStep: d.lastGoodStep, suggestedLearningRate: d.suggestedLearningRate, message: d.message };
}

function failoverOf(event: FailoverEvent | null): Progress['failover'] {
  return event === null ? null : { from: event.from, to: event.to, reason: event.reason, runsLost: event.runsLost };
}
