import { describe, it } from 'vitest';
import fc from 'fast-check';
import { FLOAT32_TOL, allocBoth, cpu, expectSameOutput, freeBoth, makeRng, randomFloats, uploadBoth, wasm, type Tolerance } from './test-support';

/**
 * Log-softmax of a row's max element is -log(1 + s) with s the sum of the other exps; when s is
 * ~1e-10, the double 1 + s that both backends take the log of is only good to ~2e-16 absolute,
 * which is a large relative error of that tiny result. Hence an absolute floor at double resolution.
 */
const LOG_SOFTMAX_TOL: Tolerance = { rtol: FLOAT32_TOL.rtol, atol: 1e-14 };

function runBoth(values: ArrayLike<number>, rows: number, cols: number, log: boolean, label: string): void {
  const x = uploadBoth('float32', values);
  const out = allocBoth('float32', rows * cols);
  cpu.softmax?.(x.cpu, out.cpu, { rows, cols, log });
  wasm.softmax(x.wasm, out.wasm, { rows, cols, log });
  expectSameOutput(out, label, log ? LOG_SOFTMAX_TOL : FLOAT32_TOL);
  freeBoth(x, out);
}

describe('wasm fused softmax vs cpu', () => {
  for (const log of [false, true]) {
    it(`${log ? 'log-softmax' : 'softmax'} agrees within a few ulps on random rows`, () => {
      fc.assert(
        fc.property(fc.integer({ min: 0, max: 12 }), fc.integer({ min: 0, max: 70 }), fc.integer(), fc.double({ min: 0.1, max: 60, noNaN: true }), (rows, cols, seed, scale) => {
          runBoth(randomFloats(makeRng(seed), rows * cols, -scale, scale), rows, cols, log, `${rows}x${cols} scale ${scale}`);
        }),
        { numRuns: 40 },
      );
    });

    it(`${log ? 'log-softmax' : 'softmax'} handles huge, tiny, infinite and NaN entries like the cpu`, () => {
      const rows = [
        [1000, 0, -1000, 5],
        [-1e30, -1e30, -1e30, -1e30],
        [Infinity, 1, 2, 3],
        [-Infinity, 1, 2, 3],
        [NaN, 1, 2, 3],
        [88, 89, 90, -200],
      ];
      runBoth(rows.flat(), rows.length, 4, log, 'specials');
    });
  }
});
