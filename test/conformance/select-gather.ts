/**
 * The data-dependent selection kernels (select, gather, segmentSum), optional in the interface: run
 * where the backend implements them, against naive loops written here and against cpu. Exact: they
 * move values (select, gather) or sum them in index order (segmentSum, whose float32 sums are checked
 * against Σ|terms| so any summation order passes).
 */
import { describe } from 'vitest';
import fc from 'fast-check';
import type { DType, GatherArgs, SelectArgs } from '../../backends/interface';
import type { Harness } from './harness';
import { expectClose, expectExact } from './compare';
import { RUNS, bools, floats, ints, makeRng, numel, seed } from './data';

/** A random shape of rank 1..3 and, per operand, broadcast strides over it (0 on squashed dims). */
const selectCase = fc.record({
  shape: fc.array(fc.integer({ min: 1, max: 5 }), { minLength: 1, maxLength: 3 }),
  squash: fc.array(fc.array(fc.boolean(), { minLength: 3, maxLength: 3 }), { minLength: 3, maxLength: 3 }),
  seed,
});

function stridesFor(shape: readonly number[], squash: readonly boolean[]): { size: number; strides: number[] } {
  const dims = shape.map((d, i) => (squash[i] ? 1 : d));
  const strides = new Array<number>(shape.length).fill(0);
  let s = 1;
  for (let i = shape.length - 1; i >= 0; i--) {
    strides[i] = dims[i] === 1 ? 0 : s;
    s *= dims[i];
  }
  return { size: s, strides };
}

function selectOracle(cond: Uint8Array, a: ArrayLike<number>, b: ArrayLike<number>, args: SelectArgs): number[] {
  const out: number[] = [];
  const n = numel(args.shape);
  for (let i = 0; i < n; i++) {
    let rest = i;
    let [c, ai, bi] = [0, 0, 0];
    for (let d = args.shape.length - 1; d >= 0; d--) {
      const k = rest % args.shape[d];
      rest = Math.floor(rest / args.shape[d]);
      c += k * args.condStrides[d];
      ai += k * args.aStrides[d];
      bi += k * args.bStrides[d];
    }
    out.push(cond[c] !== 0 ? a[ai] : b[bi]);
  }
  return out;
}

function values(dtype: DType, rng: () => number, size: number): ArrayLike<number> {
  if (dtype === 'float32') return floats(rng, size, -1e3, 1e3);
  if (dtype === 'int32') return ints(rng, size, -(2 ** 31), 2 ** 31 - 1);
  return bools(rng, size);
}

function gatherOracle(params: ArrayLike<number>, indices: Int32Array, { outer, axis, inner, count }: GatherArgs): number[] {
  const out: number[] = [];
  for (let o = 0; o < outer; o++) {
    for (let j = 0; j < count; j++) {
      for (let i = 0; i < inner; i++) out.push(indices[j] >= 0 && indices[j] < axis ? params[(o * axis + indices[j]) * inner + i] : 0);
    }
  }
  return out;
}

/** The float64 sums and Σ|terms| of segmentSum. */
function segmentSumOracle(x: ArrayLike<number>, indices: Int32Array, { outer, axis, inner, count }: GatherArgs): { sum: Float64Array; magnitude: Float64Array } {
  const sum = new Float64Array(outer * axis * inner);
  const magnitude = new Float64Array(sum.length);
  for (let o = 0; o < outer; o++) {
    for (let j = 0; j < count; j++) {
      const r = indices[j];
      if (r < 0 || r >= axis) continue;
      for (let i = 0; i < inner; i++) {
        sum[(o * axis + r) * inner + i] += x[(o * count + j) * inner + i];
        magnitude[(o * axis + r) * inner + i] += Math.abs(x[(o * count + j) * inner + i]);
      }
    }
  }
  return { sum, magnitude };
}

const gatherCase = fc.record({
  outer: fc.integer({ min: 1, max: 3 }),
  axis: fc.integer({ min: 1, max: 6 }),
  inner: fc.integer({ min: 1, max: 5 }),
  count: fc.integer({ min: 0, max: 8 }),
  seed,
});

const skipWithout = (h: Harness, name: 'select' | 'gather' | 'segmentSum') => typeof h.backend[name] !== 'function';
const WITHOUT = 'the backend does not implement it; graphs that need it fail to compile naming it';

export function selectChecks(h: Harness): void {
  describe('select (optional)', () => {
    h.check('select/broadcast', 'picks a or b by a broadcast bool condition, for every dtype the backend has', async (t) => {
      t.skip(skipWithout(h, 'select'), WITHOUT);
      for (const dtype of ['float32', 'int32', 'bool'] as const) {
        if (!h.supports(dtype)) continue;
        await fc.assert(fc.asyncProperty(selectCase, async ({ shape, squash, seed: s }) => {
          const rng = makeRng(s);
          const [c, a, b] = squash.map((sq) => stridesFor(shape, sq));
          const args: SelectArgs = { shape, condStrides: c.strides, aStrides: a.strides, bStrides: b.strides };
          const [cv, av, bv] = [bools(rng, c.size), values(dtype, rng, a.size), values(dtype, rng, b.size)];
          const { got, want } = await h.both((sc) => {
            const out = sc.alloc(dtype, numel(shape));
            sc.backend.select?.(sc.upload('bool', cv), sc.upload(dtype, av), sc.upload(dtype, bv), out, args);
            return out;
          });
          const label = `select ${dtype} [${shape.join(',')}] (seed ${s})`;
          expectExact(got, selectOracle(cv, av, bv, args), `${label} vs naive`);
          expectExact(got, want, `${label} vs cpu`);
        }), { numRuns: RUNS });
      }
    });

    h.check('select/no-leak', 'NaN and ±Inf in the branch not taken never reach the output', async (t) => {
      t.skip(skipWithout(h, 'select'), WITHOUT);
      const cond = Uint8Array.of(1, 0, 1, 0, 1, 0);
      const a = Float32Array.of(1, NaN, -0, Infinity, 2.5, -Infinity);
      const b = Float32Array.of(NaN, 3, Infinity, -7, -Infinity, 4);
      const got = await h.compute(h.backend, (sc) => {
        const out = sc.alloc('float32', 6);
        sc.backend.select?.(sc.upload('bool', cond), sc.upload('float32', a), sc.upload('float32', b), out, { shape: [6], condStrides: [1], aStrides: [1], bStrides: [1] });
        return out;
      });
      expectExact(got, [1, 3, -0, -7, 2.5, 4], 'select with NaN/Inf in the other branch');
      if (!Object.is(got[2], -0)) throw new Error(`select lost the sign of -0: got ${got[2]}`);
    });
  });
}

export function gatherChecks(h: Harness): void {
  describe('gather (optional)', () => {
    h.check('gather/random', 'copies indexed rows of [outer, axis, inner], zeros for out-of-range indices, every dtype', async (t) => {
      t.skip(skipWithout(h, 'gather'), WITHOUT);
      for (const dtype of ['float32', 'int32', 'bool'] as const) {
        if (!h.supports(dtype)) continue;
        await fc.assert(fc.asyncProperty(gatherCase, async ({ seed: s, ...args }) => {
          const rng = makeRng(s);
          const params = values(dtype, rng, args.outer * args.axis * args.inner);
          // Mostly valid indices with repeats, and now and then one past either end.
          const indices = ints(rng, args.count, -1, args.axis);
          const { got, want } = await h.both((sc) => {
            const out = sc.alloc(dtype, args.outer * args.count * args.inner);
            sc.backend.gather?.(sc.upload(dtype, params), sc.upload('int32', indices), out, args);
            return out;
          });
          const label = `gather ${dtype} ${JSON.stringify(args)} indices [${Array.from(indices).join(',')}]`;
          expectExact(got, gatherOracle(params, indices, args), `${label} vs naive`);
          expectExact(got, want, `${label} vs cpu`);
        }), { numRuns: RUNS });
      }
    });

    h.check('gather/special-values', 'moves NaN, ±Inf and -0 untouched (no arithmetic on the values)', async (t) => {
      t.skip(skipWithout(h, 'gather'), WITHOUT);
      const params = Float32Array.of(NaN, Infinity, -Infinity, -0);
      const got = await h.compute(h.backend, (sc) => {
        const out = sc.alloc('float32', 5);
        sc.backend.gather?.(sc.upload('float32', params), sc.upload('int32', Int32Array.of(3, 0, 1, 2, 3)), out, { outer: 1, axis: 4, inner: 1, count: 5 });
        return out;
      });
      expectExact(got, [-0, NaN, Infinity, -Infinity, -0], 'gather of special values');
      if (!Object.is(got[0], -0)) throw new Error(`gather lost the sign of -0: got ${got[0]}`);
    });
  });
}

export function segmentSumChecks(h: Harness): void {
  describe('segmentSum (optional)', () => {
    h.check('segmentSum/random', 'sums the rows sent to each index (repeats accumulate, out-of-range dropped), float32 and int32', async (t) => {
      t.skip(skipWithout(h, 'segmentSum'), WITHOUT);
      for (const dtype of ['float32', 'int32'] as const) {
        if (!h.supports(dtype)) continue;
        await fc.assert(fc.asyncProperty(gatherCase, async ({ seed: s, ...args }) => {
          const rng = makeRng(s);
          const x = dtype === 'float32' ? floats(rng, args.outer * args.count * args.inner) : ints(rng, args.outer * args.count * args.inner, -1000, 1000);
          const indices = ints(rng, args.count, -1, args.axis);
          const { got, want } = await h.both((sc) => {
            const out = sc.alloc(dtype, args.outer * args.axis * args.inner);
            sc.backend.fill(out, 7); // segmentSum overwrites: stale contents must not survive
            sc.backend.segmentSum?.(sc.upload(dtype, x), sc.upload('int32', indices), out, args);
            return out;
          });
          const label = `segmentSum ${dtype} ${JSON.stringify(args)} indices [${Array.from(indices).join(',')}]`;
          const { sum, magnitude } = segmentSumOracle(x, indices, args);
          if (dtype === 'int32') expectExact(got, sum, `${label} vs naive`);
          else expectClose(got, sum, h.tol.arithmetic, `${label} vs naive`, magnitude);
          expectClose(got, want, h.tol.arithmetic, `${label} vs cpu`, magnitude);
        }), { numRuns: RUNS });
      }
    });
  });
}
