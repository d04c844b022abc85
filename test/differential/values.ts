/**
 * What the random graph generator knows about a value without computing it: its shape, an interval
 * holding every element, whether its elements are generic (pairwise distinct, no exact zeros: no ties
 * for max, no kink hit exactly) and which graph inputs it depends on.
 */
export type Rng = () => number;

export interface ValueInfo {
  shape: number[];
  lo: number;
  hi: number;
  /** Elements are pairwise distinct and nonzero with probability 1 (continuous random data). */
  generic: boolean;
  /** Indices of the graph inputs this value depends on. */
  sources: ReadonlySet<number>;
  /** A graph input itself (exact float32 data in every framework). */
  leaf: boolean;
}

export const sizeOf = (shape: readonly number[]): number => shape.reduce((a, b) => a * b, 1);
export const bound = (v: { lo: number; hi: number }): number => Math.max(Math.abs(v.lo), Math.abs(v.hi));

export function randInt(rng: Rng, lo: number, hi: number): number {
  return lo + Math.floor(rng() * (hi - lo + 1));
}

export function pick<T>(rng: Rng, items: readonly T[]): T {
  return items[Math.floor(rng() * items.length)];
}

export function shuffled<T>(rng: Rng, items: readonly T[]): T[] {
  const out = [...items];
  for (let i = out.length - 1; i > 0; i--) {
    const j = Math.floor(rng() * (i + 1));
    [out[i], out[j]] = [out[j], out[i]];
  }
  return out;
}

/** The interval of f over [lo, hi] for f monotone on it (increasing or decreasing). */
export function monotone(f: (x: number) => number, lo: number, hi: number): { lo: number; hi: number } {
  const a = f(lo);
  const b = f(hi);
  return { lo: Math.min(a, b), hi: Math.max(a, b) };
}

/** The interval of a product of two intervals. */
export function productInterval(a: { lo: number; hi: number }, b: { lo: number; hi: number }): { lo: number; hi: number } {
  const c = [a.lo * b.lo, a.lo * b.hi, a.hi * b.lo, a.hi * b.hi];
  return { lo: Math.min(...c), hi: Math.max(...c) };
}

/** numpy broadcasting of two concrete shapes; undefined when they do not broadcast. */
export { broadcastOf as broadcastShapes } from '../../src-core/ops/test-support';

export function union(a: ReadonlySet<number>, b: ReadonlySet<number>): Set<number> {
  return new Set([...a, ...b]);
}

export function disjoint(a: ReadonlySet<number>, b: ReadonlySet<number>): boolean {
  for (const x of a) if (b.has(x)) return false;
  return true;
}

/** Random values in [lo, hi], pairwise distinct and nonzero with probability 1. */
export function uniformValues(rng: Rng, n: number, lo: number, hi: number): number[] {
  return Array.from({ length: n }, () => Math.fround(lo + (hi - lo) * rng()));
}
