/**
 * What the Runs view draws for one metric of the checked runs: per run its raw curve (drawn faint) and
 * its smoothed one, against steps or wall time; on a log scale only positive values can be placed, so
 * the others are left out and counted (the view says so).
 */
import type { RunRecord } from '../../src-app-api/runs-schemas';
import { smoothPoints } from './run-smoothing';

/** One colour per overlaid run (RUNS_GET_MAX of them), told apart also in grey print. */
export const RUN_COLORS = ['#2563eb', '#dc2626', '#16a34a', '#9333ea', '#ea580c', '#0891b2', '#be185d', '#4d7c0f', '#78350f', '#334155'];

export interface RunCurve {
  id: string;
  label: string;
  color: string;
  raw: [number, number][];
  smoothed: [number, number][];
}

export function runCurves(records: readonly RunRecord[], metric: 'loss' | 'accuracy', options: { smoothing: number; logScale: boolean; xAxis: 'step' | 'wall' }): { curves: RunCurve[]; leftOut: number } {
  let leftOut = 0;
  const curves = records.map((run, i) => {
    let points = run[metric].map(([step, value, wall]): [number, number] => [options.xAxis === 'step' ? step : wall, value]);
    if (options.logScale) {
      const positive = points.filter(([, y]) => y > 0);
      leftOut += points.length - positive.length;
      points = positive;
    }
    return { id: run.id, label: run.name, color: RUN_COLORS[i % RUN_COLORS.length], raw: points, smoothed: smoothPoints(points, options.smoothing) };
  });
  return { curves, leftOut };
}
