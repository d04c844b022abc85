/** The "see inside" channels' requests: a bad test index or drawing is refused in words naming the field. */
import { describe, expect, it } from 'vitest';
import { parsePayload } from './wire';

describe('inspect:activations and inspect:histories requests', () => {
  it('takes a test index or 784 pixels, exactly one of them', () => {
    expect(parsePayload('inspect:activations', { source: { testIndex: 12 } })).toEqual({ source: { testIndex: 12 } });
    const pixels = new Array<number>(784).fill(0.5);
    expect(parsePayload('inspect:activations', { source: { pixels } })).toEqual({ source: { pixels } });
    expect(() => parsePayload('inspect:activations', { source: { testIndex: 1.5 } })).toThrow("IPC 'inspect:activations': rejected: source.testIndex: Test image must be a whole number");
    expect(() => parsePayload('inspect:activations', { source: { testIndex: -1 } })).toThrow('source.testIndex: Test image must be 0 or more');
    expect(() => parsePayload('inspect:activations', { source: {} })).toThrow('source: give either testIndex (a test image) or pixels (a drawing)');
    expect(() => parsePayload('inspect:activations', { source: { testIndex: 1, pixels } })).toThrow('give either testIndex');
    expect(() => parsePayload('inspect:activations', { source: { pixels: [2] } })).toThrow('source.pixels');
  });

  it('names a variable or asks for the first (null)', () => {
    expect(parsePayload('inspect:histories', { variable: null })).toEqual({ variable: null });
    expect(parsePayload('inspect:histories', { variable: 'conv1/weight' })).toEqual({ variable: 'conv1/weight' });
    expect(() => parsePayload('inspect:histories', { variable: '' })).toThrow("IPC 'inspect:histories': rejected: variable");
    expect(() => parsePayload('inspect:histories', {})).toThrow('variable');
  });
});
