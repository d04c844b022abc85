/**
 * Helpers shared by the cpu backend's tests (not itself a test file): deterministic random data,
 * broadcast descriptors built from plain shapes, and a NaN-aware closeness check.
 */
import { expect } from 'vitest';
import fc from 'fast-check';
import type { Backend, BackendBuffer, BinaryArgs, DType, TypedArray } from '../interface';
import { typedArrayFrom } from '../../src-core/base/dtype';
import { stridesOf } from '../../src-core/base/shape';

// The seeded generator and bulk data are the conformance suite's (test/conformance/data.ts).
export { makeRng, floats as randomFloats, ints as randomInts, numel } from '../../test/conformance/data';

/** Values on a coarse grid, so comparisons, ties and equality actually occur. */
export function gridFloats(rng: () => number, size: number): Float32Array {
  const out = new Float32Array(size);
  for (let i = 0; i < size; i++) out[i] = Math.floor(rng() * 9 - 4) / 2;
  return out;
}

export function upload(backend: Backend, dtype: DType, values: ArrayLike<number>): BackendBuffer {
  const buffer = backend.alloc(dtype, values.length);
  backend.write(buffer, typedArrayFrom(dtype, values));
  return buffer;
}

export function download(backend: Backend, buffer: BackendBuffer): TypedArray {
  const readSync = backend.readSync;
  if (readSync === undefined) throw new Error('test backend has no readSync');
  return readSync.call(backend, buffer);
}

/** numpy broadcasting of two concrete shapes; throws when they are incompatible. */
export function broadcastShape(a: readonly number[], b: readonly number[]): number[] {
  const rank = Math.max(a.length, b.length);
  const out: number[] = [];
  for (let i = 0; i < rank; i++) {
    const da = a[i - (rank - a.length)] ?? 1;
    const db = b[i - (rank - b.length)] ?? 1;
    if (da !== db && da !== 1 && db !== 1) throw new Error(`shapes [${a}] and [${b}] do not broadcast`);
    out.push(da === 1 ? db : da);
  }
  return out;
}

/** The BinaryArgs the compiler would produce (uncollapsed): stride 0 on broadcast or missing dims. */
export function binaryArgsFor(aShape: readonly number[], bShape: readonly number[]): BinaryArgs {
  const broadcast = broadcastShape(aShape, bShape);
  // The interface wants rank >= 1; a scalar op is a one-element rank-1 op.
  const shape = broadcast.length === 0 ? [1] : broadcast;
  const stridesFor = (operand: readonly number[]): number[] => {
    const own = stridesOf(operand);
    const lead = shape.length - operand.length;
    return shape.map((_, i) => (i < lead || operand[i - lead] === 1 ? 0 : own[i - lead]));
  };
  return { shape, aStrides: stridesFor(aShape), bStrides: stridesFor(bShape) };
}

/** Two broadcast-compatible shapes: an output shape, each operand keeping or squashing dims to 1 and maybe dropping leading ones. */
export const broadcastPair: fc.Arbitrary<{ aShape: number[]; bShape: number[] }> = fc
  .record({
    shape: fc.array(fc.oneof(fc.integer({ min: 1, max: 5 }), fc.constant(0)), { minLength: 1, maxLength: 4 }),
    aMask: fc.array(fc.boolean(), { minLength: 4, maxLength: 4 }),
    bMask: fc.array(fc.boolean(), { minLength: 4, maxLength: 4 }),
    aDrop: fc.integer({ min: 0, max: 4 }),
    bDrop: fc.integer({ min: 0, max: 4 }),
  })
  .map(({ shape, aMask, bMask, aDrop, bDrop }) => ({
    aShape: shape.map((d, i) => (aMask[i] ? 1 : d)).slice(Math.min(aDrop, shape.length)),
    bShape: shape.map((d, i) => (bMask[i] ? 1 : d)).slice(Math.min(bDrop, shape.length)),
  }));

export interface Tolerance {
  readonly rtol: number;
  readonly atol: number;
}

/** Element-wise |got - want| <= atol + rtol * |want|; NaNs must match NaNs and infinities must match exactly. */
export function expectClose(got: ArrayLike<number>, want: ArrayLike<number>, tol: Tolerance, label = ''): void {
  expect(got.length, `${label} length`).toBe(want.length);
  for (let i = 0; i < want.length; i++) {
    const g = got[i];
    const w = want[i];
    if (Number.isNaN(w) || !Number.isFinite(w)) {
      if (!Object.is(g, w) && !(Number.isNaN(w) && Number.isNaN(g))) {
        expect.fail(`${label}[${i}]: got ${g}, want ${w}`);
      }
      continue;
    }
    if (!(Math.abs(g - w) <= tol.atol + tol.rtol * Math.abs(w))) {
      expect.fail(`${label}[${i}]: got ${g}, want ${w} (diff ${Math.abs(g - w)})`);
    }
  }
}

export const FLOAT32_TOL: Tolerance = { rtol: 2e-6, atol: 1e-7 };
