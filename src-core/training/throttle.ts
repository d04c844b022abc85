/**
 * Coalesces per-step training updates into at most one callback per interval (~30/s by default), so a
 * fast model on a fast backend cannot flood a UI, a socket or a terminal. Loss points are averaged per
 * flush; accuracy points (rare) are all kept. `restart` marks the next flush as starting the series over
 * (a new run, a restored checkpoint), seeded with the history the series should continue from.
 */
export type SeriesPoint = [step: number, value: number];

export interface ThrottledUpdate<Core> {
  core: Core;
  lossPoints: SeriesPoint[];
  accuracyPoints: SeriesPoint[];
  /** The receiver drops the points it holds before appending these. */
  seriesReset: boolean;
}

export class ProgressThrottle<Core> {
  private lastSent = -Infinity;
  private lossSum = 0;
  private lossCount = 0;
  private lossStep = 0;
  private seededLoss: SeriesPoint[] = [];
  private accuracy: SeriesPoint[] = [];
  private reset = false;
  private timer: ReturnType<typeof setTimeout> | null = null;
  private latest: Core | null = null;

  constructor(
    private readonly emit: (update: ThrottledUpdate<Core>) => void,
    private readonly intervalMs = 33,
    private readonly now = () => performance.now(),
  ) {}

  addLoss(step: number, loss: number): void {
    this.lossSum += loss;
    this.lossCount += 1;
    this.lossStep = step;
  }

  addAccuracy(step: number, accuracy: number): void {
    this.accuracy.push([step, accuracy]);
  }

  /** Drops what is pending; the next message restarts the series from `history` (empty for a new run). */
  restart(history: { loss: SeriesPoint[]; accuracy: SeriesPoint[] } = { loss: [], accuracy: [] }): void {
    this.lossSum = 0;
    this.lossCount = 0;
    this.seededLoss = [...history.loss];
    this.accuracy = [...history.accuracy];
    this.reset = true;
  }

  /** Records the latest state; sends now if the interval has passed, else schedules one trailing send. */
  update(core: Core, force = false): void {
    this.latest = core;
    const wait = this.lastSent + this.intervalMs - this.now();
    if (force || wait <= 0) {
      this.flush();
    } else if (this.timer === null) {
      this.timer = setTimeout(() => this.flush(), wait);
    }
  }

  flush(): void {
    if (this.timer !== null) clearTimeout(this.timer);
    this.timer = null;
    if (this.latest === null) return;
    const lossPoints: SeriesPoint[] = this.seededLoss;
    if (this.lossCount > 0) lossPoints.push([this.lossStep, this.lossSum / this.lossCount]);
    this.emit({ core: this.latest, lossPoints, accuracyPoints: this.accuracy, seriesReset: this.reset });
    this.lossSum = 0;
    this.lossCount = 0;
    this.seededLoss = [];
    this.accuracy = [];
    this.reset = false;
    this.lastSent = this.now();
  }
}
