import { describe, it, expect } from 'vitest';
import fc from 'fast-check';
import { BINARY_OPS, COMPARISON_OPS, UNARY_OPS, type BinaryOp, type DType, type UnaryOp } from '../interface';
import {
  FLOAT32_TOL, SPECIAL_FLOATS, allocBoth, binaryArgsFor, broadcastPair, cpu, download, expectSameOutput, freeBoth,
  gridFloats, makeRng, numel, randomFloats, randomInts, randomValues, upload, uploadBoth, wasm,
} from './test-support';

/** Polynomial approximations: within a few ulps of the cpu's correctly rounded results (see transcendental.test.ts). */
const APPROXIMATE: ReadonlySet<UnaryOp> = new Set<UnaryOp>(['exp', 'log', 'tanh', 'sigmoid']);
/** Input range per op, wide enough to reach the interesting regions (overflow, saturation). */
const RANGE: Partial<Record<UnaryOp, [number, number]>> = { exp: [-110, 95], log: [-1, 1e6], tanh: [-12, 12], sigmoid: [-110, 110] };

describe('wasm unary vs cpu', () => {
  for (const op of UNARY_OPS) {
    it(`${op} on float32 ${APPROXIMATE.has(op) ? 'agrees within a few ulps' : 'is bit-identical'} on random and special values`, () => {
      fc.assert(
        fc.property(fc.integer({ min: 0, max: 300 }), fc.integer(), (size, seed) => {
          const [min, max] = RANGE[op] ?? [-6, 6];
          const values = [...randomFloats(makeRng(seed), size, min, max), ...SPECIAL_FLOATS];
          const outDtype: DType = op === 'logicalNot' ? 'bool' : 'float32';
          const x = uploadBoth('float32', values);
          const out = allocBoth(outDtype, values.length);
          cpu.unary(op, x.cpu, out.cpu);
          wasm.unary(op, x.wasm, out.wasm);
          expectSameOutput(out, op, APPROXIMATE.has(op) ? FLOAT32_TOL : undefined);
          freeBoth(x, out);
        }),
        { numRuns: 15 },
      );
    });
  }

  it('int32 ops wrap like the cpu backend, bit for bit', () => {
    const values = [0, 1, -1, 7, -7, 46341, -46341, 2147483647, -2147483648, 123456789, ...randomInts(makeRng(5), 40, -1e9, 1e9)];
    const intOps: UnaryOp[] = ['identity', 'neg', 'abs', 'sign', 'square', 'relu', 'step', 'floor', 'ceil', 'round'];
    for (const op of intOps) {
      const x = uploadBoth('int32', values);
      const out = allocBoth('int32', values.length);
      cpu.unary(op, x.cpu, out.cpu);
      wasm.unary(op, x.wasm, out.wasm);
      expectSameOutput(out, `int32 ${op}`);
      freeBoth(x, out);
    }
  });

  it('logicalNot maps every dtype to bool, and bool identity copies', () => {
    for (const dtype of ['float32', 'int32', 'bool'] as DType[]) {
      const values = dtype === 'float32' ? [0, -0, NaN, 1, -2.5] : [0, 1, 0, 1, 1];
      const x = uploadBoth(dtype, values);
      const out = allocBoth('bool', values.length);
      cpu.unary('logicalNot', x.cpu, out.cpu);
      wasm.unary('logicalNot', x.wasm, out.wasm);
      expectSameOutput(out, `logicalNot ${dtype}`);
      freeBoth(x, out);
    }
    const flags = upload(wasm, 'bool', [1, 0, 1]);
    const copy = wasm.alloc('bool', 3);
    wasm.unary('identity', flags, copy);
    expect(Array.from(download(wasm, copy))).toEqual([1, 0, 1]);
  });

  it('rejects ops the kernels do not implement for a dtype, naming wasm', () => {
    const ints = upload(wasm, 'int32', [1, 2]);
    expect(() => wasm.unary('exp', ints, wasm.alloc('int32', 2))).toThrow('wasm unary exp: int32 input is not supported');
    expect(() => wasm.unary('neg', ints, wasm.alloc('float32', 2))).toThrow('wasm unary neg: out is float32 but x is int32');
  });
});

/** Operand values per dtype and op: small integer exponents keep int32 pow exact (below 2^53). */
function operandValues(op: BinaryOp, dtype: DType, seed: number, size: number, which: 'a' | 'b'): ArrayLike<number> {
  const rng = makeRng(seed + (which === 'a' ? 0 : 7919));
  if (dtype === 'int32' && op === 'pow') return which === 'a' ? randomInts(rng, size, -6, 6) : randomInts(rng, size, -3, 12);
  if (dtype === 'float32' && (op === 'pow' || COMPARISON_OPS.has(op) || op === 'max' || op === 'min')) {
    // A grid makes ties, integer exponents and equal values actually occur.
    return gridFloats(rng, size);
  }
  return randomValues(rng, dtype, size);
}

function dtypesFor(op: BinaryOp): DType[] {
  if (op === 'logicalAnd' || op === 'logicalOr') return ['bool'];
  if (op === 'equal' || op === 'notEqual' || COMPARISON_OPS.has(op)) return ['float32', 'int32', 'bool'];
  return ['float32', 'int32'];
}

describe('wasm binary vs cpu', () => {
  for (const op of BINARY_OPS) {
    for (const dtype of dtypesFor(op)) {
      const tolerance = op === 'pow' && dtype === 'float32' ? FLOAT32_TOL : undefined;
      it(`${op} on ${dtype} with broadcasting ${tolerance ? 'agrees within a few ulps' : 'is bit-identical'}`, () => {
        fc.assert(
          fc.property(broadcastPair, fc.integer(), ({ aShape, bShape }, seed) => {
            const args = binaryArgsFor(aShape, bShape);
            const a = uploadBoth(dtype, operandValues(op, dtype, seed, numel(aShape), 'a'));
            const b = uploadBoth(dtype, operandValues(op, dtype, seed, numel(bShape), 'b'));
            const out = allocBoth(COMPARISON_OPS.has(op) ? 'bool' : dtype, numel(args.shape));
            cpu.binary(op, a.cpu, b.cpu, out.cpu, args);
            wasm.binary(op, a.wasm, b.wasm, out.wasm, args);
            expectSameOutput(out, `${op} [${aShape}] [${bShape}]`, tolerance);
            freeBoth(a, b, out);
          }),
          { numRuns: 25 },
        );
      });
    }
  }

  it('float32 arithmetic agrees bit for bit on special values, both ways round', () => {
    const n = SPECIAL_FLOATS.length;
    const left = SPECIAL_FLOATS.flatMap((v) => new Array<number>(n).fill(v));
    const right = SPECIAL_FLOATS.flatMap(() => SPECIAL_FLOATS);
    for (const op of BINARY_OPS) {
      if (op === 'logicalAnd' || op === 'logicalOr') continue;
      const a = uploadBoth('float32', left);
      const b = uploadBoth('float32', right);
      const out = allocBoth(COMPARISON_OPS.has(op) ? 'bool' : 'float32', left.length);
      const args = { shape: [left.length], aStrides: [1], bStrides: [1] };
      cpu.binary(op, a.cpu, b.cpu, out.cpu, args);
      wasm.binary(op, a.wasm, b.wasm, out.wasm, args);
      expectSameOutput(out, `special ${op}`, op === 'pow' ? FLOAT32_TOL : undefined);
      freeBoth(a, b, out);
    }
  });

  it('int32 division floors, maps x / 0 to 0 and wraps INT_MIN / -1', () => {
    const a = upload(wasm, 'int32', [7, -7, 7, -7, 5, -2147483648, -2147483648, 0]);
    const b = upload(wasm, 'int32', [2, 2, -2, -2, 0, -1, 1, 0]);
    const out = wasm.alloc('int32', 8);
    wasm.binary('div', a, b, out, { shape: [8], aStrides: [1], bStrides: [1] });
    expect(Array.from(download(wasm, out))).toEqual([3, -4, -4, 3, 0, -2147483648, -2147483648, 0]);
  });

  it('runs strided and higher-rank layouts that merge no dims', () => {
    // a transposed operand: out[i, j, k] = a[k, j, i] + b[j]
    const aShape = [3, 5, 4];
    const aValues = randomFloats(makeRng(9), 60);
    const args = { shape: [4, 5, 3], aStrides: [1, 4, 20], bStrides: [0, 1, 0] };
    const a = uploadBoth('float32', aValues);
    const b = uploadBoth('float32', randomFloats(makeRng(10), 5));
    const out = allocBoth('float32', 60);
    cpu.binary('sub', a.cpu, b.cpu, out.cpu, args);
    wasm.binary('sub', a.wasm, b.wasm, out.wasm, args);
    expectSameOutput(out, `strided [${aShape}]`);
  });

  it('rejects arithmetic on bool and mismatched dtypes', () => {
    const flags = upload(wasm, 'bool', [1, 0]);
    expect(() => wasm.binary('add', flags, flags, wasm.alloc('bool', 2), { shape: [2], aStrides: [1], bStrides: [1] }))
      .toThrow('wasm binary add: bool operands are not supported');
    const ints = upload(wasm, 'int32', [1, 2]);
    expect(() => wasm.binary('add', flags, ints, wasm.alloc('int32', 2), { shape: [2], aStrides: [1], bStrides: [1] }))
      .toThrow('wasm binary add: operands must share a dtype, got bool and int32');
    expect(() => wasm.binary('less', ints, ints, wasm.alloc('int32', 2), { shape: [2], aStrides: [1], bStrides: [1] }))
      .toThrow('wasm binary less: out is int32, expected bool');
  });
});

describe('wasm cast and fill vs cpu', () => {
  const values: Record<DType, number[]> = {
    float32: [...SPECIAL_FLOATS, 3.7, -3.7, 4294967296.5, 9.3e18, -9.3e18, 1.8e19],
    int32: [0, 1, -1, 2147483647, -2147483648, 16777217, -16777217, 123456789],
    bool: [0, 1, 1, 0],
  };
  for (const from of ['float32', 'int32', 'bool'] as DType[]) {
    for (const to of ['float32', 'int32', 'bool'] as DType[]) {
      it(`casts ${from} to ${to} bit for bit`, () => {
        const x = uploadBoth(from, values[from]);
        const out = allocBoth(to, values[from].length);
        cpu.cast(x.cpu, out.cpu);
        wasm.cast(x.wasm, out.wasm);
        expectSameOutput(out, `${from}->${to}`);
        freeBoth(x, out);
      });
    }
  }

  it('fills every dtype the way a cast would, including empty buffers', () => {
    for (const dtype of ['float32', 'int32', 'bool'] as DType[]) {
      for (const value of [0, -0, 1.5, -3.7, NaN, Infinity, 2147483653, 1e10, 1 / 3]) {
        for (const size of [0, 1, 3, 17]) {
          const out = allocBoth(dtype, size);
          cpu.fill(out.cpu, value);
          wasm.fill(out.wasm, value);
          expectSameOutput(out, `fill ${dtype} ${value}`);
          freeBoth(out);
        }
      }
    }
  });
});
