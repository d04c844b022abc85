/**
 * Every binary op over its dtypes, on random broadcast-compatible shapes of rank 0..4: once with the
 * descriptors the compiler emits (merged dims) and once unmerged, against cpu and a naive float64 loop.
 */
import { describe } from 'vitest';
import fc from 'fast-check';
import { BINARY_OPS, COMPARISON_OPS, type BinaryArgs, type BinaryOp, type DType } from '../../backends/interface';
import { binaryArgs } from '../../src-core/ops/lowering';
import type { Harness, Tolerance } from './harness';
import { expectExact, expectWithin } from './compare';
import { RUNS, bools, broadcastPair, broadcastShape, floats, grid, ints, makeRng, numel, seed, uncollapsedStrides } from './data';
import { binaryOracle } from './oracles';

/** Which operand dtypes each op takes (as declared by the ops in src-core/ops/elementwise-binary.ts). */
const NUMERIC: readonly DType[] = ['float32', 'int32'];
const BINARY_DTYPES: Record<BinaryOp, readonly DType[]> = {
  add: NUMERIC, sub: NUMERIC, mul: NUMERIC, div: NUMERIC, pow: NUMERIC, max: NUMERIC, min: NUMERIC,
  equal: ['float32', 'int32', 'bool'], notEqual: ['float32', 'int32', 'bool'], less: NUMERIC, lessEqual: NUMERIC,
  greater: NUMERIC, greaterEqual: NUMERIC, logicalAnd: ['bool'], logicalOr: ['bool'],
};

function outDtypeOf(op: BinaryOp, inDtype: DType): DType {
  return COMPARISON_OPS.has(op) ? 'bool' : inDtype;
}

/** Operands in each op's domain: pow keeps a positive base (float) or a small exponent (int), div avoids 0. */
function operands(op: BinaryOp, dtype: DType, aSize: number, bSize: number, s: number): [ArrayLike<number>, ArrayLike<number>] {
  const rng = makeRng(s);
  if (dtype === 'bool') return [bools(rng, aSize), bools(rng, bSize)];
  if (dtype === 'int32') {
    if (op === 'pow') return [ints(rng, aSize, -6, 6), ints(rng, bSize, 0, 6)];
    const b = ints(rng, bSize, -50, 50);
    if (op === 'div') b.forEach((v, i) => (b[i] = v === 0 ? 7 : v));
    return [ints(rng, aSize, -50, 50), b];
  }
  if (op === 'pow') return [floats(rng, aSize, 0.25, 4), floats(rng, bSize, -3, 3)];
  if (op === 'div') return [floats(rng, aSize), floats(rng, bSize, 0.5, 4).map((v, i) => (i % 2 ? -v : v))];
  // Grid values make equality and ties common; random ones test the arithmetic.
  return s % 2 ? [grid(rng, aSize), grid(rng, bSize)] : [floats(rng, aSize), floats(rng, bSize)];
}

function tolerance(h: Harness, op: BinaryOp, dtype: DType): Tolerance {
  if (dtype !== 'float32' || COMPARISON_OPS.has(op) || op === 'max' || op === 'min') return h.tol.exact;
  return op === 'pow' ? h.tol.pow : h.tol.arithmetic;
}

async function checkBinary(h: Harness, op: BinaryOp, dtype: DType, a: ArrayLike<number>, b: ArrayLike<number>, args: BinaryArgs, label: string) {
  const outDtype = outDtypeOf(op, dtype);
  const { got, want } = await h.both((sc) => {
    const out = sc.alloc(outDtype, numel(args.shape));
    sc.backend.binary(op, sc.upload(dtype, a), sc.upload(dtype, b), out, args);
    return out;
  });
  const tol = tolerance(h, op, dtype);
  const where = `${label} shape [${args.shape}] aStrides [${args.aStrides}] bStrides [${args.bStrides}]`;
  expectWithin(got, binaryOracle(op, a, b, args, dtype, outDtype), tol, `${where} vs naive`);
  expectWithin(got, want, tol, `${where} vs cpu`);
}

export function binaryChecks(h: Harness): void {
  describe('binary', () => {
    for (const op of BINARY_OPS) {
      h.check(`binary/${op}`, `${op} over ${BINARY_DTYPES[op].join(', ')} with broadcasting`, async () => {
        await fc.assert(
          fc.asyncProperty(broadcastPair, seed, async ({ aShape, bShape }, s) => {
            const outShape = broadcastShape(aShape, bShape);
            for (const dtype of BINARY_DTYPES[op]) {
              if (!h.supports(dtype) || (COMPARISON_OPS.has(op) && !h.supports('bool'))) continue;
              const [a, b] = operands(op, dtype, numel(aShape), numel(bShape), s);
              const label = `${op} ${dtype} [${aShape}] x [${bShape}] (seed ${s})`;
              await checkBinary(h, op, dtype, a, b, binaryArgs(aShape, bShape, outShape), `${label}, compiler descriptor:`);
              const shape = outShape.length === 0 ? [1] : outShape;
              const raw = { shape, aStrides: uncollapsedStrides(aShape, shape), bStrides: uncollapsedStrides(bShape, shape) };
              await checkBinary(h, op, dtype, a, b, raw, `${label}, unmerged descriptor:`);
            }
          }),
          { numRuns: RUNS },
        );
      });
    }

    h.check('binary/int32-wrap', 'int32 add, sub and mul wrap around (two\'s complement) on overflow', async (t) => {
      t.skip(!h.supports('int32'), 'the backend does not declare int32');
      const rng = makeRng(5);
      const a = ints(rng, 257, -2147483648, 2147483647);
      const b = ints(rng, 257, -2147483648, 2147483647);
      const args: BinaryArgs = { shape: [257], aStrides: [1], bStrides: [1] };
      for (const op of ['add', 'sub', 'mul'] as const) {
        const got = await h.compute(h.backend, (sc) => {
          const out = sc.alloc('int32', 257);
          sc.backend.binary(op, sc.upload('int32', a), sc.upload('int32', b), out, args);
          return out;
        });
        expectExact(got, binaryOracle(op, a, b, args, 'int32', 'int32'), `int32 ${op} with overflow`);
      }
    });

    h.check('binary/large', 'a large broadcast (a [1000, 1000] plus a row and a column vector)', async () => {
      const rng = makeRng(11);
      const a = floats(rng, 1_000_000);
      const row = floats(rng, 1000);
      for (const args of [binaryArgs([1000, 1000], [1000], [1000, 1000]), binaryArgs([1000, 1000], [1000, 1], [1000, 1000])]) {
        await checkBinary(h, 'add', 'float32', a, row, args, 'add [1000, 1000] + vector');
      }
    });
  });
}
