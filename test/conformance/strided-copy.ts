/**
 * stridedCopy as each pattern the compiler builds from it: transpose, broadcast, slice (also reversed),
 * and with outStrides/outOffset/accumulate the padding, concatenation, strided scatter and scatter-add
 * (col2im) patterns. The oracle is the contract's formula; copies must match it bit for bit, float
 * accumulation within rounding.
 */
import { describe } from 'vitest';
import fc from 'fast-check';
import type { DType, StridedCopyArgs } from '../../backends/interface';
import { stridesOf } from '../../src-core/graph/shape';
import { stridedCopyArgs } from '../../src-core/ops/lowering';
import type { Harness } from './harness';
import { expectClose, expectExact } from './compare';
import { RUNS, bools, dim, floats, ints, makeRng, numel, permutation, seed } from './data';
import { stridedCopyOracle } from './oracles';

function values(dtype: DType, size: number, s: number): ArrayLike<number> {
  const rng = makeRng(s);
  return dtype === 'float32' ? floats(rng, size) : dtype === 'int32' ? ints(rng, size, -1e6, 1e6) : bools(rng, size);
}

/** One or more copies into one output that starts as `before`; compared with the formula applied in order. */
async function checkCopies(
  h: Harness, dtype: DType, x: ArrayLike<number>, before: ArrayLike<number>, calls: readonly StridedCopyArgs[], label: string,
): Promise<void> {
  const got = await h.compute(h.backend, (sc) => {
    const source = sc.upload(dtype, x);
    const out = sc.upload(dtype, before);
    for (const args of calls) sc.backend.stridedCopy(source, out, args);
    return out;
  });
  let want: ArrayLike<number> = before;
  for (const args of calls) want = stridedCopyOracle(x, want, args);
  const where = `${label}: ${JSON.stringify(calls)}`;
  if (dtype !== 'float32' || !calls.some((c) => c.accumulate)) {
    expectExact(got, want, where);
    return;
  }
  // Float accumulation rounds once per add (or never, in a wider backend): bound it by Σ|terms|,
  // which is the same scatter applied to absolute values.
  let magnitude: ArrayLike<number> = Array.from(before, Math.abs);
  for (const args of calls) magnitude = stridedCopyOracle(Array.from(x, Math.abs), magnitude, args);
  expectClose(got, want, h.tol.arithmetic, where, magnitude);
}

/** A gather into a fresh contiguous output. */
function checkGather(h: Harness, dtype: DType, x: ArrayLike<number>, args: StridedCopyArgs, label: string): Promise<void> {
  return checkCopies(h, dtype, x, new Array<number>(numel(args.shape)).fill(0), [args], label);
}

const shape = fc.array(dim(5), { minLength: 1, maxLength: 5 });

export function stridedCopyChecks(h: Harness): void {
  describe('stridedCopy', () => {
    h.check('stridedCopy/transpose', 'transposes by a random permutation (compiler and unmerged descriptors), every dtype', async () => {
      await fc.assert(
        fc.asyncProperty(shape, seed, async (dims, s) => {
          const perm = permutation(dims.length, makeRng(s));
          const strides = stridesOf(dims);
          const raw = { shape: perm.map((p) => dims[p]), strides: perm.map((p) => strides[p]), offset: 0 };
          for (const dtype of h.backend.capabilities.dtypes) {
            const x = values(dtype, numel(dims), s);
            await checkGather(h, dtype, x, raw, `transpose ${dtype} [${dims}] by [${perm}]`);
            await checkGather(h, dtype, x, stridedCopyArgs(raw.shape, raw.strides), `transpose ${dtype} [${dims}] by [${perm}], merged`);
          }
        }),
        { numRuns: RUNS },
      );
    });

    h.check('stridedCopy/broadcast', 'broadcasts size-1 dims with zero strides', async () => {
      await fc.assert(
        fc.asyncProperty(shape, fc.array(fc.boolean(), { minLength: 5, maxLength: 5 }), seed, async (dims, expand, s) => {
          const source = dims.map((d, i) => (expand[i] ? 1 : d));
          const strides = stridesOf(source).map((st, i) => (expand[i] ? 0 : st));
          await checkGather(h, 'float32', values('float32', numel(source), s), { shape: dims, strides, offset: 0 }, `broadcast [${source}] to [${dims}]`);
        }),
        { numRuns: RUNS },
      );
    });

    h.check('stridedCopy/slice', 'slices with a begin offset and steps, including negative (reversing) steps', async () => {
      const sliceDim = fc.record({ size: dim(6), begin: fc.nat(5), count: dim(6), step: fc.constantFrom(1, 2, 3, -1, -2) });
      await fc.assert(
        fc.asyncProperty(fc.array(sliceDim, { minLength: 1, maxLength: 4 }), seed, async (spec, s) => {
          const dims = spec.map((d) => d.size);
          const full = stridesOf(dims);
          let offset = 0;
          const out: number[] = [];
          const strides: number[] = [];
          spec.forEach(({ size, begin, count, step }, i) => {
            const first = Math.min(begin, size - 1);
            // How many steps fit between `first` and the end of the dim in the step's direction.
            const room = step > 0 ? Math.floor((size - 1 - first) / step) + 1 : Math.floor(first / -step) + 1;
            offset += first * full[i];
            out.push(Math.min(count, room));
            strides.push(step * full[i]);
          });
          await checkGather(h, 'float32', values('float32', numel(dims), s), { shape: out, strides, offset }, `slice of [${dims}]`);
        }),
        { numRuns: RUNS },
      );
    });

    outputStrideChecks(h);

    h.check('stridedCopy/large-transpose', 'transposes a [1000, 1000] matrix and a [10, 300, 200] batch', async () => {
      const x = values('float32', 1_000_000, 7);
      await checkGather(h, 'float32', x, { shape: [1000, 1000], strides: [1, 1000], offset: 0 }, '[1000, 1000] transpose');
      const batch = values('float32', 600_000, 8);
      await checkGather(h, 'float32', batch, { shape: [10, 200, 300], strides: [60000, 1, 200], offset: 0 }, '[10, 300, 200] batch transpose');
    });
  });
}

/** Writes through outStrides/outOffset, and accumulation. */
function outputStrideChecks(h: Harness): void {
  h.check('stridedCopy/pad', 'writes into the interior of a larger output (padding), leaving the border as it was', async () => {
    await fc.assert(
      fc.asyncProperty(fc.array(fc.record({ size: dim(5), before: fc.nat(2), after: fc.nat(2) }), { minLength: 1, maxLength: 4 }), seed, async (spec, s) => {
        const inner = spec.map((d) => d.size);
        const outer = spec.map((d) => d.size + d.before + d.after);
        const outStrides = stridesOf(outer);
        const outOffset = spec.reduce((sum, d, i) => sum + d.before * outStrides[i], 0);
        const args = { shape: inner, strides: stridesOf(inner), offset: 0, outStrides, outOffset };
        const border = values('float32', numel(outer), s + 1);
        await checkCopies(h, 'float32', values('float32', numel(inner), s), border, [args], `pad [${inner}] into [${outer}]`);
      }),
      { numRuns: RUNS },
    );
  });

  h.check('stridedCopy/concat', 'concatenates two inputs along a random axis with two offset writes', async () => {
    await fc.assert(
      fc.asyncProperty(shape, dim(4), dim(4), seed, async (dims, n1, n2, s) => {
        const axis = s % dims.length;
        const first = dims.map((d, i) => (i === axis ? n1 : d));
        const second = dims.map((d, i) => (i === axis ? n2 : d));
        const out = dims.map((d, i) => (i === axis ? n1 + n2 : d));
        const outStrides = stridesOf(out);
        // Both inputs live in one source buffer, back to back, so one checkCopies call covers the pair.
        const x = values('float32', numel(first) + numel(second), s);
        const calls = [
          { shape: first, strides: stridesOf(first), offset: 0, outStrides, outOffset: 0 },
          { shape: second, strides: stridesOf(second), offset: numel(first), outStrides, outOffset: n1 * outStrides[axis] },
        ];
        await checkCopies(h, 'float32', x, new Array<number>(numel(out)).fill(0), calls, `concat [${first}] and [${second}] on axis ${axis}`);
      }),
      { numRuns: RUNS },
    );
  });

  h.check('stridedCopy/scatter', 'scatters into every other element (strided output) at an offset', async () => {
    const x = values('float32', 12, 3);
    const args = { shape: [3, 4], strides: [4, 1], offset: 0, outStrides: [10, 2], outOffset: 1 };
    await checkCopies(h, 'float32', x, values('float32', 30, 4), [args], 'strided scatter');
  });

  h.check('stridedCopy/accumulate', 'accumulates: a contiguous add, and col2im-style overlapping windows over several calls', async () => {
    await fc.assert(
      fc.asyncProperty(dim(6), dim(4), fc.integer({ min: 1, max: 3 }), seed, async (windows, width, stride, s) => {
        const x = values('float32', windows * width, s);
        const before = values('float32', (windows - 1) * stride + width, s + 1);
        // Window w adds its `width` values at out[w * stride ...]: windows overlap when stride < width,
        // but each single call writes distinct positions, as the contract promises.
        const calls = Array.from({ length: windows }, (_, w) => ({
          shape: [width], strides: [1], offset: w * width, outStrides: [1], outOffset: w * stride, accumulate: true,
        }));
        await checkCopies(h, 'float32', x, before, calls, `col2im ${windows} windows of ${width}, stride ${stride}`);
        const plain = { shape: [windows, width], strides: [width, 1], offset: 0, accumulate: true };
        await checkCopies(h, 'float32', x, values('float32', windows * width, s + 2), [plain], 'contiguous accumulate');
      }),
      { numRuns: RUNS },
    );
  });

  h.check('stridedCopy/int32-scatter-add', 'scatter-adds int32 (a transposed gradient of a pad)', async (t) => {
    t.skip(!h.supports('int32'), 'the backend does not declare int32');
    const x = values('int32', 24, 5);
    const args = { shape: [4, 6], strides: [1, 4], offset: 0, outStrides: [8, 1], outOffset: 9, accumulate: true };
    await checkCopies(h, 'int32', x, values('int32', 48, 6), [args], 'int32 transposed scatter-add');
  });
}
