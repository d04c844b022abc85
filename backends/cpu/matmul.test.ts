import { describe, it, expect } from 'vitest';
import fc from 'fast-check';
import type { MatMulArgs } from '../interface';
import { createCpuBackend } from './index';
import { download, makeRng, randomFloats, randomInts, upload } from './testing';

const backend = createCpuBackend();

/** The textbook triple loop in float64, reading each operand through its storage layout. */
function matmulReference(a: ArrayLike<number>, b: ArrayLike<number>, args: MatMulArgs): { out: number[]; scale: number[] } {
  const { batch, m, n, k, transposeA, transposeB, aBatchStride, bBatchStride } = args;
  const out: number[] = [];
  const scale: number[] = [];
  for (let t = 0; t < batch; t++) {
    for (let i = 0; i < m; i++) {
      for (let j = 0; j < n; j++) {
        let sum = 0;
        let abs = 0;
        for (let p = 0; p < k; p++) {
          const av = a[t * aBatchStride + (transposeA ? p * m + i : i * k + p)];
          const bv = b[t * bBatchStride + (transposeB ? j * k + p : p * n + j)];
          sum += av * bv;
          abs += Math.abs(av * bv);
        }
        out.push(sum);
        scale.push(abs);
      }
    }
  }
  return { out, scale };
}

function operandSize(batch: number, batchStride: number, matrixSize: number): number {
  return batch === 0 ? 0 : (batch - 1) * batchStride + matrixSize;
}

/** Runs the cpu matmul and checks |got - want| <= 1e-6 * k + 2e-6 * sum|a*b| (float32 rounding of a double sum). */
function checkMatmul(args: MatMulArgs, seed: number): void {
  const rng = makeRng(seed);
  const { batch, m, n, k } = args;
  const a = randomFloats(rng, operandSize(batch, args.aBatchStride, m * k), -1, 1);
  const b = randomFloats(rng, operandSize(batch, args.bBatchStride, k * n), -1, 1);
  const out = backend.alloc('float32', batch * m * n);
  backend.fill(out, NaN); // every output element must be written, k = 0 included
  backend.matmul(upload(backend, 'float32', a), upload(backend, 'float32', b), out, args);
  const got = download(backend, out);
  const { out: want, scale } = matmulReference(a, b, args);
  expect(got.length).toBe(want.length);
  for (let i = 0; i < want.length; i++) {
    const tolerance = 1e-6 * k + 2e-6 * scale[i];
    if (!(Math.abs(got[i] - want[i]) <= tolerance)) {
      expect.fail(`${JSON.stringify(args)} out[${i}]: got ${got[i]}, want ${want[i]}`);
    }
  }
}

const stridePolicy = fc.constantFrom('packed', 'broadcast', 'padded');

function batchStride(policy: string, matrixSize: number): number {
  return policy === 'broadcast' ? 0 : policy === 'padded' ? matrixSize + 3 : matrixSize;
}

const matmulCase = (maxDim: number, maxK: number): fc.Arbitrary<MatMulArgs> =>
  fc
    .record({
      batch: fc.integer({ min: 0, max: 3 }),
      m: fc.oneof(fc.integer({ min: 0, max: maxDim }), fc.constant(1)),
      n: fc.oneof(fc.integer({ min: 0, max: maxDim }), fc.constant(1)),
      k: fc.oneof(fc.integer({ min: 0, max: maxK }), fc.constant(1)),
      transposeA: fc.boolean(),
      transposeB: fc.boolean(),
      aPolicy: stridePolicy,
      bPolicy: stridePolicy,
    })
    .map(({ aPolicy, bPolicy, ...args }) => ({
      ...args,
      aBatchStride: batchStride(aPolicy, args.m * args.k),
      bBatchStride: batchStride(bPolicy, args.k * args.n),
    }));

describe('cpu matmul', () => {
  it('matches the reference on small shapes (direct path), all transposes and batch strides', () => {
    fc.assert(fc.property(matmulCase(9, 12), fc.integer(), (args, seed) => checkMatmul(args, seed)), { numRuns: 100 });
  });

  it('matches the reference on blocked-path shapes with ragged edges', () => {
    fc.assert(fc.property(matmulCase(40, 90), fc.integer(), (args, seed) => checkMatmul(args, seed)), { numRuns: 40 });
  });

  const named: [string, Partial<MatMulArgs>][] = [
    ['the MNIST forward shape [100,784]x[784,10]', { m: 100, k: 784, n: 10 }],
    ['the MNIST weight gradient (transposeA) m=784 k=100 n=10', { m: 784, k: 100, n: 10, transposeA: true }],
    ['the MNIST input gradient (transposeB) m=100 k=10 n=784', { m: 100, k: 10, n: 784, transposeB: true }],
    ['several depth blocks and row blocks', { m: 130, k: 1100, n: 7, transposeA: true, transposeB: true }],
    ['more columns than one column block', { m: 5, k: 3, n: 2100 }],
    ['a matrix-vector product', { m: 300, k: 200, n: 1 }],
    ['a vector-matrix product', { m: 1, k: 200, n: 300 }],
    ['a vector-matrix product with transposed B', { m: 1, k: 200, n: 300, transposeB: true }],
    ['two rows through the direct path', { batch: 2, m: 2, k: 150, n: 40, transposeA: true, aBatchStride: 0 }],
    ['skinny B, A read in place: ragged rows and columns over three depth blocks', { m: 101, k: 1030, n: 13 }],
    ['skinny B, transposed A read in place, a padded batch', { batch: 2, m: 97, k: 1030, n: 11, transposeA: true, aBatchStride: 97 * 1030 + 5 }],
    ['skinny B in 5-wide panels (n = 15, 3x5 tiles), transposed A, ragged rows over three depth blocks', { m: 100, k: 1100, n: 15, transposeA: true }],
    ['skinny B in 5-wide panels with a ragged panel (n = 13), a broadcast B over a batch', { batch: 3, m: 50, k: 300, n: 13, bBatchStride: 0 }],
    ['k = 0 (zeros)', { m: 50, k: 0, n: 60 }],
    ['m = 0 (empty)', { m: 0, k: 50, n: 60 }],
    ['broadcast B over a batch', { batch: 4, m: 33, k: 70, n: 45, bBatchStride: 0 }],
    ['broadcast A over a batch', { batch: 3, m: 33, k: 70, n: 45, aBatchStride: 0, transposeA: true }],
  ];
  for (const [label, partial] of named) {
    it(`matches the reference for ${label}`, () => {
      const base = { batch: 1, m: 1, n: 1, k: 1, transposeA: false, transposeB: false, ...partial };
      checkMatmul(
        { aBatchStride: base.m * base.k, bBatchStride: base.k * base.n, ...base, ...partial },
        label.length,
      );
    });
  }

  it('multiplies int32 exactly', () => {
    const rng = makeRng(3);
    const args: MatMulArgs = { batch: 2, m: 23, n: 19, k: 31, transposeA: true, transposeB: false, aBatchStride: 23 * 31, bBatchStride: 0 };
    const a = randomInts(rng, 2 * 23 * 31, -50, 50);
    const b = randomInts(rng, 31 * 19, -50, 50);
    const out = backend.alloc('int32', 2 * 23 * 19);
    backend.matmul(upload(backend, 'int32', a), upload(backend, 'int32', b), out, args);
    expect(Array.from(download(backend, out))).toEqual(matmulReference(a, b, args).out);
  });

  it('rejects operands too small for the batch strides', () => {
    const args: MatMulArgs = { batch: 2, m: 2, n: 2, k: 2, transposeA: false, transposeB: false, aBatchStride: 4, bBatchStride: 4 };
    expect(() => backend.matmul(backend.alloc('float32', 4), backend.alloc('float32', 8), backend.alloc('float32', 8), args))
      .toThrow(/cpu matmul: a has 4 elements, needs at least 8/);
  });
});
