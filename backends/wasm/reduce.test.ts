import { describe, it, expect } from 'vitest';
import fc from 'fast-check';
import type { ArgReduceOp, DType, ReduceOp } from '../interface';
import {
  allocBoth, cpu, download, expectSameOutput, freeBoth, gridFloats, makeRng, randomInts, randomValues, upload,
  uploadBoth, wasm,
} from './test-support';

const dims = fc.record({
  outer: fc.oneof(fc.integer({ min: 0, max: 6 }), fc.constant(1)),
  reduce: fc.oneof(fc.integer({ min: 0, max: 70 }), fc.constant(1)),
  inner: fc.oneof(fc.integer({ min: 0, max: 300 }), fc.constant(1)),
});

function valuesFor(dtype: DType, op: ReduceOp, seed: number, size: number): ArrayLike<number> {
  const rng = makeRng(seed);
  // Small magnitudes keep products finite and in the range where bits are still interesting.
  if (dtype === 'float32' && op === 'prod') return Float32Array.from(gridFloats(rng, size), (v) => v / 2 + 0.75);
  if (dtype === 'int32' && op === 'prod') return randomInts(rng, size, -3, 3);
  if (dtype === 'int32') return randomInts(rng, size, -2e9, 2e9); // sums overflow and wrap
  return randomValues(rng, dtype, size);
}

describe('wasm reduce vs cpu (bit for bit)', () => {
  for (const op of ['sum', 'max', 'min', 'prod'] as ReduceOp[]) {
    for (const dtype of ['float32', 'int32', 'bool'] as DType[]) {
      it(`${op} on ${dtype} over random [outer, reduce, inner] views, empty axes included`, () => {
        fc.assert(
          fc.property(dims, fc.integer(), ({ outer, reduce, inner }, seed) => {
            const x = uploadBoth(dtype, valuesFor(dtype, op, seed, outer * reduce * inner));
            const out = allocBoth(dtype, outer * inner);
            cpu.reduce(op, x.cpu, out.cpu, { outer, reduce, inner });
            wasm.reduce(op, x.wasm, out.wasm, { outer, reduce, inner });
            expectSameOutput(out, `${op} ${dtype} [${outer},${reduce},${inner}]`);
            freeBoth(x, out);
          }),
          { numRuns: 20 },
        );
      });
    }
  }

  it('propagates NaN through max, min and sum, and keeps infinities', () => {
    const values = [1, NaN, 3, -Infinity, 5, 6, Infinity, -0, 0, 2, 2, 2];
    for (const op of ['sum', 'max', 'min', 'prod'] as ReduceOp[]) {
      for (const [outer, reduce, inner] of [[3, 4, 1], [1, 4, 3], [2, 3, 2]]) {
        const x = uploadBoth('float32', values);
        const out = allocBoth('float32', outer * inner);
        cpu.reduce(op, x.cpu, out.cpu, { outer, reduce, inner });
        wasm.reduce(op, x.wasm, out.wasm, { outer, reduce, inner });
        expectSameOutput(out, `${op} specials [${outer},${reduce},${inner}]`);
        freeBoth(x, out);
      }
    }
  });

  it('sums long contiguous runs in the cpu backend\'s double-precision order', () => {
    const x = uploadBoth('float32', randomValues(makeRng(4), 'float32', 100003));
    const out = allocBoth('float32', 1);
    cpu.reduce('sum', x.cpu, out.cpu, { outer: 1, reduce: 100003, inner: 1 });
    wasm.reduce('sum', x.wasm, out.wasm, { outer: 1, reduce: 100003, inner: 1 });
    expectSameOutput(out, 'long sum');
  });
});

describe('wasm argReduce vs cpu (bit for bit)', () => {
  for (const op of ['argmax', 'argmin'] as ArgReduceOp[]) {
    for (const dtype of ['float32', 'int32'] as DType[]) {
      it(`${op} on ${dtype}: first index wins ties, the first NaN wins outright`, () => {
        fc.assert(
          fc.property(dims.filter((d) => d.reduce > 0), fc.integer(), fc.integer({ min: 0, max: 40 }), ({ outer, reduce, inner }, seed, nans) => {
            const size = outer * reduce * inner;
            const rng = makeRng(seed);
            const values = dtype === 'float32' ? gridFloats(rng, size) : randomInts(rng, size, -3, 3);
            if (dtype === 'float32') for (let i = 0; i < nans && size > 0; i++) values[Math.floor(rng() * size)] = NaN;
            const x = uploadBoth(dtype, values);
            const out = allocBoth('int32', outer * inner);
            cpu.argReduce(op, x.cpu, out.cpu, { outer, reduce, inner });
            wasm.argReduce(op, x.wasm, out.wasm, { outer, reduce, inner });
            expectSameOutput(out, `${op} ${dtype} [${outer},${reduce},${inner}]`);
            freeBoth(x, out);
          }),
          { numRuns: 25 },
        );
      });
    }
  }

  it('rejects an empty reduce axis and a non-int32 output', () => {
    const x = upload(wasm, 'float32', []);
    expect(() => wasm.argReduce('argmax', x, wasm.alloc('int32', 2), { outer: 2, reduce: 0, inner: 1 }))
      .toThrow('wasm argReduce: cannot take argmax over an empty axis (outer=2, inner=1)');
    const y = upload(wasm, 'float32', [1, 2]);
    expect(() => wasm.argReduce('argmin', y, wasm.alloc('float32', 1), { outer: 1, reduce: 2, inner: 1 }))
      .toThrow('wasm argReduce argmin: out is float32, expected int32');
    expect(Array.from(download(wasm, y))).toEqual([1, 2]);
  });
});
