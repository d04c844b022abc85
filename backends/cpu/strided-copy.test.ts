import { describe, it, expect } from 'vitest';
import fc from 'fast-check';
import type { StridedCopyArgs } from '../interface';
import { stridesOf } from '../../src-core/graph/shape';
import { createCpuBackend } from './index';
import { download, makeRng, numel, randomFloats, upload } from './testing';

const backend = createCpuBackend();

/** out[i] = x[offset + sum(idx_k * strides_k)], unravelling every i separately. */
function gatherReference(x: ArrayLike<number>, { shape, strides, offset }: StridedCopyArgs): number[] {
  const out: number[] = [];
  for (let i = 0; i < numel(shape); i++) {
    let index = offset;
    for (let d = shape.length - 1, rest = i; d >= 0; d--) {
      index += (rest % shape[d]) * strides[d];
      rest = Math.floor(rest / shape[d]);
    }
    out.push(x[index]);
  }
  return out;
}

function checkCopy(sourceSize: number, args: StridedCopyArgs, seed: number): void {
  const x = randomFloats(makeRng(seed), sourceSize);
  const out = backend.alloc('float32', numel(args.shape));
  backend.stridedCopy(upload(backend, 'float32', x), out, args);
  expect(Array.from(download(backend, out))).toEqual(gatherReference(x, args));
}

/** out[outOffset + idx·outStrides] = x[offset + idx·strides] over a random `before`, unravelling every index. */
function checkScatter(sourceSize: number, outSize: number, args: StridedCopyArgs, seed: number): void {
  const x = randomFloats(makeRng(seed), sourceSize);
  const before = randomFloats(makeRng(seed + 7), outSize);
  const want = Array.from(before);
  const gathered = gatherReference(x, args);
  const outStrides = args.outStrides ?? stridesOf(args.shape);
  gathered.forEach((v, i) => {
    want[gatherIndex(i, args.shape, outStrides, args.outOffset ?? 0)] = v;
  });
  const out = upload(backend, 'float32', before);
  backend.stridedCopy(upload(backend, 'float32', x), out, args);
  expect(Array.from(download(backend, out))).toEqual(want);
}

function gatherIndex(i: number, shape: readonly number[], strides: readonly number[], offset: number): number {
  let index = offset;
  for (let d = shape.length - 1, rest = i; d >= 0; d--) {
    index += (rest % shape[d]) * strides[d];
    rest = Math.floor(rest / shape[d]);
  }
  return index;
}

function shuffled(count: number, rng: () => number): number[] {
  const order = Array.from({ length: count }, (_, i) => i);
  for (let i = count - 1; i > 0; i--) {
    const j = Math.floor(rng() * (i + 1));
    [order[i], order[j]] = [order[j], order[i]];
  }
  return order;
}

const sourceShape = fc.array(fc.integer({ min: 0, max: 6 }), { minLength: 1, maxLength: 5 });

describe('cpu stridedCopy', () => {
  it('transposes by a random permutation', () => {
    fc.assert(
      fc.property(sourceShape, fc.integer(), (shape, seed) => {
        const perm = shuffled(shape.length, makeRng(seed));
        const strides = stridesOf(shape);
        checkCopy(numel(shape), { shape: perm.map((p) => shape[p]), strides: perm.map((p) => strides[p]), offset: 0 }, seed);
      }),
      { numRuns: 80 },
    );
  });

  it('broadcasts with zero strides', () => {
    fc.assert(
      fc.property(sourceShape, fc.array(fc.boolean(), { minLength: 5, maxLength: 5 }), fc.integer(), (shape, expand, seed) => {
        // Dims marked `expand` are read from a size-1 source dim, so they broadcast.
        const source = shape.map((d, i) => (expand[i] ? 1 : d));
        const strides = stridesOf(source).map((s, i) => (expand[i] ? 0 : s));
        checkCopy(numel(source), { shape, strides, offset: 0 }, seed);
      }),
      { numRuns: 80 },
    );
  });

  it('slices with offsets and positive or negative steps', () => {
    const sliceCase = sourceShape
      .filter((shape) => shape.every((d) => d > 0))
      .chain((shape) =>
        fc.tuple(
          fc.constant(shape),
          fc.tuple(...shape.map((d) => fc.tuple(fc.integer({ min: 0, max: d - 1 }), fc.constantFrom(1, 2, -1, -2)))),
        ),
      );
    fc.assert(
      fc.property(sliceCase, fc.integer(), ([shape, slices], seed) => {
        const contiguous = stridesOf(shape);
        let offset = 0;
        const outShape: number[] = [];
        const strides: number[] = [];
        slices.forEach(([start, step], d) => {
          offset += start * contiguous[d];
          // As many elements as fit from `start` walking by `step` inside [0, shape[d]).
          outShape.push(step > 0 ? Math.ceil((shape[d] - start) / step) : Math.floor(start / -step) + 1);
          strides.push(step * contiguous[d]);
        });
        checkCopy(numel(shape), { shape: outShape, strides, offset }, seed);
      }),
      { numRuns: 80 },
    );
  });

  it('gathers through arbitrary, even overlapping, strides', () => {
    const view = fc.array(fc.tuple(fc.integer({ min: 0, max: 5 }), fc.integer({ min: -4, max: 4 })), { minLength: 1, maxLength: 4 });
    fc.assert(
      fc.property(view, fc.integer(), (dims, seed) => {
        const shape = dims.map(([size]) => size);
        const strides = dims.map(([, stride]) => stride);
        // Start far enough in that negative strides stay inside the source.
        const offset = dims.reduce((sum, [size, stride]) => sum + (stride < 0 && size > 0 ? -stride * (size - 1) : 0), 0);
        const last = dims.reduce((sum, [size, stride]) => sum + (stride > 0 && size > 0 ? stride * (size - 1) : 0), offset);
        checkCopy(last + 1, { shape, strides, offset }, seed);
      }),
      { numRuns: 100 },
    );
    // A sliding window (im2col-style): rows overlap.
    checkCopy(6, { shape: [4, 3], strides: [1, 1], offset: 0 }, 5);
  });

  it('transposes large and batched matrices through the tiled path', () => {
    checkCopy(70 * 45, { shape: [45, 70], strides: [1, 45], offset: 0 }, 1);
    checkCopy(3 * 40 * 33, { shape: [3, 33, 40], strides: [1320, 1, 33], offset: 0 }, 2);
    checkCopy(2 * 3 * 37 * 5, { shape: [3, 37, 2, 5], strides: [5, 15, 555, 1], offset: 0 }, 3);
  });

  it('copies a contiguous slice and keeps int32 and bool values intact', () => {
    checkCopy(1000, { shape: [500], strides: [1], offset: 250 }, 4);
    const ints = upload(backend, 'int32', [2147483647, -2147483648, 5, 6]);
    const intOut = backend.alloc('int32', 4);
    backend.stridedCopy(ints, intOut, { shape: [2, 2], strides: [1, 2], offset: 0 });
    expect(Array.from(download(backend, intOut))).toEqual([2147483647, 5, -2147483648, 6]);
    const bools = backend.alloc('bool', 3);
    backend.stridedCopy(upload(backend, 'bool', [0, 1]), bools, { shape: [3], strides: [0], offset: 1 });
    expect(Array.from(download(backend, bools))).toEqual([1, 1, 1]);
  });

  it('writes through outStrides/outOffset: padding interior, leaving the border untouched', () => {
    const padCase = fc.array(fc.tuple(fc.integer({ min: 1, max: 5 }), fc.nat(2), fc.nat(2)), { minLength: 1, maxLength: 4 });
    fc.assert(
      fc.property(padCase, fc.integer(), (dims, seed) => {
        const inner = dims.map(([d]) => d);
        const outer = dims.map(([d, before, after]) => d + before + after);
        const outStrides = stridesOf(outer);
        const outOffset = dims.reduce((sum, [, before], i) => sum + before * outStrides[i], 0);
        checkScatter(numel(inner), numel(outer), { shape: inner, strides: stridesOf(inner), offset: 0, outStrides, outOffset }, seed);
      }),
      { numRuns: 60 },
    );
  });

  it('concatenates with offset writes, and scatters into a strided output', () => {
    fc.assert(
      fc.property(fc.array(fc.integer({ min: 1, max: 4 }), { minLength: 1, maxLength: 4 }), fc.integer({ min: 1, max: 4 }), fc.integer(), (dims, extra, seed) => {
        const axis = Math.abs(seed) % dims.length;
        const out = dims.map((d, i) => (i === axis ? d + extra : d));
        const outStrides = stridesOf(out);
        // The first part of a concat along `axis`, then the second at its offset.
        checkScatter(numel(dims), numel(out), { shape: dims, strides: stridesOf(dims), offset: 0, outStrides, outOffset: 0 }, seed);
        const second = dims.map((d, i) => (i === axis ? extra : d));
        const args = { shape: second, strides: stridesOf(second), offset: 0, outStrides, outOffset: dims[axis] * outStrides[axis] };
        checkScatter(numel(second), numel(out), args, seed + 1);
      }),
      { numRuns: 60 },
    );
    checkScatter(12, 30, { shape: [3, 4], strides: [4, 1], offset: 0, outStrides: [10, 2], outOffset: 1 }, 3);
    // A transposed read into a transposed write, and a long contiguous row (the TypedArray.set path).
    checkScatter(24, 40, { shape: [4, 6], strides: [1, 4], offset: 0, outStrides: [1, 5], outOffset: 3 }, 4);
    checkScatter(300, 400, { shape: [3, 100], strides: [100, 1], offset: 0, outStrides: [120, 1], outOffset: 20 }, 5);
  });

  it('accumulates: col2im-style overlapping windows over several calls, int32 wraps, bool ORs', () => {
    fc.assert(
      fc.property(fc.integer({ min: 1, max: 6 }), fc.integer({ min: 1, max: 4 }), fc.integer({ min: 1, max: 3 }), fc.integer(), (windows, width, stride, seed) => {
        const x = randomFloats(makeRng(seed), windows * width);
        const before = randomFloats(makeRng(seed + 1), (windows - 1) * stride + width);
        const out = upload(backend, 'float32', before);
        const source = upload(backend, 'float32', x);
        const want = Float64Array.from(before);
        for (let w = 0; w < windows; w++) {
          const args = { shape: [width], strides: [1], offset: w * width, outStrides: [1], outOffset: w * stride, accumulate: true };
          backend.stridedCopy(source, out, args);
          for (let i = 0; i < width; i++) want[w * stride + i] = Math.fround(want[w * stride + i] + x[w * width + i]);
        }
        expect(Array.from(download(backend, out))).toEqual(Array.from(want));
      }),
      { numRuns: 60 },
    );
    // Contiguous accumulate (no outStrides) adds in place.
    const sum = upload(backend, 'float32', [1, 2, 3, 4]);
    backend.stridedCopy(upload(backend, 'float32', [10, 20]), sum, { shape: [2, 2], strides: [1, 0], offset: 0, accumulate: true });
    expect(Array.from(download(backend, sum))).toEqual([11, 12, 23, 24]);
    const ints = upload(backend, 'int32', [2147483647, 5, 0, 0]);
    backend.stridedCopy(upload(backend, 'int32', [1, -7]), ints, { shape: [2], strides: [1], offset: 0, outStrides: [1], outOffset: 0, accumulate: true });
    expect(Array.from(download(backend, ints))).toEqual([-2147483648, -2, 0, 0]);
    const bools = upload(backend, 'bool', [1, 0, 1]);
    backend.stridedCopy(upload(backend, 'bool', [1, 1, 0]), bools, { shape: [3], strides: [1], offset: 0, accumulate: true });
    expect(Array.from(download(backend, bools))).toEqual([1, 1, 1]);
  });

  it('rejects a write outside the output, and outOffset without outStrides', () => {
    const x = backend.alloc('float32', 4);
    expect(() => backend.stridedCopy(x, backend.alloc('float32', 6), { shape: [4], strides: [1], offset: 0, outStrides: [2], outOffset: 0 }))
      .toThrow(/cpu stridedCopy: out view reads elements 0\.\.6 of a buffer of 6 elements/);
    expect(() => backend.stridedCopy(x, backend.alloc('float32', 4), { shape: [4], strides: [1], offset: 0, outOffset: 1 }))
      .toThrow(/outOffset needs outStrides/);
  });

  it('rejects a view that reads outside the source', () => {
    const x = backend.alloc('float32', 10);
    expect(() => backend.stridedCopy(x, backend.alloc('float32', 4), { shape: [4], strides: [3], offset: 1 }))
      .toThrow(/cpu stridedCopy: x view reads elements 1\.\.10 of a buffer of 10 elements/);
    expect(() => backend.stridedCopy(x, backend.alloc('float32', 4), { shape: [4], strides: [-1], offset: 2 }))
      .toThrow(/-1\.\.2/);
  });
});
