import { describe, it, expect } from 'vitest';
import fc from 'fast-check';
import type { DType, StridedCopyArgs, TypedArray } from '../interface';
import { typedArrayFor } from '../../src-core/graph/dtype';
import { allocBoth, cpu, download, expectIdentical, expectSameOutput, freeBoth, makeRng, numel, randomValues, upload, uploadBoth, wasm } from './test-support';

function contiguousStrides(shape: readonly number[]): number[] {
  const strides: number[] = [];
  let s = 1;
  for (let d = shape.length - 1; d >= 0; d--) {
    strides[d] = s;
    s *= shape[d];
  }
  return strides;
}

/** The interface's definition, element by element: out[outOffset + idx·outStrides] (+)= x[offset + idx·strides]. */
function referenceCopy(x: TypedArray, out: TypedArray, dtype: DType, args: StridedCopyArgs): void {
  const { shape, strides, offset } = args;
  const outStrides = args.outStrides ?? contiguousStrides(shape);
  const outOffset = args.outOffset ?? 0;
  const index = new Array<number>(shape.length).fill(0);
  for (let flat = 0; flat < numel(shape); flat++) {
    let from = offset;
    let to = outOffset;
    for (let d = 0; d < shape.length; d++) {
      from += index[d] * strides[d];
      to += index[d] * outStrides[d];
    }
    if (!args.accumulate) out[to] = x[from];
    else if (dtype === 'bool') out[to] = out[to] !== 0 || x[from] !== 0 ? 1 : 0;
    else out[to] += x[from];
    for (let d = shape.length - 1; d >= 0; d--) {
      if (++index[d] < shape[d]) break;
      index[d] = 0;
    }
  }
}

/** A view of a source array: permuted axes, a sub-range on each, and maybe a broadcast axis. */
const sourceView = fc
  .record({
    dims: fc.array(fc.integer({ min: 1, max: 7 }), { minLength: 1, maxLength: 4 }),
    perm: fc.array(fc.nat(), { minLength: 4, maxLength: 4 }),
    starts: fc.array(fc.nat(), { minLength: 4, maxLength: 4 }),
    shrink: fc.array(fc.nat(), { minLength: 4, maxLength: 4 }),
    broadcast: fc.option(fc.integer({ min: 0, max: 3 }), { nil: undefined }),
  })
  .map(({ dims, perm, starts, shrink, broadcast }) => {
    const rank = dims.length;
    const source = contiguousStrides(dims);
    const order = dims.map((_, i) => i).sort((p, q) => (perm[p] % 7) - (perm[q] % 7) || p - q);
    const shape: number[] = [];
    const strides: number[] = [];
    let offset = 0;
    for (const axis of order) {
      const start = starts[axis] % dims[axis];
      const size = Math.max(1, dims[axis] - start - (shrink[axis] % (dims[axis] - start)));
      offset += start * source[axis];
      shape.push(size);
      strides.push(source[axis]);
    }
    if (broadcast !== undefined && broadcast < rank) {
      shape[broadcast] = 3;
      strides[broadcast] = 0;
    }
    return { sourceSize: numel(dims), args: { shape, strides, offset } as StridedCopyArgs };
  });

const DTYPES: DType[] = ['float32', 'int32', 'bool'];

describe('wasm stridedCopy', () => {
  it('matches the cpu backend bit for bit on transposes, slices and broadcasts of every dtype', () => {
    fc.assert(
      fc.property(sourceView, fc.constantFrom(...DTYPES), fc.integer(), ({ sourceSize, args }, dtype, seed) => {
        const x = uploadBoth(dtype, randomValues(makeRng(seed), dtype, sourceSize));
        const out = allocBoth(dtype, numel(args.shape));
        cpu.stridedCopy(x.cpu, out.cpu, args);
        wasm.stridedCopy(x.wasm, out.wasm, args);
        expectSameOutput(out, JSON.stringify(args));
        freeBoth(x, out);
      }),
      { numRuns: 150 },
    );
  });

  it('copies large 2-D and batched transposes (the tiled path)', () => {
    for (const [batch, rows, cols] of [[1, 67, 45], [3, 40, 33], [2, 1, 70]]) {
      const x = uploadBoth('float32', randomValues(makeRng(rows), 'float32', batch * rows * cols));
      const args: StridedCopyArgs = { shape: [batch, cols, rows], strides: [rows * cols, 1, cols], offset: 0 };
      const out = allocBoth('float32', batch * rows * cols);
      cpu.stridedCopy(x.cpu, out.cpu, args);
      wasm.stridedCopy(x.wasm, out.wasm, args);
      expectSameOutput(out, `transpose ${batch}x${rows}x${cols}`);
      freeBoth(x, out);
    }
  });

  it('writes through output strides and offsets, and accumulates (float32 adds, int32 wraps, bool ORs)', () => {
    fc.assert(
      fc.property(sourceView, fc.constantFrom(...DTYPES), fc.boolean(), fc.array(fc.integer({ min: 0, max: 3 }), { minLength: 4, maxLength: 4 }), fc.integer(),
        ({ sourceSize, args }, dtype, accumulate, padding, seed) => {
          // The output is a larger array with `padding` extra elements per axis; the copy lands inside it.
          const shape = args.shape.map((d, i) => (args.strides[i] === 0 ? 1 : d));
          const outerShape = shape.map((d, i) => d + padding[i]);
          const outStrides = contiguousStrides(outerShape);
          const outOffset = shape.reduce((sum, _, i) => sum + (padding[i] > 0 ? 1 : 0) * outStrides[i], 0);
          const copy: StridedCopyArgs = { shape, strides: args.strides, offset: args.offset, outStrides, outOffset, accumulate };
          const rng = makeRng(seed);
          const xValues = randomValues(rng, dtype, sourceSize);
          const initial = randomValues(rng, dtype, numel(outerShape));
          const x = upload(wasm, dtype, xValues);
          const out = upload(wasm, dtype, initial);
          wasm.stridedCopy(x, out, copy);
          const want = typedArrayFor(dtype, initial.length);
          want.set(initial);
          referenceCopy(xValues, want, dtype, copy);
          expectIdentical(download(wasm, out), want, JSON.stringify(copy));
          wasm.free(x);
          wasm.free(out);
        }),
      { numRuns: 150 },
    );
  });

  it('scatter-adds overlapping windows across calls (the col2im pattern)', () => {
    // Three length-4 windows at stride 2 of a length-8 output accumulate where they overlap.
    const out = upload(wasm, 'float32', new Array<number>(8).fill(0));
    const x = upload(wasm, 'float32', [1, 1, 1, 1, 10, 10, 10, 10, 100, 100, 100, 100]);
    for (let w = 0; w < 3; w++) {
      wasm.stridedCopy(x, out, { shape: [4], strides: [1], offset: 4 * w, outStrides: [1], outOffset: 2 * w, accumulate: true });
    }
    expect(Array.from(download(wasm, out))).toEqual([1, 1, 11, 11, 110, 110, 100, 100]);
  });

  it('rejects views that leave either buffer, and a dtype change', () => {
    const x = upload(wasm, 'float32', [1, 2, 3, 4]);
    expect(() => wasm.stridedCopy(x, wasm.alloc('float32', 3), { shape: [3], strides: [2], offset: 0 }))
      .toThrow('wasm stridedCopy: x view reads elements 0..4 of a buffer of 4 elements');
    expect(() => wasm.stridedCopy(x, wasm.alloc('float32', 4), { shape: [2], strides: [1], offset: 0, outStrides: [3], outOffset: 1 }))
      .toThrow('wasm stridedCopy: out view reads elements 1..4 of a buffer of 4 elements');
    expect(() => wasm.stridedCopy(x, wasm.alloc('int32', 4), { shape: [4], strides: [1], offset: 0 }))
      .toThrow('wasm stridedCopy: x is float32 but out is int32');
  });
});
