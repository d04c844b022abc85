/** The optional fused softmax kernel: run only where the backend implements it (capability, not name). */
import { describe } from 'vitest';
import fc from 'fast-check';
import type { Harness } from './harness';
import { expectClose } from './compare';
import { RUNS, dim, floats, makeRng, seed } from './data';
import { softmaxOracle } from './oracles';

async function checkSoftmax(h: Harness, x: Float32Array, rows: number, cols: number, log: boolean, label: string): Promise<void> {
  const { got, want } = await h.both((sc) => {
    const out = sc.alloc('float32', rows * cols);
    const softmax = sc.backend.softmax;
    if (softmax === undefined) throw new Error(`${sc.backend.name} has no softmax`);
    softmax.call(sc.backend, sc.upload('float32', x), out, { rows, cols, log });
    return out;
  });
  const where = `${log ? 'log-softmax' : 'softmax'} [${rows}, ${cols}] ${label}`;
  expectClose(got, softmaxOracle(x, rows, cols, log), h.tol.softmax, `${where} vs naive`);
  // cpu only runs the comparison when it has the kernel too (it does today).
  if (h.reference.softmax) expectClose(got, want, h.tol.softmax, `${where} vs cpu`);
}

export function softmaxChecks(h: Harness): void {
  describe('softmax (fused, optional)', () => {
    h.check('softmax/random', 'softmax and log-softmax rows of random logits', async (t) => {
      t.skip(typeof h.backend.softmax !== 'function', 'the backend has no fused softmax; the compiler lowers it to primitives');
      await fc.assert(
        fc.asyncProperty(dim(8), dim(60), fc.boolean(), seed, async (rows, cols, log, s) => {
          await checkSoftmax(h, floats(makeRng(s), rows * cols, -8, 8), rows, cols, log, `(seed ${s})`);
        }),
        { numRuns: RUNS },
      );
    });

    h.check('softmax/large-logits', 'stays finite and exact-ish for huge, widely spread, equal and single-column logits', async (t) => {
      t.skip(typeof h.backend.softmax !== 'function', 'the backend has no fused softmax; the compiler lowers it to primitives');
      const rng = makeRng(9);
      const cases: [string, Float32Array, number, number][] = [
        ['around +1e4', floats(rng, 40, 1e4 - 5, 1e4 + 5), 4, 10],
        ['around -1e4', floats(rng, 40, -1e4 - 5, -1e4 + 5), 4, 10],
        ['spread ±1e3', Float32Array.from([1000, -1000, 0, 999, -3e4, 3e4, 88, 89]), 2, 4],
        ['equal', new Float32Array(12).fill(3.5), 3, 4],
        ['one column', floats(rng, 5, -1e4, 1e4), 5, 1],
      ];
      for (const [label, x, rows, cols] of cases) {
        for (const log of [false, true]) await checkSoftmax(h, x, rows, cols, log, label);
      }
    });
  });
}
