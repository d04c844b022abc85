/** fill, cast and every unary op over its dtypes, against cpu (and the cast rules written out). */
import { describe } from 'vitest';
import fc from 'fast-check';
import { UNARY_OPS, type DType, type UnaryOp } from '../../backends/interface';
import { DTYPES } from '../../src-core/graph/dtype';
import type { Harness, Tolerance, ToleranceTable } from './harness';
import { expectExact, expectWithin } from './compare';
import { RUNS, bools, floats, grid, ints, makeRng, seed } from './data';
import { store } from './oracles';

/** Which dtypes each unary op takes (as declared by the ops in src-core/ops/elementwise-unary.ts). */
const FLOAT: readonly DType[] = ['float32'];
const NUMERIC: readonly DType[] = ['float32', 'int32'];
const UNARY_DTYPES: Record<UnaryOp, readonly DType[]> = {
  identity: DTYPES, neg: NUMERIC, abs: NUMERIC, sign: NUMERIC, exp: FLOAT, log: FLOAT, sqrt: FLOAT, rsqrt: FLOAT,
  square: NUMERIC, reciprocal: FLOAT, relu: NUMERIC, step: NUMERIC, sigmoid: FLOAT, tanh: FLOAT, floor: FLOAT,
  ceil: FLOAT, round: FLOAT, logicalNot: ['bool'],
};

/** Which tolerance each float32 unary op is held to (int32 and bool results are always exact). */
function unaryTolerance(op: UnaryOp, tol: ToleranceTable): Tolerance {
  if (op === 'exp' || op === 'log' || op === 'rsqrt' || op === 'sigmoid' || op === 'tanh') return tol.transcendental;
  if (op === 'sqrt' || op === 'reciprocal' || op === 'square') return tol.arithmetic;
  return tol.exact;
}

/** Inputs inside each op's domain; grid values mixed in so rounding halves, zeros and ties occur. */
function unaryInput(op: UnaryOp, dtype: DType, size: number, s: number): ArrayLike<number> {
  const rng = makeRng(s);
  if (dtype === 'bool') return bools(rng, size);
  if (dtype === 'int32') return ints(rng, size, op === 'square' ? -40000 : -1000, op === 'square' ? 40000 : 1000);
  if (op === 'log' || op === 'sqrt' || op === 'rsqrt') return floats(rng, size, 1e-3, 100);
  if (op === 'reciprocal') return floats(rng, size, 0.01, 100).map((v, i) => (i % 2 ? -v : v));
  if (op === 'exp') return floats(rng, size, -20, 20);
  if (op === 'sigmoid' || op === 'tanh') return floats(rng, size, -12, 12);
  return size % 2 ? grid(rng, size) : floats(rng, size, -100, 100);
}

/** cast's rules written out: float -> int32 truncates toward zero, anything -> bool is non-zero. */
function castInput(from: DType, size: number, s: number): ArrayLike<number> {
  const rng = makeRng(s);
  if (from === 'bool') return bools(rng, size);
  // int32 -> float32 must be exact here, so stay within float32's 24-bit integers.
  if (from === 'int32') return ints(rng, size, -(2 ** 24), 2 ** 24);
  const values = floats(rng, size, -1000, 1000);
  return Float32Array.from([0, -0, 0.5, -0.5, 1.5, -1.5, 2.9999998, -2.9999998, ...values]);
}

export function elementwiseChecks(h: Harness): void {
  describe('fill and cast', () => {
    h.check('fill', 'fills every declared dtype with representable values', async () => {
      const cases: [DType, number][] = [
        ['float32', 0], ['float32', -0], ['float32', Math.fround(-3.7)], ['float32', -Infinity], ['float32', 1e30],
        ['int32', 0], ['int32', -7], ['int32', 2147483647], ['bool', 0], ['bool', 1],
      ];
      for (const [dtype, value] of cases) {
        if (!h.supports(dtype)) continue;
        for (const size of [1, 5, 1031]) {
          const got = await h.compute(h.backend, (s) => {
            const out = s.alloc(dtype, size);
            h.backend.fill(out, value);
            return out;
          });
          expectExact(got, new Array<number>(size).fill(store(dtype, value)), `fill ${dtype}[${size}] with ${value}`);
        }
      }
    });

    h.check('cast', 'casts between every pair of declared dtypes (truncation to int32, non-zero to bool)', async () => {
      const dtypes = h.backend.capabilities.dtypes;
      await fc.assert(
        fc.asyncProperty(fc.integer({ min: 1, max: 300 }), seed, async (size, s) => {
          for (const from of dtypes) {
            for (const to of dtypes) {
              const x = castInput(from, size, s);
              const { got, want } = await h.both((sc) => {
                const out = sc.alloc(to, x.length);
                sc.backend.cast(sc.upload(from, x), out);
                return out;
              });
              const label = `cast ${from} -> ${to} [${x.length}]`;
              expectExact(got, Array.from(x, (v) => store(to, v)), `${label} vs the cast rules`);
              expectExact(got, want, `${label} vs cpu`);
            }
          }
        }),
        { numRuns: 10 },
      );
    });
  });

  describe('unary', () => {
    for (const op of UNARY_OPS) {
      h.check(`unary/${op}`, `${op} over ${UNARY_DTYPES[op].join(', ')} matches cpu`, async () => {
        await fc.assert(
          fc.asyncProperty(fc.integer({ min: 1, max: 500 }), seed, async (size, s) => {
            for (const dtype of UNARY_DTYPES[op]) {
              if (!h.supports(dtype)) continue;
              const x = unaryInput(op, dtype, size, s);
              const { got, want } = await h.both((sc) => {
                const out = sc.alloc(dtype, size);
                sc.backend.unary(op, sc.upload(dtype, x), out);
                return out;
              });
              const tol = dtype === 'float32' ? unaryTolerance(op, h.tol) : h.tol.exact;
              expectWithin(got, want, tol, `unary ${op} ${dtype}[${size}] (seed ${s})`);
            }
          }),
          { numRuns: RUNS },
        );
      });
    }
  });
}
