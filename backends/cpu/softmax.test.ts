import { describe, it, expect } from 'vitest';
import fc from 'fast-check';
import { createCpuBackend } from './index';
import { download, expectClose, makeRng, randomFloats, upload } from './testing';

const backend = createCpuBackend();

/** The textbook definitions in float64; log-softmax is x - max - log(sum(exp(x - max))). */
function softmaxReference(x: ArrayLike<number>, rows: number, cols: number, log: boolean): number[] {
  const out: number[] = [];
  for (let r = 0; r < rows; r++) {
    const row = Array.from({ length: cols }, (_, c) => x[r * cols + c]);
    const max = Math.max(...row);
    const sum = row.reduce((s, v) => s + Math.exp(v - max), 0);
    for (const v of row) out.push(log ? v - max - Math.log(sum) : Math.exp(v - max) / sum);
  }
  return out;
}

function runSoftmax(values: ArrayLike<number>, rows: number, cols: number, log: boolean): Float32Array {
  const out = backend.alloc('float32', rows * cols);
  backend.softmax?.(upload(backend, 'float32', values), out, { rows, cols, log });
  return download(backend, out) as Float32Array;
}

describe('cpu softmax', () => {
  for (const log of [false, true]) {
    it(`${log ? 'log-softmax' : 'softmax'} matches the float64 reference on random rows`, () => {
      fc.assert(
        fc.property(fc.integer({ min: 0, max: 6 }), fc.integer({ min: 0, max: 40 }), fc.integer(), (rows, cols, seed) => {
          const values = randomFloats(makeRng(seed), rows * cols, -20, 20);
          const got = runSoftmax(values, rows, cols, log);
          expectClose(got, softmaxReference(values, rows, cols, log), { rtol: 1e-5, atol: 1e-6 }, 'softmax');
          if (!log && cols > 0) {
            for (let r = 0; r < rows; r++) {
              let sum = 0;
              for (let c = 0; c < cols; c++) sum += got[r * cols + c];
              expect(sum).toBeCloseTo(1, 5);
            }
          }
        }),
        { numRuns: 80 },
      );
    });
  }

  it('is stable for large logits', () => {
    const e = Math.exp(1);
    expectClose(runSoftmax([1000, 1001], 1, 2, false), [1 / (1 + e), e / (1 + e)], { rtol: 1e-6, atol: 0 });
    expectClose(runSoftmax([-1000, -1001], 1, 2, false), [e / (1 + e), 1 / (1 + e)], { rtol: 1e-6, atol: 0 });
    // log(softmax) would underflow to -Infinity here; the fused form keeps it finite.
    expectClose(runSoftmax([0, -1000], 1, 2, true), [0, -1000], { rtol: 1e-6, atol: 1e-6 });
  });

  it('is advertised as the optional fused kernel', () => {
    expect(typeof backend.softmax).toBe('function');
  });
});
