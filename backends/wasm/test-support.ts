/**
 * Helpers for the wasm backend's tests (not itself a test file): one cpu and one wasm backend,
 * deterministic random data, and comparisons that treat the cpu backend as the reference.
 */
import { expect } from 'vitest';
import fc from 'fast-check';
import type { Backend, BackendBuffer, BinaryArgs, DType, TypedArray } from '../interface';
import { typedArrayFrom } from '../../src-core/graph/dtype';
import { createCpuBackend } from '../cpu';
import { createWasmBackend } from './index';

export const cpu = createCpuBackend();
export const wasm = createWasmBackend();

/** mulberry32: fast-check picks seeds and shapes; bulk values come from here to keep runs fast. */
export function makeRng(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

export function randomFloats(rng: () => number, size: number, min = -4, max = 4): Float32Array {
  const out = new Float32Array(size);
  for (let i = 0; i < size; i++) out[i] = min + (max - min) * rng();
  return out;
}

/** Values on a coarse grid, so comparisons, ties and equality actually occur. */
export function gridFloats(rng: () => number, size: number): Float32Array {
  const out = new Float32Array(size);
  for (let i = 0; i < size; i++) out[i] = Math.floor(rng() * 9 - 4) / 2;
  return out;
}

export function randomInts(rng: () => number, size: number, min: number, max: number): Int32Array {
  const out = new Int32Array(size);
  for (let i = 0; i < size; i++) out[i] = min + Math.floor(rng() * (max - min + 1));
  return out;
}

export function randomValues(rng: () => number, dtype: DType, size: number): TypedArray {
  if (dtype === 'float32') return randomFloats(rng, size);
  if (dtype === 'int32') return randomInts(rng, size, -20, 20);
  return typedArrayFrom('bool', randomInts(rng, size, 0, 1));
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

export function numel(shape: readonly number[]): number {
  return shape.reduce((n, d) => n * d, 1);
}

function stridesOf(shape: readonly number[]): number[] {
  const strides = new Array<number>(shape.length);
  let s = 1;
  for (let d = shape.length - 1; d >= 0; d--) {
    strides[d] = s;
    s *= shape[d];
  }
  return strides;
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
