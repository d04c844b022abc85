/** The Compare view's note and export column for the GPU adapter a row ran on. */
import { describe, expect, it } from 'vitest';
import type { CompareRow } from '../../src-app-api/schemas';
import { adapterNote, rowsToCsv } from './compare';

const row = (backend: string, adapter?: CompareRow['adapter']): CompareRow => ({
  backend, steps: 10, stepsPerSecond: 5, msPerStep: 200, timeToAccuracy: null, finalAccuracy: 0.8,
  lossMaxDiff: 0, lossMeanDiff: 0, weightMaxDiff: 0, weightMeanDiff: 0, stopped: null, error: null, ...(adapter ? { adapter } : {}),
});

describe('compare rows: software adapter', () => {
  it('notes a software adapter only', () => {
    expect(adapterNote(row('webgpu', { description: 'navigator.gpu (google swiftshader)', software: true }))).toBe('software adapter');
    expect(adapterNote(row('webgpu', { description: 'dawn (NVIDIA H100)', software: false }))).toBeNull();
    expect(adapterNote(row('cpu'))).toBeNull();
  });

  it('exports the adapter as the last CSV column, marked when software', () => {
    const lines = rowsToCsv([
      row('cpu'),
      row('webgpu', { description: 'navigator.gpu (google swiftshader)', software: true }),
      row('gpu2', { description: 'dawn (NVIDIA H100)', software: false }),
    ]).trimEnd().split('\n');
    expect(lines[0]!.split(',').at(-1)).toBe('adapter');
    expect(lines[1]!.endsWith(',')).toBe(true);
    expect(lines[2]!.endsWith(',"navigator.gpu (google swiftshader) (software adapter)"')).toBe(true);
    expect(lines[3]!.endsWith(',"dawn (NVIDIA H100)"')).toBe(true);
  });
});
