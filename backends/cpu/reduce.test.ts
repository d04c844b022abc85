import { describe, it, expect } from 'vitest';
import fc from 'fast-check';
import type { ArgReduceOp, DType, ReduceArgs, ReduceOp } from '../interface';
import { createCpuBackend } from './index';
import { download, expectClose, gridFloats, makeRng, randomFloats, randomInts, upload } from './testing';

const backend = createCpuBackend();

/** Plain triple loop over [outer, reduce, inner], accumulating in float64. */
function reduceReference(op: ReduceOp, x: ArrayLike<number>, { outer, reduce, inner }: ReduceArgs): number[] {
  const out: number[] = [];
  for (let o = 0; o < outer; o++) {
    for (let j = 0; j < inner; j++) {
      let acc = op === 'sum' ? 0 : op === 'prod' ? 1 : op === 'max' ? -Infinity : Infinity;
      for (let r = 0; r < reduce; r++) {
        const v = x[(o * reduce + r) * inner + j];
        if (op === 'sum') acc += v;
        else if (op === 'prod') acc *= v;
        else if (Number.isNaN(v) || Number.isNaN(acc)) acc = NaN;
        else acc = op === 'max' ? Math.max(acc, v) : Math.min(acc, v);
      }
      out.push(acc);
    }
  }
  return out;
}

/** First index of the extreme value; the first NaN wins outright. */
function argReference(op: ArgReduceOp, x: ArrayLike<number>, { outer, reduce, inner }: ReduceArgs): number[] {
  const out: number[] = [];
  for (let o = 0; o < outer; o++) {
    for (let j = 0; j < inner; j++) {
      let best = 0;
      for (let r = 0; r < reduce; r++) {
        const v = x[(o * reduce + r) * inner + j];
        if (Number.isNaN(v)) {
          best = r;
          break;
        }
        const current = x[(o * reduce + best) * inner + j];
        if (op === 'argmax' ? v > current : v < current) best = r;
      }
      out.push(best);
    }
  }
  return out;
}

const dims = fc.record({
  outer: fc.oneof(fc.integer({ min: 0, max: 4 }), fc.constant(1)),
  reduce: fc.oneof(fc.integer({ min: 0, max: 40 }), fc.constant(1), fc.constant(0)),
  inner: fc.oneof(fc.integer({ min: 0, max: 9 }), fc.constant(1)),
});

describe('cpu reduce', () => {
  for (const op of ['sum', 'prod', 'max', 'min'] as ReduceOp[]) {
    it(`float32 ${op} over random [outer, reduce, inner] matches the float64 reference`, () => {
      fc.assert(
        fc.property(dims, fc.integer(), fc.boolean(), (args, seed, withNaN) => {
          const size = args.outer * args.reduce * args.inner;
          // Products of values near 1 stay in range however long the axis.
          const values = op === 'prod' ? randomFloats(makeRng(seed), size, 0.5, 1.5) : randomFloats(makeRng(seed), size);
          if (withNaN && size > 0) values[Math.floor(makeRng(seed + 1)() * size)] = NaN;
          const out = backend.alloc('float32', args.outer * args.inner);
          backend.reduce(op, upload(backend, 'float32', values), out, args);
          const want = reduceReference(op, values, args).map(Math.fround);
          expectClose(download(backend, out), want, { rtol: 1e-5, atol: 1e-5 }, `${op} ${JSON.stringify(args)}`);
        }),
        { numRuns: 80 },
      );
    });

    it(`int32 ${op} wraps like an Int32Array store`, () => {
      fc.assert(
        fc.property(dims, fc.integer(), (args, seed) => {
          const size = args.outer * args.reduce * args.inner;
          const values = op === 'prod' ? randomInts(makeRng(seed), size, -3, 3) : randomInts(makeRng(seed), size, -1e9, 1e9);
          const out = backend.alloc('int32', args.outer * args.inner);
          backend.reduce(op, upload(backend, 'int32', values), out, args);
          let want: number[];
          if (op === 'prod') {
            want = [];
            const { outer, reduce, inner } = args;
            for (let o = 0; o < outer; o++) {
              for (let j = 0; j < inner; j++) {
                let acc = 1n;
                for (let r = 0; r < reduce; r++) acc = BigInt.asIntN(32, acc * BigInt(values[(o * reduce + r) * inner + j]));
                want.push(Number(acc));
              }
            }
          } else if (args.reduce === 0 && op !== 'sum') {
            want = new Array<number>(args.outer * args.inner).fill(op === 'max' ? -2147483648 : 2147483647);
          } else {
            want = reduceReference(op, values, args).map((v) => Number(BigInt.asIntN(32, BigInt(v))));
          }
          expect(Array.from(download(backend, out))).toEqual(want);
        }),
        { numRuns: 60 },
      );
    });
  }

  it('gives the identity for an empty reduce axis', () => {
    const args = { outer: 2, reduce: 0, inner: 3 };
    const expected: Record<ReduceOp, number> = { sum: 0, prod: 1, max: -Infinity, min: Infinity };
    for (const op of ['sum', 'prod', 'max', 'min'] as ReduceOp[]) {
      const out = backend.alloc('float32', 6);
      backend.reduce(op, backend.alloc('float32', 0), out, args);
      expect(Array.from(download(backend, out))).toEqual(new Array<number>(6).fill(expected[op]));
    }
  });

  it('reduces bool with max/min as any/all', () => {
    const values = [0, 1, 0, 0, 0, 0, 1, 1, 1];
    const args = { outer: 3, reduce: 3, inner: 1 };
    const any = backend.alloc('bool', 3);
    const all = backend.alloc('bool', 3);
    backend.reduce('max', upload(backend, 'bool', values), any, args);
    backend.reduce('min', upload(backend, 'bool', values), all, args);
    expect(Array.from(download(backend, any))).toEqual([1, 0, 1]);
    expect(Array.from(download(backend, all))).toEqual([0, 0, 1]);
  });

  it('sums a long row accurately (double accumulation)', () => {
    const values = new Float32Array(1_000_000).fill(0.1);
    const out = backend.alloc('float32', 1);
    backend.reduce('sum', upload(backend, 'float32', values), out, { outer: 1, reduce: values.length, inner: 1 });
    expect(download(backend, out)[0]).toBeCloseTo(Math.fround(0.1) * 1e6, 2);
  });
});

describe('cpu argReduce', () => {
  for (const op of ['argmax', 'argmin'] as ArgReduceOp[]) {
    for (const dtype of ['float32', 'int32'] as DType[]) {
      it(`${dtype} ${op} matches the reference, first index winning ties`, () => {
        const nonEmpty = dims.map((d) => ({ ...d, reduce: Math.max(1, d.reduce) }));
        fc.assert(
          fc.property(nonEmpty, fc.integer(), fc.boolean(), (args, seed, withNaN) => {
            const size = args.outer * args.reduce * args.inner;
            const rng = makeRng(seed);
            const values = dtype === 'float32' ? gridFloats(rng, size) : randomInts(rng, size, -3, 3);
            if (withNaN && dtype === 'float32' && size > 0) {
              values[Math.floor(rng() * size)] = NaN;
              values[Math.floor(rng() * size)] = NaN;
            }
            const out = backend.alloc('int32', args.outer * args.inner);
            backend.argReduce(op, upload(backend, dtype, values), out, args);
            expect(Array.from(download(backend, out))).toEqual(argReference(op, values, args));
          }),
          { numRuns: 80 },
        );
      });
    }
  }

  it('handles ties, NaN and infinities in the documented way', () => {
    const run = (op: ArgReduceOp, values: number[]): number => {
      const out = backend.alloc('int32', 1);
      backend.argReduce(op, upload(backend, 'float32', values), out, { outer: 1, reduce: values.length, inner: 1 });
      return download(backend, out)[0];
    };
    expect(run('argmax', [1, 3, 3, 2])).toBe(1);
    expect(run('argmin', [2, 0, 1, 0])).toBe(1);
    expect(run('argmax', [1, NaN, 5, NaN])).toBe(1);
    expect(run('argmin', [NaN, -5])).toBe(0);
    expect(run('argmax', [-Infinity, -Infinity])).toBe(0);
    expect(run('argmin', [Infinity, 2, -Infinity])).toBe(2);
  });

  it('lets the first NaN win per column when reducing rows (inner > 1)', () => {
    // Two columns interleaved: column 0 is [1, NaN, 5, NaN], column 1 is [NaN, 2, NaN, 9].
    const values = [1, NaN, NaN, 2, 5, NaN, NaN, 9];
    for (const op of ['argmax', 'argmin'] as ArgReduceOp[]) {
      const out = backend.alloc('int32', 2);
      backend.argReduce(op, upload(backend, 'float32', values), out, { outer: 1, reduce: 4, inner: 2 });
      expect(Array.from(download(backend, out)), op).toEqual([1, 0]);
    }
  });

  it('throws on an empty reduce axis with outputs to fill', () => {
    expect(() =>
      backend.argReduce('argmax', backend.alloc('float32', 0), backend.alloc('int32', 2), { outer: 2, reduce: 0, inner: 1 }),
    ).toThrow(/cpu argReduce/);
  });
});
