import { describe, expect, it } from 'vitest';
import type { RunRecord } from '../../src-app-api/runs-schemas';
import { RUN_COLORS, runCurves } from './run-chart';
import { smoothPoints, smoothValues } from './run-smoothing';
import { csvField, runsCsv } from './runs-csv';

describe('smoothValues (TensorBoard EMA, debiased)', () => {
  it('is the raw curve at 0, debiased from the first point, and flattens as the weight grows', () => {
    const raw = [4, 2, 3, 1, 5, 0, 2];
    expect(smoothValues(raw, 0)).toEqual(raw);
    const half = smoothValues(raw, 0.5);
    expect(half[0]).toBeCloseTo(4, 12); // no pull toward 0 at the start
    // By hand: last = 0.5·0 + 0.5·4 = 2 → 2/0.5 = 4; last = 0.5·2 + 0.5·2 = 2 → 2/0.75.
    expect(half[1]).toBeCloseTo(2 / 0.75, 12);
    const spread = (v: number[]) => Math.max(...v.slice(2)) - Math.min(...v.slice(2));
    expect(spread(smoothValues(raw, 0.9))).toBeLessThan(spread(half));
    expect(spread(half)).toBeLessThan(spread(raw));
  });

  it('passes non-finite values through, keeps a constant curve exact, and refuses weights outside 0–0.99', () => {
    const [one, nan, three] = smoothValues([1, Number.NaN, 3], 0.5);
    expect([one, nan]).toEqual([1, Number.NaN]);
    expect(three).toBeCloseTo((0.5 * 0.5 * 1 + 0.5 * 3) / 0.75, 12); // the NaN did not enter the average
    expect(smoothValues([0.1, 0.1, 0.1, 0.1], 0.95)).toEqual([0.1, 0.1, 0.1, 0.1]);
    expect(() => smoothValues([1], 1)).toThrow('smoothing must be between 0 and 0.99, got 1');
    expect(() => smoothValues([1], -0.1)).toThrow(RangeError);
    expect(smoothPoints([[10, 1], [20, 3]], 0.5).map(([x]) => x)).toEqual([10, 20]);
  });
});

const run = (over: Partial<RunRecord>): RunRecord => ({
  id: '20260101-000000-abcdef',
  name: 'softmax-sgd-lr0.5',
  startedAt: '2026-01-01T00:00:00.000Z',
  updatedAt: '2026-01-01T00:01:00.000Z',
  settings: { model: 'softmax', optimizer: 'sgd', learningRate: 0.5, batchSize: 50, epochs: 1, steps: null, totalSteps: 160, data: 'bundled digits', classes: 10 },
  backends: [{ step: 0, backend: 'cpu' }],
  learningRates: [],
  state: 'finished',
  startStep: 0,
  step: 3,
  finalLoss: 0.5,
  finalAccuracy: 0.8,
  restoredFrom: null,
  message: null,
  loss: [],
  accuracy: [],
  ...over,
});

describe('runsCsv', () => {
  it('quotes names with commas, quotes and line breaks (RFC 4180)', () => {
    expect(csvField('plain')).toBe('plain');
    expect(csvField('a,b')).toBe('"a,b"');
    expect(csvField('say "hi"')).toBe('"say ""hi"""');
    expect(csvField('two\nlines')).toBe('"two\nlines"');
    expect(csvField(null)).toBe('');
    expect(csvField(0.001)).toBe('0.001');
  });

  it('writes one row per run per step with the settings, the backend and rate in effect, and empty cells where a step has no value', () => {
    const a = run({
      name: 'lr, "big"',
      loss: [[1, 2.5, 0.1], [2, 1.5, 0.2], [3, 0.5, 0.3]],
      accuracy: [[2, 0.6, 0.25], [3, 0.8, 0.3]],
      backends: [{ step: 0, backend: 'cpu' }, { step: 3, backend: 'wasm' }],
      learningRates: [{ step: 2, learningRate: 0.05 }],
    });
    const b = run({ id: '20260101-000100-000001', name: 'second', loss: [[1, 2, 1.23456]], accuracy: [], settings: { ...a.settings, data: '/data/my,set', optimizer: 'adam', learningRate: 0.001 } });
    expect(runsCsv([a, b]).split('\n')).toEqual([
      'run,id,model,data,optimizer,lr,batch,backend,step,loss,accuracy,wall_s',
      '"lr, ""big""",20260101-000000-abcdef,softmax,bundled digits,sgd,0.5,50,cpu,1,2.5,,0.1',
      '"lr, ""big""",20260101-000000-abcdef,softmax,bundled digits,sgd,0.05,50,cpu,2,1.5,0.6,0.2',
      '"lr, ""big""",20260101-000000-abcdef,softmax,bundled digits,sgd,0.05,50,wasm,3,0.5,0.8,0.3',
      'second,20260101-000100-000001,softmax,"/data/my,set",adam,0.001,50,cpu,1,2,,1.235',
      '',
    ]);
  });
});

describe('runCurves', () => {
  it('puts steps or wall time on x, one colour per run, and leaves out (and counts) non-positive values on a log scale', () => {
    const a = run({ loss: [[1, 2, 0.5], [2, 0, 1], [3, -1, 1.5], [4, 1, 2]] });
    const b = run({ id: '20260101-000100-000001', name: 'b', loss: [[10, 3, 7]] });
    const bySteps = runCurves([a, b], 'loss', { smoothing: 0, logScale: false, xAxis: 'step' });
    expect(bySteps.curves.map((c) => [c.label, c.color, c.raw.map(([x]) => x)])).toEqual([
      ['softmax-sgd-lr0.5', RUN_COLORS[0], [1, 2, 3, 4]],
      ['b', RUN_COLORS[1], [10]],
    ]);
    expect(bySteps.leftOut).toBe(0);
    const byWall = runCurves([a], 'loss', { smoothing: 0, logScale: true, xAxis: 'wall' });
    expect(byWall.curves[0].raw).toEqual([[0.5, 2], [2, 1]]);
    expect(byWall.leftOut).toBe(2);
    expect(runCurves([a], 'loss', { smoothing: 0.9, logScale: true, xAxis: 'step' }).curves[0].smoothed[1][1]).toBeGreaterThan(1);
  });
});
