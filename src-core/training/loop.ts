/**
 * The one step-wise training loop, shared by `tinyflow train` and the app's compute worker: runs steps
 * until the total, can pause, resume and stop between steps, evaluates on the test split on a step or
 * time schedule and at every epoch end, and calls hooks between steps (autosave, mixing in extra
 * batches) where the model may also change backend. It never prints and knows nothing of transports.
 */
import { FailedPreconditionError } from '../errors';
import type { NDArray } from '../ndarray';
import { divergenceReport, type DivergenceReport, type GoodWeights, type NonFiniteDiagnosis, type ReplayBatch, type WeightSnapshot } from './divergence';

/** diverged: a step's loss was not finite; the loop waits as when paused, on the last good weights. */
export type LoopState = 'running' | 'paused' | 'diverged' | 'stopped' | 'finished' | 'failed';

/** What the loop drives: a train step and a test evaluation, read afresh each call (a backend may change). */
export interface LoopTarget {
  trainStep(images: NDArray, labels: NDArray): Promise<number>;
  evaluate(): Promise<number>;
}

export interface StepReport {
  step: number;
  totalSteps: number;
  loss: number;
  /** Over the steps this loop ran (not those restored), active time only: pauses do not count. */
  examplesPerSecond: number;
  /** Set on the steps where the loop evaluated. */
  testAccuracy?: number;
}

/** One line per epoch (a full pass, or the last partial one): mean training loss and test accuracy. */
export interface EpochReport {
  epoch: number;
  step: number;
  meanLoss: number;
  testAccuracy: number;
}

export interface LoopHooks {
  onStep?(report: StepReport): void;
  onEpoch?(report: EpochReport): void;
  /** `error` is set when the state is 'failed'. */
  onStateChange?(state: LoopState, error?: unknown): void;
  /** Awaited between steps, after the step was counted: autosaves go here. */
  afterStep?(step: number): Promise<void>;
  /** A step's loss was not finite; called before the state becomes 'diverged'. */
  onDiverged?(report: DivergenceReport): void;
}

export interface LoopOptions {
  target: LoopTarget;
  nextBatch(): [NDArray, NDArray];
  /** An extra batch trained after step `step` (the app's own drawings), or null; its loss is not reported. */
  extraBatch?(step: number): [NDArray, NDArray] | null;
  batchSize: number;
  totalSteps: number;
  stepsPerEpoch: number;
  /** The step a restored session is at; the loop counts on from it. */
  startStep?: number;
  /** Evaluate every this many steps (0 or absent: not on a step schedule). */
  evalEverySteps?: number;
  /** Evaluate when this long has passed since the last evaluation (absent: not on a time schedule). */
  evalEveryMs?: number;
  /** Evaluate at each epoch end even without an onEpoch hook, so live accuracy lands on epoch marks. */
  evalAtEpochEnd?: boolean;
  /** Runs each session call; the app serialises them with predictions and backend switches. */
  exclusive?<T>(fn: () => Promise<T>): Promise<T>;
  /** Awaited after every step so queued events (pause, stop, a Ctrl-C, a predict) get in. */
  yieldBetweenSteps?(): Promise<void>;
  /** Aborting stops the loop after the current step, like stop(). */
  signal?: AbortSignal;
  startPaused?: boolean;
  /**
   * Keeps the last good weights: snapshots every `snapshotEverySteps` steps, restored on divergence.
   * Without it a divergence is still caught, but nothing is restored (lastGoodStep null).
   */
  weights?: GoodWeights;
  /** Default 50: the host copy costs one read of every variable, and bounds the batches kept for a replay. */
  snapshotEverySteps?: number;
  /** The rate the advice is derived from when there is no `weights` (which knows its own). */
  learningRate?: number;
  /** End run() in the 'diverged' state instead of waiting for a resume (the CLI). */
  endOnDivergence?: boolean;
}

const DEFAULT_SNAPSHOT_EVERY = 50;
/** Batches kept for a replay: at most this many snapshot intervals' worth. */
const MAX_REPLAY_SNAPSHOTS = 10;

export interface LoopResult {
  state: LoopState;
  step: number;
  /** Steps this loop ran (excluding a restored start step). */
  stepsRun: number;
  loss: number | null;
  testAccuracy: number | null;
  activeSeconds: number;
  error?: unknown;
  /** Set when run() ended in the 'diverged' state (endOnDivergence). */
  divergence?: DivergenceReport;
}

const direct = <T>(fn: () => Promise<T>): Promise<T> => fn();

export class TrainingLoop {
  step: number;
  loss: number | null = null;
  testAccuracy: number | null = null;
  activeMs = 0;
  readonly startStep: number;
  private currentState: LoopState;
  private wake: (() => void) | null = null;
  private epochLoss = 0;
  private epochSteps = 0;
  /** Set once a step diverged; kept after a resume so the last divergence can still be shown. */
  divergence: DivergenceReport | null = null;
  private lastGood: WeightSnapshot | null = null;
  private lastSnapshotTry = -Infinity;
  /** Batches trained since `lastGood`, in order (extra batches too), to replay the way to a bad step. */
  private sinceGood: ReplayBatch[] | null = [];
  private diverged: { from: WeightSnapshot; batches: ReplayBatch[] } | null = null;

  constructor(private readonly options: LoopOptions, private readonly hooks: LoopHooks = {}) {
    this.startStep = options.startStep ?? 0;
    this.step = Math.min(this.startStep, options.totalSteps);
    this.currentState = options.startPaused ? 'paused' : 'running';
  }

  get state(): LoopState {
    return this.currentState;
  }

  get totalSteps(): number {
    return this.options.totalSteps;
  }

  /** Steps per second over this loop's own active time. */
  get stepsPerSecond(): number {
    return (this.step - this.startStep) / Math.max(this.activeMs / 1000, 1e-9);
  }

  pause(): boolean {
    if (this.currentState !== 'running') return false;
    this.setState('paused');
    return true;
  }

  /** The step of the weights a divergence would go back to, null when none were taken yet. */
  get lastGoodStep(): number | null {
    return this.lastGood?.step ?? null;
  }

  resume(): boolean {
    if (this.currentState !== 'paused' && this.currentState !== 'diverged') return false;
    this.setState('running');
    this.wake?.();
    return true;
  }

  /** Ends the loop after the step in flight; a stopped loop never reports again. */
  stop(): boolean {
    if (this.currentState !== 'running' && this.currentState !== 'paused' && this.currentState !== 'diverged') return false;
    this.setState('stopped');
    this.wake?.();
    return true;
  }

  /** Overrides the state without running hooks: a loop whose caller already moved on to another run. */
  abandon(): void {
    this.currentState = 'stopped';
    this.wake?.();
  }

  async run(): Promise<LoopResult> {
    const o = this.options;
    const exclusive = o.exclusive ?? direct;
    const onAbort = () => this.stop();
    o.signal?.addEventListener('abort', onAbort, { once: true });
    if (o.signal?.aborted) this.stop();
    let lastEval = performance.now();
    let lastEvalMs = 0;
    try {
      await this.takeSnapshot(exclusive);
      while (this.step < o.totalSteps) {
        if (this.currentState === 'diverged' && o.endOnDivergence) break;
        if (this.currentState === 'paused' || this.currentState === 'diverged') {
          await new Promise<void>((resolve) => (this.wake = resolve));
          this.wake = null;
          continue;
        }
        if (this.currentState !== 'running') break;
        const t0 = performance.now();
        const [images, labels] = o.nextBatch();
        const stepNumber = this.step + 1;
        this.record({ step: stepNumber, images, labels });
        const loss = await exclusive(() => o.target.trainStep(images, labels));
        // The loss was read anyway: checking it costs nothing and catches the step that broke.
        if (!Number.isFinite(loss)) {
          await this.diverge(stepNumber, loss, exclusive);
          continue;
        }
        const extra = o.extraBatch?.(this.step);
        if (extra) {
          this.record({ step: stepNumber, images: extra[0], labels: extra[1] });
          await exclusive(() => o.target.trainStep(extra[0], extra[1]));
        }
        this.step++;
        this.loss = loss;
        this.activeMs += performance.now() - t0;
        this.epochLoss += loss;
        this.epochSteps++;
        // A stop during the step: the caller has moved on, so nothing more is reported.
        if ((this.currentState as LoopState) === 'stopped') break;

        const epochEnd = this.step % o.stepsPerEpoch === 0 || this.step === o.totalSteps;
        const byStep = (o.evalEverySteps ?? 0) > 0 && this.step % (o.evalEverySteps ?? 1) === 0;
        // A slow model's evaluation may take longer than the interval: wait at least 4× its last duration
        // too, so evaluating never takes more than a fifth of the time (LeNet under load evaluated every step).
        const byTime = o.evalEveryMs !== undefined && performance.now() - lastEval > Math.max(o.evalEveryMs, 4 * lastEvalMs);
        const forEpoch = epochEnd && (o.evalAtEpochEnd === true || this.hooks.onEpoch !== undefined);
        let accuracy: number | undefined;
        if (byStep || byTime || forEpoch) {
          const e0 = performance.now();
          accuracy = await exclusive(() => o.target.evaluate());
          this.testAccuracy = accuracy;
          lastEval = performance.now();
          lastEvalMs = lastEval - e0;
          // A stop during the evaluation: as after a step, nothing more is reported.
          if ((this.currentState as LoopState) === 'stopped') break;
        }
        const trained = this.step - this.startStep;
        this.hooks.onStep?.({
          step: this.step,
          totalSteps: o.totalSteps,
          loss,
          examplesPerSecond: (trained * o.batchSize) / Math.max(this.activeMs / 1000, 1e-9),
          testAccuracy: accuracy,
        });
        if (epochEnd && this.hooks.onEpoch && accuracy !== undefined) {
          this.hooks.onEpoch({ epoch: Math.ceil(this.step / o.stepsPerEpoch), step: this.step, meanLoss: this.epochLoss / this.epochSteps, testAccuracy: accuracy });
        }
        if (epochEnd) {
          this.epochLoss = 0;
          this.epochSteps = 0;
        }
        if (this.step - this.lastSnapshotTry >= (o.snapshotEverySteps ?? DEFAULT_SNAPSHOT_EVERY)) await this.takeSnapshot(exclusive);
        await this.hooks.afterStep?.(this.step);
        await o.yieldBetweenSteps?.();
      }
      if (this.currentState === 'running' || this.currentState === 'paused') this.setState('finished');
      if ((this.currentState as LoopState) === 'diverged') return { ...this.result(), divergence: this.divergence ?? undefined };
      return this.result();
    } catch (error) {
      if (this.currentState === 'stopped') return this.result();
      this.setState('failed', error);
      return { ...this.result(), error };
    } finally {
      o.signal?.removeEventListener('abort', onAbort);
    }
  }

  /**
   * Replays the diverging step from the last good weights on an unfused plan with every node's output
   * checked, and names the first node that made a non-finite value. The session holds the last good
   * weights again afterwards.
   */
  async diagnose(): Promise<NonFiniteDiagnosis> {
    const weights = this.options.weights;
    const diverged = this.diverged;
    if (!weights || diverged === null) {
      throw new FailedPreconditionError(
        this.divergence === null
          ? 'diagnose: training has not diverged; there is no step to replay'
          : this.divergence.lastGoodStep === null
            ? 'diagnose: no finite weights were kept before the divergence, so there is nothing to replay from'
            : `diagnose: the weights went non-finite long before the loss did (more than ${MAX_REPLAY_SNAPSHOTS} snapshot intervals since step ${this.divergence.lastGoodStep}); too many steps to replay`,
      );
    }
    if (this.currentState === 'running') throw new FailedPreconditionError('diagnose: training is running again; pause it to replay the diverged step');
    const exclusive = this.options.exclusive ?? direct;
    return exclusive(() => weights.replay(diverged.from, diverged.batches));
  }

  /**
   * Keeps a trained batch for a replay. Snapshots that keep failing (weights already non-finite while
   * the loss still reads finite) must not grow this without bound: past the cap the replay is given up.
   */
  private record(batch: ReplayBatch): void {
    if (!this.options.weights || this.sinceGood === null) return;
    if (this.sinceGood.length >= MAX_REPLAY_SNAPSHOTS * (this.options.snapshotEverySteps ?? DEFAULT_SNAPSHOT_EVERY)) this.sinceGood = null;
    else this.sinceGood.push(batch);
  }

  /** Host copy of the weights when they are all finite; a non-finite copy is dropped and the older one stays. */
  private async takeSnapshot(exclusive: <T>(fn: () => Promise<T>) => Promise<T>): Promise<void> {
    const weights = this.options.weights;
    if (!weights) return;
    this.lastSnapshotTry = this.step;
    const step = this.step;
    const snapshot = await exclusive(() => weights.snapshot(step));
    if (snapshot === null) return;
    this.lastGood = snapshot;
    this.sinceGood = [];
  }

  /** The loss of step `step` was not finite: back to the last good weights, report, and wait. */
  private async diverge(step: number, loss: number, exclusive: <T>(fn: () => Promise<T>) => Promise<T>): Promise<void> {
    const { weights } = this.options;
    const good = this.lastGood;
    if (weights && good) {
      await exclusive(() => weights.write(good));
      this.diverged = this.sinceGood === null ? null : { from: good, batches: this.sinceGood };
      this.sinceGood = [];
      // The step count follows the weights: what a save now writes is step `good.step`'s state.
      this.step = good.step;
    }
    this.loss = loss;
    this.epochLoss = 0;
    this.epochSteps = 0;
    this.divergence = divergenceReport(step, loss, good?.step ?? null, weights?.learningRate ?? this.options.learningRate ?? null);
    this.hooks.onDiverged?.(this.divergence);
    // A stop that came in during the step wins: the caller has moved on.
    const state = this.currentState as LoopState;
    if (state === 'running' || state === 'paused') this.setState('diverged');
  }

  private result(): LoopResult {
    return {
      state: this.currentState,
      step: this.step,
      stepsRun: this.step - this.startStep,
      loss: this.loss,
      testAccuracy: this.testAccuracy,
      activeSeconds: this.activeMs / 1000,
    };
  }

  private setState(state: LoopState, error?: unknown): void {
    this.currentState = state;
    this.hooks.onStateChange?.(state, error);
  }
}
