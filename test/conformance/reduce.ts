/**
 * reduce and argReduce on [outer, reduce, inner] views with empty and size-1 dims, and reductions of a
 * million elements held to float32 error bounds, against cpu and naive float64 loops.
 */
import { describe, expect } from 'vitest';
import fc from 'fast-check';
import type { ArgReduceOp, DType, ReduceArgs, ReduceOp } from '../../backends/interface';
import type { Body, Harness } from './harness';
import { expectClose, expectExact } from './compare';
import { RUNS, floats, grid, ints, makeRng, seed } from './data';
import { argReduceOracle, reduceOracle, store } from './oracles';

const REDUCE_OPS: readonly ReduceOp[] = ['sum', 'max', 'min', 'prod'];
const ARG_OPS: readonly ArgReduceOp[] = ['argmax', 'argmin'];
const NUMERIC: readonly DType[] = ['float32', 'int32'];

/** Sizes 1..6, with size 1 made common since those views are where indexing slips. */
const extent = fc.oneof(fc.constant(1), fc.integer({ min: 1, max: 6 }));
const reduceArgs = fc.record({ outer: extent, reduce: fc.oneof(extent, fc.constant(0)), inner: extent });

/** prod stays near 1 (floats) or small (ints) so it neither overflows nor underflows. */
function input(op: ReduceOp | ArgReduceOp, dtype: DType, size: number, s: number): ArrayLike<number> {
  const rng = makeRng(s);
  if (dtype === 'int32') return op === 'prod' ? ints(rng, size, -3, 3) : ints(rng, size, -1000, 1000);
  if (op === 'prod') return floats(rng, size, 0.5, 1.5);
  return s % 2 ? grid(rng, size) : floats(rng, size);
}

function reduceBody(op: ReduceOp, dtype: DType, x: ArrayLike<number>, args: ReduceArgs): Body {
  return (sc) => {
    const out = sc.alloc(dtype, args.outer * args.inner);
    sc.backend.reduce(op, sc.upload(dtype, x), out, args);
    return out;
  };
}

export function reduceChecks(h: Harness): void {
  describe('reduce and argReduce', () => {
    for (const op of REDUCE_OPS) {
      h.check(`reduce/${op}`, `${op} over [outer, reduce, inner] incl. an empty reduce axis`, async () => {
        await fc.assert(
          fc.asyncProperty(reduceArgs, seed, async (args, s) => {
            for (const dtype of NUMERIC) {
              if (!h.supports(dtype)) continue;
              const x = input(op, dtype, args.outer * args.reduce * args.inner, s);
              const { got, want } = await h.both(reduceBody(op, dtype, x, args));
              const label = `${op} ${dtype} [${args.outer}, ${args.reduce}, ${args.inner}] (seed ${s})`;
              const { value, magnitude } = reduceOracle(op, x, args);
              // Selections and integer sums are exact; float sums and products are held to Σ|x| (∏|x|).
              const exact = dtype === 'int32' || op === 'max' || op === 'min';
              const tol = op === 'sum' ? h.tol.reduceSum : h.tol.reduceProd;
              // An empty axis gives the reduction's identity (int32 clips ±Infinity), as cpu and TF do.
              if (exact) expectExact(got, want, `${label} vs cpu`);
              else expectClose(got, want, tol, `${label} vs cpu`, magnitude);
              if (args.reduce === 0) continue;
              if (exact) expectExact(got, Array.from(value, (v) => store(dtype, v)), `${label} vs naive`);
              else expectClose(got, value, tol, `${label} vs naive`, magnitude);
            }
          }),
          { numRuns: RUNS },
        );
      });
    }

    for (const op of ARG_OPS) {
      h.check(`argReduce/${op}`, `${op} returns int32 indices, the first one on ties`, async () => {
        await fc.assert(
          fc.asyncProperty(fc.record({ outer: extent, reduce: extent, inner: extent }), seed, async (args, s) => {
            for (const dtype of NUMERIC) {
              if (!h.supports(dtype)) continue;
              const x = input(op, dtype, args.outer * args.reduce * args.inner, s);
              const { got, want } = await h.both((sc) => {
                const out = sc.alloc('int32', args.outer * args.inner);
                sc.backend.argReduce(op, sc.upload(dtype, x), out, args);
                return out;
              });
              const label = `${op} ${dtype} [${args.outer}, ${args.reduce}, ${args.inner}] (seed ${s})`;
              expect(got, `${label}: result is int32`).toBeInstanceOf(Int32Array);
              expectExact(got, argReduceOracle(op, x, args), `${label} vs naive`);
              expectExact(got, want, `${label} vs cpu`);
            }
          }),
          { numRuns: RUNS },
        );
      });
    }

    largeReductionChecks(h);
  });
}

const LARGE = 1_000_000;

/** One million elements as one row, as 1000 rows and as 1000 columns (a strided inner axis). */
const LARGE_VIEWS: readonly ReduceArgs[] = [
  { outer: 1, reduce: LARGE, inner: 1 },
  { outer: 1000, reduce: 1000, inner: 1 },
  { outer: 1, reduce: 1000, inner: 1000 },
];

function largeReductionChecks(h: Harness): void {
  h.check('reduce/large-sum', 'sums a million float32 values within the float32 error bound (positive and mixed-sign data)', async (t) => {
    t.skip(h.backend.capabilities.maxBufferElements < LARGE, 'the backend cannot hold a million elements');
    const rng = makeRng(1);
    // All-positive data has no cancellation, so the accumulated rounding error is as large as it gets.
    for (const [kind, x] of [['positive', floats(rng, LARGE, 0, 1)], ['mixed-sign', floats(rng, LARGE, -1, 1)]] as const) {
      for (const args of LARGE_VIEWS) {
        const got = await h.compute(h.backend, reduceBody('sum', 'float32', x, args));
        const { value, magnitude } = reduceOracle('sum', x, args);
        expectClose(got, value, h.tol.reduceLarge, `sum of ${kind} data over [${args.outer}, ${args.reduce}, ${args.inner}]`, magnitude);
      }
    }
  });

  h.check('reduce/large-extremes', 'max, min, argmax and argmin of a million elements find extremes planted anywhere, incl. the tail', async (t) => {
    t.skip(h.backend.capabilities.maxBufferElements < LARGE, 'the backend cannot hold a million elements');
    const x = floats(makeRng(2), LARGE, -1, 1);
    // The tail and block edges are where parallel reductions drop elements.
    for (const at of [0, 65535, 524288, LARGE - 1]) {
      const planted = Float32Array.from(x);
      const low = (at + 1) % LARGE;
      planted[at] = 2;
      planted[low] = -2;
      const [max, min, argmax, argmin] = await h.computeAll(h.backend, (sc) => {
        const source = sc.upload('float32', planted);
        const outs = [sc.alloc('float32', 1), sc.alloc('float32', 1), sc.alloc('int32', 1), sc.alloc('int32', 1)];
        sc.backend.reduce('max', source, outs[0], LARGE_VIEWS[0]);
        sc.backend.reduce('min', source, outs[1], LARGE_VIEWS[0]);
        sc.backend.argReduce('argmax', source, outs[2], LARGE_VIEWS[0]);
        sc.backend.argReduce('argmin', source, outs[3], LARGE_VIEWS[0]);
        return outs;
      });
      expectExact([max[0], min[0], argmax[0], argmin[0]], [2, -2, at, low], `[max, min, argmax, argmin] with 2 at ${at} and -2 at ${low}`);
    }
  });

  h.check('reduce/large-int32', 'sums a million int32 values exactly', async (t) => {
    t.skip(!h.supports('int32') || h.backend.capabilities.maxBufferElements < LARGE, 'needs int32 and a million elements');
    const x = ints(makeRng(3), LARGE, -1000, 1000);
    for (const args of LARGE_VIEWS) {
      const got = await h.compute(h.backend, reduceBody('sum', 'int32', x, args));
      expectExact(got, reduceOracle('sum', x, args).value, `int32 sum over [${args.outer}, ${args.reduce}, ${args.inner}]`);
    }
  });
}
