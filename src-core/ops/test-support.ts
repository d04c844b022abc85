/**
 * Helpers shared by the op property tests (forward.test.ts, gradient.test.ts); not a test file.
 *
 * fast-check picks shapes, axes, flags and a seed; bulk tensor values come from a seeded mulberry32
 * stream (fast, and a counterexample's seed reproduces its data exactly). Every case builds its own
 * tf.Graph, runs it through a cpu Session that is always closed, and evaluates the same graph with
 * the float64 reference interpreter.
 */
import fc from 'fast-check';
import * as tf from '../index';
import { evaluateReference, refFromNDArray } from '../reference-interpreter';
import type { RefArray } from './op-def';
import { makeRng } from '../../test/conformance/data';

export { makeRng };
import { withFloat64References } from './support';
import type { DType } from '../graph/dtype';
import { formatShape, numElements, shapesCompatible, type Shape } from '../graph/shape';

export type Tensor = tf.Tensor;
export type Feeds = [Tensor, tf.NDArray][];

// ---------------------------------------------------------------------------------------------
// Random data

export const seedArb = fc.integer({ min: 0, max: 0x7fffffff });

/** `property(arb1, arb2, ..., predicate)`: fc.assert of fc.property with a fixed number of runs. */
export function propertyRunner(numRuns: number) {
  return <Ts extends [unknown, ...unknown[]]>(...args: [...arbs: { [K in keyof Ts]: fc.Arbitrary<Ts[K]> }, predicate: (...a: Ts) => void]): void => {
    fc.assert(fc.property(...args), { numRuns });
  };
}

/**
 * How float values are drawn:
 * - uniform: uniform in [-4, 4] (or (0, 4] when positive);
 * - grid: multiples of 0.5 in [-4, 4], so ties, zeros, exact halves (rounding) and equality occur;
 * - wide: sign * 10^U(-30, 30), with exact 0, -0, subnormals and large magnitudes mixed in.
 */
export type FloatKind = 'uniform' | 'grid' | 'wide';
export const floatKindArb = fc.constantFrom<FloatKind>('uniform', 'grid', 'wide');

export function randomFloats(rng: () => number, size: number, kind: FloatKind = 'uniform', positive = false): Float32Array {
  const out = new Float32Array(size);
  for (let i = 0; i < size; i++) {
    let v: number;
    if (kind === 'uniform') {
      v = positive ? 0.01 + 3.99 * rng() : -4 + 8 * rng();
    } else if (kind === 'grid') {
      v = positive ? (1 + Math.floor(rng() * 8)) / 2 : (Math.floor(rng() * 17) - 8) / 2;
    } else {
      const r = rng();
      if (r < 0.05 && !positive) v = 0;
      else if (r < 0.1 && !positive) v = -0;
      else if (r < 0.13) v = 1e-45 * (1 + Math.floor(rng() * 1000)); // float32 subnormals
      else v = 10 ** (-30 + 60 * rng());
      if (!positive && rng() < 0.5) v = -v;
    }
    out[i] = v;
  }
  return out;
}

/** Uniform in [lo, hi], or its negation with probability 1/2 when `bothSigns`: keeps |x| >= lo. */
export function floatsAwayFromZero(rng: () => number, size: number, lo: number, hi: number, bothSigns = true): Float32Array {
  const out = new Float32Array(size);
  for (let i = 0; i < size; i++) {
    const v = lo + (hi - lo) * rng();
    out[i] = bothSigns && rng() < 0.5 ? -v : v;
  }
  return out;
}

/** Pairwise distinct values (a shuffled scaled range), so max/min reductions have no ties. */
export function distinctFloats(rng: () => number, size: number, step = 0.125): Float32Array {
  const out = new Float32Array(size);
  const order = Array.from({ length: size }, (_, i) => i);
  for (let i = size - 1; i > 0; i--) {
    const j = Math.floor(rng() * (i + 1));
    [order[i], order[j]] = [order[j], order[i]];
  }
  for (let i = 0; i < size; i++) out[i] = (order[i] - size / 2) * step + 0.0625;
  return out;
}

export function randomInts(rng: () => number, size: number, min: number, max: number): Int32Array {
  const out = new Int32Array(size);
  for (let i = 0; i < size; i++) out[i] = min + Math.floor(rng() * (max - min + 1));
  return out;
}

export function randomBools(rng: () => number, size: number): Uint8Array {
  const out = new Uint8Array(size);
  for (let i = 0; i < size; i++) out[i] = rng() < 0.5 ? 1 : 0;
  return out;
}

export function ndarray(data: Float32Array | Int32Array | Uint8Array, shape: readonly number[], dtype?: DType): tf.NDArray {
  return new tf.NDArray(data, shape, dtype);
}

// ---------------------------------------------------------------------------------------------
// Shapes, axes, permutations

export interface ShapeOptions {
  minRank?: number;
  maxRank?: number;
  /** Dims are drawn from 1..maxDim, plus 0 now and then when allowZero. */
  maxDim?: number;
  allowZero?: boolean;
}

/**
 * fast-check biases integers and array lengths towards small values (a third of broadcast pairs came
 * out as scalar/scalar); ranks and dims are drawn without that bias so shapes really vary.
 */
export function dimArb(maxDim = 4, allowZero = false): fc.Arbitrary<number> {
  const positive = fc.noBias(fc.integer({ min: 1, max: maxDim }));
  return allowZero ? fc.oneof({ arbitrary: positive, weight: 12 }, { arbitrary: fc.constant(0), weight: 1 }) : positive;
}

export function shapeArb(options: ShapeOptions = {}): fc.Arbitrary<number[]> {
  const { minRank = 0, maxRank = 4, maxDim = 4, allowZero = false } = options;
  return fc
    .noBias(fc.integer({ min: minRank, max: maxRank }))
    .chain((rank) => fc.array(dimArb(maxDim, allowZero), { minLength: rank, maxLength: rank }));
}

/** numpy broadcasting of concrete shapes; undefined when incompatible. */
export function broadcastOf(a: readonly number[], b: readonly number[]): number[] | undefined {
  const rank = Math.max(a.length, b.length);
  const out: number[] = [];
  for (let i = 0; i < rank; i++) {
    const da = i < rank - a.length ? 1 : a[i - (rank - a.length)];
    const db = i < rank - b.length ? 1 : b[i - (rank - b.length)];
    if (da !== db && da !== 1 && db !== 1) return undefined;
    out.push(da === 1 ? db : da);
  }
  return out;
}

/**
 * Two broadcast-compatible shapes: a random full shape, from which each operand drops some leading
 * dims and turns some of the rest into 1, so ranks differ and size-1 dims broadcast both ways.
 */
export function broadcastPairArb(options: ShapeOptions = {}): fc.Arbitrary<[number[], number[]]> {
  const operand = (full: number[]) =>
    fc
      .tuple(
        fc.oneof({ arbitrary: fc.constant(0), weight: 2 }, { arbitrary: fc.noBias(fc.integer({ min: 0, max: full.length })), weight: 1 }),
        fc.array(fc.boolean(), { minLength: full.length, maxLength: full.length }),
      )
      .map(([drop, ones]) => full.slice(drop).map((d, i) => (ones[i + drop] && full.length > 0 ? 1 : d)));
  return shapeArb({ minRank: 1, maxRank: 4, ...options }).chain((full) => fc.tuple(operand(full), operand(full)));
}

/** A placeholder's static shape for a concrete one: some dims unknown (null), or the rank unknown. */
export interface Unknowns {
  dims: boolean[];
  rank: boolean;
}

export function unknownsArb(maxRank = 4, allowUnknownRank = true): fc.Arbitrary<Unknowns> {
  return fc.record({
    dims: fc.array(fc.boolean(), { minLength: maxRank, maxLength: maxRank }),
    rank: allowUnknownRank ? fc.oneof({ arbitrary: fc.constant(false), weight: 6 }, { arbitrary: fc.constant(true), weight: 1 }) : fc.constant(false),
  });
}

export const ALL_KNOWN: Unknowns = { dims: [], rank: false };

export function staticShape(shape: readonly number[], unknowns: Unknowns): Shape {
  if (unknowns.rank) return null;
  return shape.map((d, i) => (unknowns.dims[i] ? null : d));
}

/** Reduction axes: null (all), or a subset in random order, each possibly written as a negative axis. */
export function axesArb(rank: number): fc.Arbitrary<number[] | null> {
  const range = Array.from({ length: rank }, (_, i) => i);
  const subset = fc
    .tuple(fc.shuffledSubarray(range), fc.array(fc.boolean(), { minLength: rank, maxLength: rank }))
    .map(([axes, negate]) => axes.map((a) => (negate[a] ? a - rank : a)));
  return fc.oneof({ arbitrary: fc.constant(null), weight: 1 }, { arbitrary: subset, weight: 4 });
}

export function permutationArb(rank: number): fc.Arbitrary<number[]> {
  const range = Array.from({ length: rank }, (_, i) => i);
  return fc.shuffledSubarray(range, { minLength: rank, maxLength: rank });
}

/** Normalised, sorted, unique axes (null: all). */
export function normalizeAxes(axes: readonly number[] | null, rank: number): number[] {
  if (axes === null) return Array.from({ length: rank }, (_, i) => i);
  return [...new Set(axes.map((a) => (a < 0 ? a + rank : a)))].sort((x, y) => x - y);
}

// ---------------------------------------------------------------------------------------------
// Running graphs

/** Builds inside a fresh graph, as its default graph. */
export function inGraph<T>(fn: (graph: tf.Graph) => T): T {
  const graph = new tf.Graph();
  return graph.as_default(() => fn(graph));
}

/** Runs fetches on a fresh cpu Session over `graph`; the session is always closed. */
export function runCpu(graph: tf.Graph, fetches: Tensor[], feeds: Feeds = []): tf.NDArray[] {
  const sess = tf.Session({ backend: 'cpu', graph });
  try {
    return sess.runSync(fetches, { feed_dict: feeds });
  } finally {
    sess.close();
  }
}

export function refFeeds(feeds: Feeds): Map<Tensor, RefArray> {
  return new Map(feeds.map(([t, v]) => [t, refFromNDArray(v)]));
}

export function runReference(fetches: Tensor[], feeds: Feeds | Map<Tensor, RefArray> = []): RefArray[] {
  return evaluateReference(fetches, feeds instanceof Map ? feeds : refFeeds(feeds));
}

/**
 * Runs `fn` with the reference interpreter in true float64. The reference kernels round every float32
 * output to float32 (`storeAs` -> Math.fround), which makes central differences with a small step
 * meaningless (a 1e-6 step sees ~6% rounding noise). Replacing Math.fround by the identity for the
 * duration of `fn` turns that rounding off; it is restored afterwards, also on a throw.
 */
export function inFloat64<T>(fn: () => T): T {
  return withFloat64References(fn);
}

// ---------------------------------------------------------------------------------------------
// Comparisons

export interface Tolerance {
  rtol: number;
  /** One absolute tolerance for all elements, or one per element. */
  atol: number | ArrayLike<number>;
}

/** Float32 elementwise results: relative ~1e-5, plus room for subnormal outputs. */
export const ELEMENTWISE: Tolerance = { rtol: 1e-5, atol: 1e-37 };
export const EXACT: Tolerance = { rtol: 0, atol: 0 };

/**
 * The first few elements outside tolerance, or null. NaN matches NaN, infinities must match exactly,
 * and |a - e| <= atol + rtol * |e| otherwise.
 */
export function closeMismatch(actual: ArrayLike<number>, expected: ArrayLike<number>, tol: Tolerance): string | null {
  if (actual.length !== expected.length) return `length ${actual.length} vs expected ${expected.length}`;
  const bad: string[] = [];
  let count = 0;
  for (let i = 0; i < actual.length; i++) {
    const a = actual[i];
    const e = expected[i];
    if (a === e || (Number.isNaN(a) && Number.isNaN(e))) continue;
    const atol = typeof tol.atol === 'number' ? tol.atol : tol.atol[i];
    const ok = Number.isFinite(a) && Number.isFinite(e) && Math.abs(a - e) <= atol + tol.rtol * Math.abs(e);
    if (ok) continue;
    count++;
    if (bad.length < 5) bad.push(`[${i}] got ${a}, expected ${e} (diff ${Math.abs(a - e)}, atol ${atol}, rtol ${tol.rtol})`);
  }
  return count === 0 ? null : `${count} of ${actual.length} elements differ: ${bad.join('; ')}`;
}

export function expectClose(actual: ArrayLike<number>, expected: ArrayLike<number>, tol: Tolerance, what: string): void {
  const msg = closeMismatch(actual, expected, tol);
  if (msg !== null) throw new Error(`${what}: ${msg}`);
}

export function expectShapeCompatible(staticShape: Shape, actual: readonly number[], what: string): void {
  if (!shapesCompatible(staticShape, [...actual])) {
    throw new Error(`${what}: static shape ${formatShape(staticShape)} is not compatible with the computed shape ${formatShape(actual)}`);
  }
}

export function expectShape(actual: readonly number[], expected: readonly number[], what: string): void {
  if (actual.length !== expected.length || actual.some((d, i) => d !== expected[i])) {
    throw new Error(`${what}: shape ${formatShape(actual)}, expected ${formatShape(expected)}`);
  }
}

export function maxAbs(values: ArrayLike<number>): number {
  let m = 0;
  for (let i = 0; i < values.length; i++) if (Number.isFinite(values[i])) m = Math.max(m, Math.abs(values[i]));
  return m;
}

export { numElements, formatShape };
