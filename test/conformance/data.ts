/**
 * Test data: fast-check picks shapes and a seed, and bulk values come from a seeded generator, so
 * properties stay fast and every failure replays from fast-check's reported seed.
 */
import fc from 'fast-check';
import { stridesOf } from '../../src-core/graph/shape';

/** Property runs per check: enough variety in shapes while a whole backend suite stays well under 20 s. */
export const RUNS = 25;

/** mulberry32 */
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

/** Uniform float32 values in [min, max). */
export function floats(rng: () => number, size: number, min = -4, max = 4): Float32Array {
  const out = new Float32Array(size);
  for (let i = 0; i < size; i++) out[i] = min + (max - min) * rng();
  return out;
}

/** Half-integers in [-4, 4]: comparisons, ties, rounding halves and equal operands really occur. */
export function grid(rng: () => number, size: number): Float32Array {
  const out = new Float32Array(size);
  for (let i = 0; i < size; i++) out[i] = Math.floor(rng() * 17 - 8) / 2;
  return out;
}

export function ints(rng: () => number, size: number, min: number, max: number): Int32Array {
  const out = new Int32Array(size);
  for (let i = 0; i < size; i++) out[i] = min + Math.floor(rng() * (max - min + 1));
  return out;
}

export function bools(rng: () => number, size: number): Uint8Array {
  const out = new Uint8Array(size);
  for (let i = 0; i < size; i++) out[i] = rng() < 0.5 ? 1 : 0;
  return out;
}

export function numel(shape: readonly number[]): number {
  return shape.reduce((n, d) => n * d, 1);
}

export const seed = fc.integer({ min: 0, max: 2 ** 31 - 1 });
export const dim = (max: number) => fc.integer({ min: 1, max });

/**
 * Two broadcast-compatible shapes of rank 0..4: from one output shape, each operand squashes some dims
 * to 1 and may drop leading dims (numpy broadcasting).
 */
export const broadcastPair = fc
  .record({
    shape: fc.array(fc.integer({ min: 1, max: 5 }), { minLength: 0, maxLength: 4 }),
    aMask: fc.array(fc.boolean(), { minLength: 4, maxLength: 4 }),
    bMask: fc.array(fc.boolean(), { minLength: 4, maxLength: 4 }),
    aDrop: fc.integer({ min: 0, max: 4 }),
    bDrop: fc.integer({ min: 0, max: 4 }),
  })
  .map(({ shape, aMask, bMask, aDrop, bDrop }) => ({
    aShape: shape.map((d, i) => (aMask[i] ? 1 : d)).slice(Math.min(aDrop, shape.length)),
    bShape: shape.map((d, i) => (bMask[i] ? 1 : d)).slice(Math.min(bDrop, shape.length)),
  }));

export function broadcastShape(a: readonly number[], b: readonly number[]): number[] {
  const rank = Math.max(a.length, b.length);
  return Array.from({ length: rank }, (_, i) => {
    const da = a[i - (rank - a.length)] ?? 1;
    const db = b[i - (rank - b.length)] ?? 1;
    return da === 1 ? db : da;
  });
}

/** Strides of `operand` read over `out` with numpy broadcasting, without merging dims (rank >= 1). */
export function uncollapsedStrides(operand: readonly number[], out: readonly number[]): number[] {
  const own = stridesOf(operand);
  const lead = out.length - operand.length;
  return out.map((_, i) => (i < lead || operand[i - lead] === 1 ? 0 : own[i - lead]));
}

/** A random permutation of 0..n-1. */
export function permutation(n: number, rng: () => number): number[] {
  const order = Array.from({ length: n }, (_, i) => i);
  for (let i = n - 1; i > 0; i--) {
    const j = Math.floor(rng() * (i + 1));
    [order[i], order[j]] = [order[j], order[i]];
  }
  return order;
}
