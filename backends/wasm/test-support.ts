/**
 * Helpers for the wasm backend's tests (not itself a test file): one cpu and one wasm backend,
 * deterministic random data, and comparisons that treat the cpu backend as the reference.
 */
import { expect } from 'vitest';
import fc from 'fast-check';
import type { BackendBuffer, DType, TypedArray } from '../interface';
import { typedArrayFrom } from '../../src-core/base/dtype';
import { createCpuBackend } from '../cpu';
import { createWasmBackend } from './index';
import { download, randomFloats, randomInts, upload } from '../cpu/testing';

// Data and buffer helpers are the cpu tests' own; this module adds the cpu-vs-wasm comparisons.
export { makeRng, randomFloats, gridFloats, randomInts, upload, download, numel, broadcastShape, binaryArgsFor } from '../cpu/testing';

export const cpu = createCpuBackend();
export const wasm = createWasmBackend();

export function randomValues(rng: () => number, dtype: DType, size: number): TypedArray {
  if (dtype === 'float32') return randomFloats(rng, size);
  if (dtype === 'int32') return randomInts(rng, size, -20, 20);
  return typedArrayFrom('bool', randomInts(rng, size, 0, 1));
}

/** The same data on both backends. */
export interface Pair {
  readonly cpu: BackendBuffer;
  readonly wasm: BackendBuffer;
}

export function uploadBoth(dtype: DType, values: ArrayLike<number>): Pair {
  return { cpu: upload(cpu, dtype, values), wasm: upload(wasm, dtype, values) };
}

/** Output buffers on both backends, pre-filled with a sentinel so unwritten elements show up. */
export function allocBoth(dtype: DType, size: number, sentinel = 77): Pair {
  const pair = { cpu: cpu.alloc(dtype, size), wasm: wasm.alloc(dtype, size) };
  cpu.fill(pair.cpu, sentinel);
  wasm.fill(pair.wasm, sentinel);
  return pair;
}

export function freeBoth(...pairs: Pair[]): void {
  for (const p of pairs) {
    cpu.free(p.cpu);
    wasm.free(p.wasm);
  }
}

/** Bit-for-bit equality (NaN equals NaN, and 0 differs from -0). */
export function expectIdentical(got: ArrayLike<number>, want: ArrayLike<number>, label = ''): void {
  expect(got.length, `${label} length`).toBe(want.length);
  for (let i = 0; i < want.length; i++) {
    if (!Object.is(got[i], want[i])) expect.fail(`${label}[${i}]: got ${got[i]}, want ${want[i]}`);
  }
}

export interface Tolerance {
  readonly rtol: number;
  readonly atol: number;
}

/** |got - want| <= atol + rtol * |want|; NaNs must match NaNs and infinities must match exactly. */
export function expectClose(got: ArrayLike<number>, want: ArrayLike<number>, tol: Tolerance, label = ''): void {
  expect(got.length, `${label} length`).toBe(want.length);
  for (let i = 0; i < want.length; i++) {
    const g = got[i];
    const w = want[i];
    if (Number.isNaN(w) || !Number.isFinite(w)) {
      if (!Object.is(g, w) && !(Number.isNaN(w) && Number.isNaN(g))) expect.fail(`${label}[${i}]: got ${g}, want ${w}`);
      continue;
    }
    if (!(Math.abs(g - w) <= tol.atol + tol.rtol * Math.abs(w))) {
      expect.fail(`${label}[${i}]: got ${g}, want ${w} (diff ${Math.abs(g - w)})`);
    }
  }
}

/** A few float32 ulps: what the wasm polynomials may differ from the cpu's double-then-round. */
export const FLOAT32_TOL: Tolerance = { rtol: 4e-7, atol: 1e-30 };

/** Reads both outputs and compares them: bit for bit by default, or within a tolerance. */
export function expectSameOutput(out: Pair, label: string, tol?: Tolerance): void {
  const got = download(wasm, out.wasm);
  const want = download(cpu, out.cpu);
  if (tol === undefined) expectIdentical(got, want, label);
  else expectClose(got, want, tol, label);
}

/** Two broadcast-compatible shapes: an output shape, each operand keeping or squashing dims to 1 and maybe dropping leading ones. */
export const broadcastPair: fc.Arbitrary<{ aShape: number[]; bShape: number[] }> = fc
  .record({
    shape: fc.array(fc.oneof(fc.integer({ min: 1, max: 9 }), fc.constant(0)), { minLength: 1, maxLength: 4 }),
    aMask: fc.array(fc.boolean(), { minLength: 4, maxLength: 4 }),
    bMask: fc.array(fc.boolean(), { minLength: 4, maxLength: 4 }),
    aDrop: fc.integer({ min: 0, max: 4 }),
    bDrop: fc.integer({ min: 0, max: 4 }),
  })
  .map(({ shape, aMask, bMask, aDrop, bDrop }) => ({
    aShape: shape.map((d, i) => (aMask[i] ? 1 : d)).slice(Math.min(aDrop, shape.length)),
    bShape: shape.map((d, i) => (bMask[i] ? 1 : d)).slice(Math.min(bDrop, shape.length)),
  }));

/** float32 specials every elementwise op must agree on. */
export const SPECIAL_FLOATS = [
  0, -0, NaN, Infinity, -Infinity, 0.5, 1.5, 2.5, -0.5, -1.5, -2.5, 1000, -1000, 88, -88, 89, -104, 1e-30, -1e-30,
  1e-40, -1e-40, 3.4e38, -3.4e38, 2147483648, -2147483649, 1e10,
];
