/**
 * Coalesces per-step training updates into at most one message per interval (~30/s), so a fast model on
 * a fast backend cannot flood the router or the renderer. Loss points are averaged per flush; accuracy
 * points (rare) are all kept.
 */
import type { Progress } from '../../src-app-api/schemas';

export type ProgressCore = Omit<Progress, 'lossPoints' | 'accuracyPoints'>;

export class ProgressThrottle {
  private lastSent = -Infinity;
  private lossSum = 0;
  private lossCount = 0;
  private lossStep = 0;
  private accuracy: [number, number][] = [];
  private timer: ReturnType<typeof setTimeout> | null = null;
  private latest: ProgressCore | null = null;

  constructor(private readonly emit: (p: Progress) => void, private readonly intervalMs = 33, private readonly now = () => performance.now()) {}

  addLoss(step: number, loss: number): void {
    this.lossSum += loss;
    this.lossCount += 1;
    this.lossStep = step;
  }

  addAccuracy(step: number, accuracy: number): void {
    this.accuracy.push([step, accuracy]);
  }

  /** Records the latest state; sends now if the interval has passed, else schedules one trailing send. */
  update(core: ProgressCore, force = false): void {
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
    const lossPoints: [number, number][] = this.lossCount > 0 ? [[this.lossStep, this.lossSum / this.lossCount]] : [];
    this.emit({ ...this.latest, lossPoints, accuracyPoints: this.accuracy });
    this.lossSum = 0;
    this.lossCount = 0;
    this.accuracy = [];
    this.lastSent = this.now();
  }
}
