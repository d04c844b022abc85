/**
 * TensorBoard's "offset" histogram view as SVG geometry: one ridge per sampled step, oldest at the back
 * (top), newest in front (bottom), all on one value axis, each ridge scaled to its own tallest bin.
 */
import type { Histogram } from '../../src-app-api/inspect-schemas';

export interface Ridge {
  step: number;
  path: string;
  /** 0 for the oldest shown ridge, 1 for the newest: the colour ramp. */
  age: number;
  baseline: number;
}

export interface RidgePlot {
  ridges: Ridge[];
  /** The value axis: [lo, hi] across every shown sample. */
  lo: number;
  hi: number;
  /** Steps labelled on the step axis, with their baselines. */
  stepTicks: { step: number; y: number }[];
  width: number;
  height: number;
  /** Samples recorded but not drawn (more than `maxRidges`). */
  skipped: number;
}

export interface RidgeOptions {
  width: number;
  height: number;
  maxRidges: number;
}

/** Picks at most `max` of `n` indices, evenly, always keeping the first and the last. */
export function evenly(n: number, max: number): number[] {
  if (n <= max) return Array.from({ length: n }, (_, i) => i);
  return Array.from({ length: max }, (_, k) => Math.round((k * (n - 1)) / (max - 1)));
}

export function ridgePlot(samples: readonly { step: number; hist: Histogram }[], { width, height, maxRidges }: RidgeOptions): RidgePlot {
  const picked = evenly(samples.length, maxRidges).map((i) => samples[i]);
  let lo = Math.min(...picked.map((s) => s.hist.min));
  let hi = Math.max(...picked.map((s) => s.hist.max));
  if (!Number.isFinite(lo) || !Number.isFinite(hi)) [lo, hi] = [0, 0];
  // A constant tensor (zeros at initialisation) still needs an axis to stand on.
  if (hi - lo < 1e-12) [lo, hi] = [lo - 0.5, hi + 0.5];
  const x = (v: number): number => ((v - lo) / (hi - lo)) * width;
  const n = picked.length;
  const ridgeHeight = Math.max(14, Math.min(60, (height / Math.max(n, 1)) * 4));
  // Room above the first ridge for the step axis' title.
  const top = 10;
  const spacing = n > 1 ? (height - top - ridgeHeight) / (n - 1) : 0;
  const ridges = picked.map((s, k): Ridge => {
    const baseline = top + ridgeHeight + k * spacing;
    const { min, max, counts } = s.hist;
    const peak = Math.max(1, ...counts);
    const bins = counts.length;
    let path: string;
    if (max - min < 1e-12) {
      const px = x(min);
      path = `M${(px - 2).toFixed(1)},${baseline.toFixed(1)} L${px.toFixed(1)},${(baseline - (counts[0] > 0 ? ridgeHeight : 0)).toFixed(1)} L${(px + 2).toFixed(1)},${baseline.toFixed(1)} Z`;
    } else {
      const points = counts.map((c, i) => `L${x(min + ((i + 0.5) * (max - min)) / bins).toFixed(1)},${(baseline - (c / peak) * ridgeHeight).toFixed(1)}`);
      path = `M${x(min).toFixed(1)},${baseline.toFixed(1)} ${points.join(' ')} L${x(max).toFixed(1)},${baseline.toFixed(1)} Z`;
    }
    return { step: s.step, path, age: n > 1 ? k / (n - 1) : 1, baseline };
  });
  const tickIdx = [...new Set(evenly(n, Math.min(n, 5)))];
  return { ridges, lo, hi, stepTicks: tickIdx.map((k) => ({ step: ridges[k].step, y: ridges[k].baseline })), width, height, skipped: samples.length - n };
}

/** Light (old) to deep orange (new), as TensorBoard colours its steps. */
export function ridgeColor(age: number): string {
  return `hsl(24, ${Math.round(50 + 45 * age)}%, ${Math.round(78 - 38 * age)}%)`;
}
