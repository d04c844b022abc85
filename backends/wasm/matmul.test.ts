import { describe, it, expect } from 'vitest';
import fc from 'fast-check';
import type { MatMulArgs } from '../interface';
import { allocBoth, cpu, download, expectSameOutput, makeRng, randomFloats, randomInts, upload, uploadBoth, wasm } from './test-support';
import { createWasmBackend } from './index';
import type { WasmBackend } from './backend';
import type { WasmBuffer } from './wasm-buffer';

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

/**
 * Runs the wasm matmul and checks it against a float64 reference: float32 accumulation over k terms
 * may differ by about k * eps * sum|a*b|; every output element must be written, k = 0 included.
 */
function checkMatmul(args: MatMulArgs, seed: number, backend: WasmBackend = wasm): void {
  const rng = makeRng(seed);
  const { batch, m, n, k } = args;
  const a = randomFloats(rng, operandSize(batch, args.aBatchStride, m * k), -1, 1);
  const b = randomFloats(rng, operandSize(batch, args.bBatchStride, k * n), -1, 1);
  const out = backend.alloc('float32', batch * m * n);
  backend.fill(out, NaN);
  const [ab, bb] = [upload(backend, 'float32', a), upload(backend, 'float32', b)];
  backend.matmul(ab, bb, out, args);
  const got = download(backend, out);
  const { out: want, scale } = matmulReference(a, b, args);
  expect(got.length).toBe(want.length);
  for (let i = 0; i < want.length; i++) {
    const tolerance = 1e-6 + 1.2e-7 * Math.sqrt(k + 1) * 4 * scale[i];
    if (!(Math.abs(got[i] - want[i]) <= tolerance)) {
      expect.fail(`${JSON.stringify(args)} out[${i}]: got ${got[i]}, want ${want[i]}`);
    }
  }
  for (const buffer of [ab, bb, out]) backend.free(buffer);
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

/** The checks against the float64 reference, for one backend (each kernels artifact has its own tile and packing). */
function referenceChecks(backend: () => WasmBackend): void {
  it('matches the float64 reference on small shapes, all transposes and batch strides', () => {
    fc.assert(fc.property(matmulCase(13, 14), fc.integer(), (args, seed) => checkMatmul(args, seed, backend())), { numRuns: 100 });
  });

  it('matches on blocked shapes with ragged edges', () => {
    fc.assert(fc.property(matmulCase(70, 300), fc.integer(), (args, seed) => checkMatmul(args, seed, backend())), { numRuns: 30 });
  });

  it('matches on every narrow width n = 1..16 (unpacked kernels), each transpose, ragged rows, two depth blocks, a batch', () => {
    for (let n = 1; n <= 16; n++) {
      for (const [transposeA, transposeB] of [[false, false], [true, false], [false, true], [true, true]]) {
        // 13 rows: a ragged last tile for every tile height (2, 3, 4); k = 300 runs as two depth blocks of 150.
        const args = { batch: 2, m: 13, n, k: 300, transposeA, transposeB, aBatchStride: 13 * 300 + 5, bBatchStride: 300 * n + 3 };
        checkMatmul(args, n, backend());
      }
    }
  });

  it('fuses the bias add and relu into narrow products bit for bit as matmul then the epilogue, writing nothing outside out', () => {
    const b = backend();
    const rng = makeRng(17);
    for (let n = 1; n <= 17; n++) {
      for (const [transposeA, transposeB] of [[false, false], [true, true], [true, false]]) {
        const args: MatMulArgs = { batch: 2, m: 11, n, k: 270, transposeA, transposeB, aBatchStride: 11 * 270, bBatchStride: 0 };
        const a = upload(b, 'float32', randomFloats(rng, 2 * 11 * 270, -1, 1)) as WasmBuffer;
        const w = upload(b, 'float32', randomFloats(rng, 270 * n, -1, 1)) as WasmBuffer;
        const biasValues = randomFloats(rng, n, -2, 2);
        const bias = upload(b, 'float32', biasValues) as WasmBuffer;
        const plain = b.alloc('float32', 2 * 11 * n);
        b.matmul(a, w, plain, args);
        const product = download(b, plain);
        for (const [withBias, activation] of [[true, 'relu'], [true, 'none'], [false, 'relu']] as const) {
          // The output sits inside a guard buffer: the kernels' masked tails must not touch its neighbours.
          const guard = 8;
          const framed = b.alloc('float32', 2 * 11 * n + 2 * guard) as WasmBuffer;
          b.fill(framed, 1234.5);
          const outOffset = framed.offset + guard * 4;
          b.kernels.matmul_f32_epilogue(a.offset, w.offset, outOffset, withBias ? bias.offset : 0, 2, 11, n, 270,
            +transposeA, +transposeB, args.aBatchStride, 0, +(activation === 'relu'));
          const got = download(b, framed);
          const label = `n=${n} tA=${transposeA} tB=${transposeB} bias=${withBias} ${activation}`;
          for (let i = 0; i < guard; i++) {
            expect(got[i], `${label}: before out`).toBe(1234.5);
            expect(got[got.length - 1 - i], `${label}: after out`).toBe(1234.5);
          }
          for (let i = 0; i < product.length; i++) {
            let want = withBias ? Math.fround(product[i] + biasValues[i % n]) : product[i];
            if (activation === 'relu') want = Math.max(want, 0);
            if (!Object.is(got[guard + i], want)) expect.fail(`${label} out[${i}]: got ${got[guard + i]}, want ${want}`);
          }
          // The backend's matmulEpilogue (the path the compiler's fused op takes) gives the same bits.
          const out = b.alloc('float32', 2 * 11 * n);
          b.matmulEpilogue(a, w, withBias ? bias : null, out, args, { bias: withBias, activation });
          expect(Array.from(download(b, out))).toEqual(Array.from(got.subarray(guard, guard + product.length)));
          b.free(framed);
          b.free(out);
        }
        for (const buffer of [a, w, bias, plain]) b.free(buffer);
      }
    }
  });

  const named: [string, Partial<MatMulArgs>][] = [
    ['the MNIST forward shape [100,784]x[784,10]', { m: 100, k: 784, n: 10 }],
    ['the MNIST weight gradient (transposeA) m=784 k=100 n=10', { m: 784, k: 100, n: 10, transposeA: true }],
    ['the MNIST input gradient (transposeB) m=100 k=10 n=784', { m: 100, k: 10, n: 784, transposeB: true }],
    ['several depth, row and column blocks', { m: 260, k: 1100, n: 1030, transposeA: true, transposeB: true }],
    ['more columns than one column block', { m: 5, k: 3, n: 2100 }],
    ['a ragged second column block of either tile (1032 + 13, 1024 + 21)', { m: 7, k: 300, n: 1045, transposeB: true }],
    ['row panels of 3 and 4 with ragged last ones, transposed A, a narrow last column panel', { m: 37, k: 29, n: 28, transposeA: true }],
    ['a matrix-vector product', { m: 300, k: 200, n: 1 }],
    ['a vector-matrix product', { m: 1, k: 200, n: 300, transposeB: true }],
    ['k = 0 (zeros)', { m: 50, k: 0, n: 60 }],
    ['m = 0 (empty)', { m: 0, k: 50, n: 60 }],
    ['broadcast B over a batch (packed once)', { batch: 4, m: 33, k: 70, n: 45, bBatchStride: 0 }],
    ['broadcast B over a batch, deeper than one block', { batch: 3, m: 9, k: 600, n: 20, bBatchStride: 0, transposeB: true }],
    ['broadcast A over a batch', { batch: 3, m: 33, k: 70, n: 45, aBatchStride: 0, transposeA: true }],
  ];
  for (const [label, partial] of named) {
    it(`matches the reference for ${label}`, () => {
      const base = { batch: 1, m: 1, n: 1, k: 1, transposeA: false, transposeB: false, ...partial };
      checkMatmul({ aBatchStride: base.m * base.k, bBatchStride: base.k * base.n, ...base, ...partial }, label.length, backend());
    });
  }
}

describe('wasm matmul', () => {
  referenceChecks(() => wasm);

  it('agrees with the cpu backend within float32 rounding on the seed shapes', () => {
    const args: MatMulArgs = { batch: 1, m: 100, n: 10, k: 784, transposeA: false, transposeB: false, aBatchStride: 0, bBatchStride: 0 };
    const a = uploadBoth('float32', randomFloats(makeRng(1), 78400, 0, 1));
    const b = uploadBoth('float32', randomFloats(makeRng(2), 7840, -0.1, 0.1));
    const out = allocBoth('float32', 1000);
    cpu.matmul(a.cpu, b.cpu, out.cpu, args);
    wasm.matmul(a.wasm, b.wasm, out.wasm, args);
    expectSameOutput(out, 'seed forward', { rtol: 1e-5, atol: 1e-5 });
  });

  it('multiplies int32 exactly, wrapping like the cpu backend', () => {
    const rng = makeRng(3);
    const args: MatMulArgs = { batch: 2, m: 23, n: 19, k: 31, transposeA: true, transposeB: false, aBatchStride: 23 * 31, bBatchStride: 0 };
    const a = uploadBoth('int32', randomInts(rng, 2 * 23 * 31, -50, 50));
    const b = uploadBoth('int32', randomInts(rng, 31 * 19, -50, 50));
    const out = allocBoth('int32', 2 * 23 * 19);
    cpu.matmul(a.cpu, b.cpu, out.cpu, args);
    wasm.matmul(a.wasm, b.wasm, out.wasm, args);
    expectSameOutput(out, 'int32 matmul');
    const big = uploadBoth('int32', [2e9, 2e9, 1, 1]);
    const wrapped = allocBoth('int32', 1);
    const dot: MatMulArgs = { batch: 1, m: 1, n: 1, k: 2, transposeA: false, transposeB: false, aBatchStride: 0, bBatchStride: 0 };
    cpu.matmul({ ...big }.cpu, { ...big }.cpu, wrapped.cpu, { ...dot, transposeB: true });
    wasm.matmul(big.wasm, big.wasm, wrapped.wasm, { ...dot, transposeB: true });
    expectSameOutput(wrapped, 'int32 wrap');
  });

  it('rejects operands too small for the batch strides and mixed dtypes', () => {
    const args: MatMulArgs = { batch: 2, m: 2, n: 2, k: 2, transposeA: false, transposeB: false, aBatchStride: 4, bBatchStride: 4 };
    expect(() => wasm.matmul(wasm.alloc('float32', 4), wasm.alloc('float32', 8), wasm.alloc('float32', 8), args))
      .toThrow('wasm matmul: a has 4 elements, needs at least 8');
    expect(() => wasm.matmul(wasm.alloc('float32', 8), wasm.alloc('int32', 8), wasm.alloc('float32', 8), args))
      .toThrow('wasm matmul: operands must share a dtype, got float32 and int32');
  });
});

describe('wasm matmul, SIMD128 kernels (kernels.wasm: 4x8 tile; the default above is the relaxed build\'s 3x12)', () => {
  let simd128: WasmBackend | undefined;
  const backend = (): WasmBackend => (simd128 ??= createWasmBackend({ artifact: 'simd128' }));
  referenceChecks(backend);
});
