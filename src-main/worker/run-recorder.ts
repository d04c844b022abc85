/**
 * Records the session's training run into the RunStore as it goes: its settings when it starts, every
 * reported loss and accuracy (thinned by RunSeries), backend moves and learning-rate changes with their
 * step, and how it ended. Written when something changes and at most every RUN_WRITE_MS while it trains.
 */
import type { RunRecord, RunState } from '../../src-app-api/runs-schemas';
import type { TrainConfig } from '../../src-app-api/schemas';
import { RunSeries } from './run-series';
import { RunStore } from './runs';

const RUN_WRITE_MS = 5000;
/** The listed copy of a training run is refreshed at most this often (copying its curves every step would cost the step). */
const RUN_SYNC_MS = 250;

export interface RunStart {
  config: TrainConfig;
  /** The backend it runs on now (the config's may have been a default). */
  backend: string;
  totalSteps: number;
  /** The data's description: "bundled digits" or the folder. */
  data: string;
  classes: number;
  startStep: number;
  /** "checkpoint NAME at step S" for a continued checkpoint or autosave, else null. */
  restoredFrom: string | null;
}

export interface StepReport {
  step: number;
  loss: number;
  testAccuracy?: number;
}

interface LiveRun {
  record: RunRecord;
  loss: RunSeries;
  accuracy: RunSeries;
  startedMs: number;
  lastWriteMs: number;
  lastSyncMs: number;
}

export class RunRecorder {
  private live: LiveRun | null = null;
  /** A restored session becomes a run at its first trained step (merely reopening one records nothing). */
  private pending: RunStart | null = null;

  constructor(
    readonly store: RunStore,
    private readonly now: () => number = Date.now,
  ) {}

  /** The id of the run being recorded, null before its first step or after it was deleted. */
  get currentId(): string | null {
    return this.current()?.record.id ?? null;
  }

  /** A new run; `lazy`: only once it trains a step (a reopened checkpoint that is never resumed is no run). */
  begin(start: RunStart, lazy: boolean): void {
    this.endLive('stopped');
    this.pending = start;
    if (!lazy) this.open();
  }

  learningRate(step: number, learningRate: number): void {
    const live = this.current();
    if (live === null) {
      if (this.pending !== null) this.pending = { ...this.pending, config: { ...this.pending.config, learningRate } };
      return;
    }
    live.record.learningRates.push({ step, learningRate });
    this.save(live);
  }

  step(report: StepReport, backend: string): void {
    if (this.pending !== null) this.open();
    const live = this.current();
    if (live === null) return;
    const { record } = live;
    const seconds = (this.now() - live.startedMs) / 1000;
    live.loss.add(report.step, report.loss, seconds);
    if (report.testAccuracy !== undefined) live.accuracy.add(report.step, report.testAccuracy, seconds);
    record.step = report.step;
    if (Number.isFinite(report.loss)) record.finalLoss = report.loss;
    if (report.testAccuracy !== undefined && Number.isFinite(report.testAccuracy)) record.finalAccuracy = report.testAccuracy;
    const moved = record.backends[record.backends.length - 1].backend !== backend;
    if (moved) record.backends.push({ step: report.step, backend });
    const now = this.now();
    if (moved || now - live.lastWriteMs >= RUN_WRITE_MS) this.save(live, true);
    else if (now - live.lastSyncMs >= RUN_SYNC_MS) this.save(live, false);
  }

  /**
   * The loop's state changed; `message`: a failure's error or a divergence's sentence; `step`: where the
   * session is now (after a divergence: the step of the weights it went back to).
   */
  state(state: RunState, message: string | null, step?: number): void {
    const live = this.current();
    if (live === null) return;
    live.record.state = state;
    if (step !== undefined) live.record.step = step;
    if (message !== null) live.record.message = message;
    this.save(live);
  }

  /** The session is being replaced: a run still going ends as stopped. */
  private endLive(state: RunState): void {
    const live = this.current();
    if (live !== null && (live.record.state === 'running' || live.record.state === 'paused')) this.state(state, null);
    this.live = null;
  }

  private open(): void {
    const start = this.pending as RunStart;
    this.pending = null;
    const startedMs = this.now();
    const { config } = start;
    const record: RunRecord = {
      id: runId(startedMs),
      name: `${config.model}-${config.optimizer}-lr${config.learningRate}${start.startStep > 0 ? `-from${start.startStep}` : ''}`.slice(0, 100),
      startedAt: new Date(startedMs).toISOString(),
      updatedAt: new Date(startedMs).toISOString(),
      settings: {
        model: config.model,
        optimizer: config.optimizer,
        learningRate: config.learningRate,
        batchSize: config.batchSize,
        epochs: config.epochs,
        steps: config.steps,
        totalSteps: start.totalSteps,
        data: start.data,
        classes: start.classes,
      },
      backends: [{ step: start.startStep, backend: start.backend }],
      learningRates: [],
      state: 'running',
      startStep: start.startStep,
      step: start.startStep,
      finalLoss: null,
      finalAccuracy: null,
      restoredFrom: start.restoredFrom,
      message: null,
      loss: [],
      accuracy: [],
    };
    this.live = { record, loss: new RunSeries(), accuracy: new RunSeries(), startedMs, lastWriteMs: startedMs, lastSyncMs: startedMs };
    this.save(this.live);
  }

  /** The live run, unless the user deleted it meanwhile (then nothing more is recorded for it). */
  private current(): LiveRun | null {
    return this.live !== null && this.store.peek(this.live.record.id) !== undefined ? this.live : null;
  }

  private save(live: LiveRun, write = true): void {
    const kept = this.store.peek(live.record.id);
    // A rename in the Runs view meanwhile is the run's name from now on.
    if (kept !== undefined) live.record.name = kept.name;
    const now = this.now();
    live.lastSyncMs = now;
    if (write) live.lastWriteMs = now;
    live.record.updatedAt = new Date(now).toISOString();
    live.record.loss = live.loss.points();
    live.record.accuracy = live.accuracy.points();
    this.store.put({ ...live.record, backends: [...live.record.backends], learningRates: [...live.record.learningRates] }, { live: true, write });
  }
}

/** Sortable by time, unique by its random tail: 20261205-161530-3f9a1c. */
function runId(ms: number): string {
  const iso = new Date(ms).toISOString();
  const stamp = `${iso.slice(0, 10).replaceAll('-', '')}-${iso.slice(11, 19).replaceAll(':', '')}`;
  return `${stamp}-${Math.floor(Math.random() * 0x1000000).toString(16).padStart(6, '0')}`;
}
