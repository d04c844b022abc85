/**
 * The optional fused matmul epilogue: out = act(op(a)·op(b) + bias), every transpose combination,
 * packed and broadcast batches, with and without bias and relu, against a float64 oracle. Sizes past
 * the cpu's blocking check that the epilogue reaches every output block exactly once.
 */
import { describe } from 'vitest';
import fc from 'fast-check';
import type { MatMulArgs, MatMulEpilogue } from '../../backends/interface';
import type { Harness } from './harness';
import { expectClose } from './compare';
import { RUNS, floats, makeRng, seed } from './data';
import { matmulEpilogueOracle } from './oracles';

const NO_KERNEL = 'the backend has no fused matmul epilogue; the compiler emits matmul, binary add and unary relu';

async function checkEpilogue(h: Harness, args: MatMulArgs, epilogue: MatMulEpilogue, s: number): Promise<void> {
  const rng = makeRng(s);
  const size = (stride: number, matrix: number) => (args.batch === 0 ? 0 : (args.batch - 1) * stride + matrix);
  const a = floats(rng, size(args.aBatchStride, args.m * args.k));
  const b = floats(rng, size(args.bBatchStride, args.k * args.n));
  const bias = epilogue.bias ? floats(rng, args.n, -8, 8) : null;
  const got = await h.compute(h.backend, (sc) => {
    const out = sc.alloc('float32', args.batch * args.m * args.n);
    const fused = sc.backend.matmulEpilogue;
    if (fused === undefined) throw new Error(`${sc.backend.name} has no matmulEpilogue`);
    const biasBuffer = bias === null ? null : sc.upload('float32', bias);
    fused.call(sc.backend, sc.upload('float32', a), sc.upload('float32', b), biasBuffer, out, args, epilogue);
    return out;
  });
  const { value, magnitude } = matmulEpilogueOracle(a, b, bias, args, epilogue.activation === 'relu');
  const label = `matmulEpilogue ${JSON.stringify(args)} ${JSON.stringify(epilogue)} (seed ${s})`;
  expectClose(got, value, h.tol.matmulEpilogue, label, magnitude);
}

const epilogues = fc.record({ bias: fc.boolean(), activation: fc.constantFrom<MatMulEpilogue['activation']>('none', 'relu') });

export function matmulEpilogueChecks(h: Harness): void {
  describe('matmulEpilogue (fused, optional)', () => {
    h.check('matmul-epilogue/random', 'random transposes, batches (packed and broadcast), bias and activation', async (t) => {
      t.skip(typeof h.backend.matmulEpilogue !== 'function', NO_KERNEL);
      const dims = fc.record({
        batch: fc.integer({ min: 1, max: 3 }),
        m: fc.integer({ min: 1, max: 12 }),
        n: fc.integer({ min: 1, max: 12 }),
        k: fc.integer({ min: 1, max: 40 }),
        transposeA: fc.boolean(),
        transposeB: fc.boolean(),
        broadcastA: fc.boolean(),
        broadcastB: fc.boolean(),
      });
      await fc.assert(
        fc.asyncProperty(dims, epilogues, seed, async (d, epilogue, s) => {
          const args: MatMulArgs = {
            batch: d.batch, m: d.m, n: d.n, k: d.k, transposeA: d.transposeA, transposeB: d.transposeB,
            aBatchStride: d.broadcastA ? 0 : d.m * d.k, bBatchStride: d.broadcastB ? 0 : d.k * d.n,
          };
          await checkEpilogue(h, args, epilogue, s);
        }),
        { numRuns: RUNS },
      );
    });

    h.check('matmul-epilogue/model-sizes', 'a dense layer\'s forward products, past the blocking, and empty depth', async (t) => {
      t.skip(typeof h.backend.matmulEpilogue !== 'function', NO_KERNEL);
      const cases: [Omit<MatMulArgs, 'batch' | 'aBatchStride' | 'bBatchStride'>, MatMulEpilogue][] = [
        [{ m: 100, k: 784, n: 64, transposeA: false, transposeB: false }, { bias: true, activation: 'relu' }],
        [{ m: 100, k: 64, n: 10, transposeA: false, transposeB: false }, { bias: true, activation: 'none' }],
        [{ m: 97, k: 131, n: 1029, transposeA: false, transposeB: true }, { bias: true, activation: 'relu' }],
        [{ m: 5, k: 0, n: 7, transposeA: false, transposeB: false }, { bias: true, activation: 'relu' }],
      ];
      for (const [i, [c, epilogue]] of cases.entries()) {
        await checkEpilogue(h, { ...c, batch: 1, aBatchStride: 0, bBatchStride: 0 }, epilogue, i);
      }
    });
  });
}
