/**
 * matmul: every transpose combination, batches with contiguous, padded and zero (broadcast) strides,
 * empty depth, and the sizes of the MNIST models, against cpu and a naive float64 triple loop.
 */
import { describe } from 'vitest';
import fc from 'fast-check';
import type { MatMulArgs } from '../../backends/interface';
import type { Harness } from './harness';
import { expectClose } from './compare';
import { RUNS, floats, makeRng, seed } from './data';
import { matmulOracle } from './oracles';

const TRANSPOSES: readonly [boolean, boolean][] = [[false, false], [false, true], [true, false], [true, true]];

/** How an operand steps through the batch: packed, padded between matrices, or shared (stride 0). */
type StrideKind = 'packed' | 'padded' | 'broadcast';
const strideKind = fc.constantFrom<StrideKind>('packed', 'padded', 'broadcast');

function batchStride(kind: StrideKind, matrix: number): number {
  return kind === 'broadcast' ? 0 : kind === 'padded' ? matrix + 3 : matrix;
}

function operandSize(args: MatMulArgs, stride: number, matrix: number): number {
  return args.batch === 0 ? 0 : (args.batch - 1) * stride + matrix;
}

async function checkMatmul(h: Harness, args: MatMulArgs, s: number): Promise<void> {
  const rng = makeRng(s);
  const a = floats(rng, operandSize(args, args.aBatchStride, args.m * args.k));
  const b = floats(rng, operandSize(args, args.bBatchStride, args.k * args.n));
  const { got, want } = await h.both((sc) => {
    const out = sc.alloc('float32', args.batch * args.m * args.n);
    sc.backend.matmul(sc.upload('float32', a), sc.upload('float32', b), out, args);
    return out;
  });
  const { value, magnitude } = matmulOracle(a, b, args);
  const label = `matmul ${JSON.stringify(args)} (seed ${s})`;
  expectClose(got, value, h.tol.matmul, `${label} vs naive`, magnitude);
  expectClose(got, want, h.tol.matmul, `${label} vs cpu`, magnitude);
}

export function matmulChecks(h: Harness): void {
  describe('matmul', () => {
    for (const [transposeA, transposeB] of TRANSPOSES) {
      const name = `${transposeA ? 'aT' : 'a'}-${transposeB ? 'bT' : 'b'}`;
      h.check(`matmul/${name}`, `transposeA=${transposeA} transposeB=${transposeB}, batched with packed, padded and zero strides`, async () => {
        const dims = fc.record({
          batch: fc.integer({ min: 1, max: 3 }),
          m: fc.integer({ min: 1, max: 12 }),
          n: fc.integer({ min: 1, max: 12 }),
          k: fc.integer({ min: 1, max: 40 }),
        });
        await fc.assert(
          fc.asyncProperty(dims, strideKind, strideKind, seed, async ({ batch, m, n, k }, aKind, bKind, s) => {
            const args: MatMulArgs = {
              batch, m, n, k, transposeA, transposeB,
              aBatchStride: batchStride(aKind, m * k), bBatchStride: batchStride(bKind, k * n),
            };
            await checkMatmul(h, args, s);
          }),
          { numRuns: RUNS },
        );
      });
    }

    h.check('matmul/empty-depth', 'k = 0 gives zeros', async () => {
      for (const [transposeA, transposeB] of TRANSPOSES) {
        await checkMatmul(h, { batch: 2, m: 3, n: 4, k: 0, transposeA, transposeB, aBatchStride: 0, bBatchStride: 0 }, 1);
      }
    });

    h.check('matmul/mnist-sizes', 'the softmax model\'s forward and gradient products, and one larger than cpu\'s blocking', async () => {
      const cases: Omit<MatMulArgs, 'batch' | 'aBatchStride' | 'bBatchStride'>[] = [
        { m: 100, k: 784, n: 10, transposeA: false, transposeB: false }, // x · W
        { m: 784, k: 100, n: 10, transposeA: true, transposeB: false }, // xᵀ · dy
        { m: 100, k: 10, n: 784, transposeA: false, transposeB: true }, // dy · Wᵀ
        { m: 97, k: 131, n: 1029, transposeA: false, transposeB: false },
      ];
      for (const [i, c] of cases.entries()) await checkMatmul(h, { ...c, batch: 1, aBatchStride: 0, bBatchStride: 0 }, i);
    });
  });
}
