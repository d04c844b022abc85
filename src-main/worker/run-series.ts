/**
 * One curve of a kept run, bounded: past RUN_SERIES_MAX points every other point is dropped and from then
 * on only every 2nd offered point is taken (then every 4th, …), so a run of any length keeps an evenly
 * thinned curve of at most the maximum, and its latest point is always the last one shown.
 */
import { RUN_SERIES_MAX, type RunPoint } from '../../src-app-api/runs-schemas';

export class RunSeries {
  private kept: RunPoint[] = [];
  /** The newest point, kept apart so the curve always ends where the run is, whatever the stride. */
  private latest: RunPoint | null = null;
  private stride = 1;
  private offered = 0;

  constructor(private readonly max = RUN_SERIES_MAX) {
    if (!Number.isInteger(max) || max < 2) throw new RangeError(`RunSeries: max must be an integer of at least 2, got ${max}`);
  }

  /** Non-finite values are not points (a diverging step's loss is the run's message, not its curve). */
  add(step: number, value: number, seconds: number): void {
    if (!Number.isFinite(value)) return;
    // A step at or before the newest one: the session went back (to its last good weights after a
    // divergence), so the curve past that step no longer describes the weights and is dropped.
    if (this.latest !== null && this.latest[0] >= step) this.rewind(step);
    const point: RunPoint = [step, value, Math.max(0, seconds)];
    if (this.latest !== null && this.offered % this.stride === 0) this.kept.push(this.latest);
    if (this.latest !== null) this.offered++;
    this.latest = point;
    // The latest point takes one place, so the kept ones may fill all but one.
    if (this.kept.length > this.max - 1) {
      this.kept = this.kept.filter((_, i) => i % 2 === 0);
      this.stride *= 2;
    }
  }

  points(): RunPoint[] {
    return this.latest === null ? [...this.kept] : [...this.kept, this.latest];
  }

  get length(): number {
    return this.kept.length + (this.latest === null ? 0 : 1);
  }

  private rewind(step: number): void {
    this.kept = this.kept.filter(([s]) => s < step);
    this.latest = this.kept.pop() ?? null;
  }
}
