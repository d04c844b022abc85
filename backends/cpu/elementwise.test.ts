import { describe, it, expect } from 'vitest';
import fc from 'fast-check';
import { BINARY_OPS, COMPARISON_OPS, UNARY_OPS, type BinaryOp, type DType, type UnaryOp } from '../interface';
import { createCpuBackend } from './index';
import {
  FLOAT32_TOL, binaryArgsFor, broadcastPair, download, expectClose, gridFloats, makeRng, numel, randomFloats,
  randomInts, upload,
} from './testing';

const backend = createCpuBackend();

/** Int32Array-store semantics, written via BigInt so the reference does not share the kernels' tricks. */
function wrapInt32(value: number): number {
  if (!Number.isFinite(value)) return 0;
  return Number(BigInt.asIntN(32, BigInt(Math.trunc(value))));
}

function roundHalfEvenReference(x: number): number {
  const f = Math.floor(x);
  const frac = x - f;
  if (frac < 0.5) return f;
  if (frac > 0.5) return f + 1;
  return f % 2 === 0 ? f : f + 1;
}

const unaryReference: Record<UnaryOp, (x: number) => number> = {
  identity: (x) => x,
  neg: (x) => -x,
  abs: (x) => Math.abs(x),
  sign: (x) => Math.sign(x),
  exp: (x) => Math.exp(x),
  log: (x) => Math.log(x),
  sqrt: (x) => Math.sqrt(x),
  rsqrt: (x) => 1 / Math.sqrt(x),
  square: (x) => x * x,
  reciprocal: (x) => 1 / x,
  relu: (x) => (Number.isNaN(x) ? NaN : Math.max(0, x)),
  step: (x) => (x > 0 ? 1 : 0),
  sigmoid: (x) => 1 / (1 + Math.exp(-x)),
  tanh: (x) => Math.tanh(x),
  floor: (x) => Math.floor(x),
  ceil: (x) => Math.ceil(x),
  round: roundHalfEvenReference,
  logicalNot: (x) => (x === 0 ? 1 : 0),
};

const SPECIAL_FLOATS = [0, -0, NaN, Infinity, -Infinity, 0.5, 1.5, 2.5, -0.5, -1.5, -2.5, 1000, -1000, 88, -88, 1e-30];

describe('cpu unary', () => {
  for (const op of UNARY_OPS) {
    it(`${op} matches the float64 reference on random and special float32 values`, () => {
      fc.assert(
        fc.property(fc.integer({ min: 0, max: 300 }), fc.integer(), (size, seed) => {
          const values = [...randomFloats(makeRng(seed), size, -6, 6), ...SPECIAL_FLOATS];
          const outDtype: DType = op === 'logicalNot' ? 'bool' : 'float32';
          const x = upload(backend, 'float32', values);
          const out = backend.alloc(outDtype, values.length);
          backend.unary(op, x, out);
          const xs = Float32Array.from(values);
          const want = Array.from(xs, unaryReference[op]).map((v) => (outDtype === 'float32' ? Math.fround(v) : v));
          expectClose(download(backend, out), want, FLOAT32_TOL, op);
        }),
        { numRuns: 20 },
      );
    });
  }

  it('int32 ops wrap like an Int32Array store', () => {
    const values = [0, 1, -1, 7, -7, 46341, -46341, 2147483647, -2147483648, 123456789];
    const intOps: UnaryOp[] = ['identity', 'neg', 'abs', 'sign', 'square', 'relu', 'step', 'floor', 'ceil', 'round'];
    for (const op of intOps) {
      const x = upload(backend, 'int32', values);
      const out = backend.alloc('int32', values.length);
      backend.unary(op, x, out);
      const want = op === 'square'
        ? values.map((v) => Number(BigInt.asIntN(32, BigInt(v) * BigInt(v))))
        : values.map((v) => wrapInt32(unaryReference[op](v)));
      expect(Array.from(download(backend, out)), op).toEqual(want);
    }
  });

  it('has the documented edge semantics', () => {
    const run = (op: UnaryOp, values: number[]): number[] => {
      const out = backend.alloc('float32', values.length);
      backend.unary(op, upload(backend, 'float32', values), out);
      return Array.from(download(backend, out));
    };
    expect(run('round', [0.5, 1.5, 2.5, -0.5, -1.5, -2.5, 2.4, -2.6])).toEqual([0, 2, 2, -0, -2, -2, 2, -3]);
    expect(run('relu', [NaN, -1, 2])).toEqual([NaN, 0, 2]);
    expect(run('step', [0, -0, 1e-30, -1, NaN])).toEqual([0, 0, 1, 0, 0]);
    expect(run('sign', [-3, 0, 4, NaN])).toEqual([-1, 0, 1, NaN]);
    const sig = run('sigmoid', [1000, -1000, 100, -100, 0]);
    expect(sig.slice(0, 3)).toEqual([1, 0, 1]);
    expect(sig[3]).toBeGreaterThan(0);
    expect(sig[4]).toBe(0.5);
  });
});

function floatBinaryReference(op: BinaryOp, a: number, b: number): number {
  switch (op) {
    case 'add': return a + b;
    case 'sub': return a - b;
    case 'mul': return a * b;
    case 'div': return a / b;
    case 'pow': return Math.pow(a, b);
    case 'max': return Number.isNaN(a) || Number.isNaN(b) ? NaN : Math.max(a, b);
    case 'min': return Number.isNaN(a) || Number.isNaN(b) ? NaN : Math.min(a, b);
    case 'equal': return a === b ? 1 : 0;
    case 'notEqual': return a !== b ? 1 : 0;
    case 'less': return a < b ? 1 : 0;
    case 'lessEqual': return a <= b ? 1 : 0;
    case 'greater': return a > b ? 1 : 0;
    case 'greaterEqual': return a >= b ? 1 : 0;
    case 'logicalAnd': return a !== 0 && b !== 0 ? 1 : 0;
    case 'logicalOr': return a !== 0 || b !== 0 ? 1 : 0;
  }
}

function intBinaryReference(op: BinaryOp, a: number, b: number): number {
  switch (op) {
    case 'add': return wrapInt32(a + b);
    case 'sub': return wrapInt32(a - b);
    case 'mul': return Number(BigInt.asIntN(32, BigInt(a) * BigInt(b)));
    case 'div': return b === 0 ? 0 : wrapInt32(Math.floor(a / b));
    case 'pow': return wrapInt32(Math.pow(a, b));
    default: return floatBinaryReference(op, a, b);
  }
}

/** Naive broadcasting: unravel each output index and re-ravel it into each operand's own shape. */
function broadcastReference(
  aShape: readonly number[], a: ArrayLike<number>, bShape: readonly number[], b: ArrayLike<number>,
  outShape: readonly number[],
  f: (x: number, y: number) => number,
): number[] {
  const out: number[] = [];
  const total = numel(outShape);
  const indexInto = (shape: readonly number[], coords: number[]): number => {
    const lead = coords.length - shape.length;
    let index = 0;
    for (let d = 0; d < shape.length; d++) index = index * shape[d] + (shape[d] === 1 ? 0 : coords[d + lead]);
    return index;
  };
  for (let i = 0; i < total; i++) {
    const coords = new Array<number>(outShape.length);
    for (let d = outShape.length - 1, rest = i; d >= 0; d--) {
      coords[d] = rest % outShape[d];
      rest = Math.floor(rest / outShape[d]);
    }
    out.push(f(a[indexInto(aShape, coords)], b[indexInto(bShape, coords)]));
  }
  return out;
}

describe('cpu binary', () => {
  const cases: { dtype: DType; op: BinaryOp }[] = [
    ...BINARY_OPS.map((op) => ({ dtype: 'float32' as DType, op })),
    ...BINARY_OPS.map((op) => ({ dtype: 'int32' as DType, op })),
    { dtype: 'bool', op: 'logicalAnd' },
    { dtype: 'bool', op: 'logicalOr' },
    { dtype: 'bool', op: 'equal' },
  ];
  for (const { dtype, op } of cases) {
    it(`${dtype} ${op} broadcasts like the naive reference`, () => {
      fc.assert(
        fc.property(broadcastPair, fc.integer(), ({ aShape, bShape }, seed) => {
          const rng = makeRng(seed);
          const data = (size: number): ArrayLike<number> =>
            dtype === 'float32' ? gridFloats(rng, size)
              : dtype === 'bool' ? randomInts(rng, size, 0, 1)
                : randomInts(rng, size, op === 'pow' ? -3 : -20, op === 'pow' ? 6 : 20);
          const aValues = data(numel(aShape));
          const bValues = data(numel(bShape));
          const args = binaryArgsFor(aShape, bShape);
          const outDtype: DType = COMPARISON_OPS.has(op) ? 'bool' : dtype;
          const out = backend.alloc(outDtype, numel(args.shape));
          backend.binary(op, upload(backend, dtype, aValues), upload(backend, dtype, bValues), out, args);
          const reference = dtype === 'int32' ? intBinaryReference : floatBinaryReference;
          const want = broadcastReference(aShape, aValues, bShape, bValues, args.shape, (x, y) => reference(op, x, y));
          expectClose(download(backend, out), want, FLOAT32_TOL, `${op} [${aShape}] x [${bShape}]`);
        }),
        { numRuns: 60 },
      );
    });
  }

  it('runs the [rows, cols] row-vector, column-vector and scalar fast paths', () => {
    const rng = makeRng(7);
    const rows = 37;
    const cols = 53;
    const matrix = randomFloats(rng, rows * cols);
    for (const otherShape of [[cols], [rows, 1], [1], [rows, cols]]) {
      const other = randomFloats(rng, numel(otherShape));
      for (const [aShape, bShape, a, b] of [
        [[rows, cols], otherShape, matrix, other],
        [otherShape, [rows, cols], other, matrix],
      ] as const) {
        const args = binaryArgsFor(aShape, bShape);
        const out = backend.alloc('float32', rows * cols);
        backend.binary('sub', upload(backend, 'float32', a), upload(backend, 'float32', b), out, args);
        const want = broadcastReference(aShape, a, bShape, b, args.shape, (x, y) => Math.fround(x - y));
        expectClose(download(backend, out), want, FLOAT32_TOL, `[${aShape}] - [${bShape}]`);
      }
    }
  });

  it('int32 arithmetic wraps and divides with floor', () => {
    const run = (op: BinaryOp, a: number[], b: number[]): number[] => {
      const out = backend.alloc('int32', a.length);
      const args = { shape: [a.length], aStrides: [1], bStrides: [1] };
      backend.binary(op, upload(backend, 'int32', a), upload(backend, 'int32', b), out, args);
      return Array.from(download(backend, out));
    };
    expect(run('add', [2147483647, -2147483648], [1, -1])).toEqual([-2147483648, 2147483647]);
    expect(run('mul', [65536, 123456789], [65536, 987654321])).toEqual([0, intBinaryReference('mul', 123456789, 987654321)]);
    expect(run('div', [-7, 7, 7, -7, 6, 5], [2, -2, 2, -2, 3, 0])).toEqual([-4, -4, 3, 3, 2, 0]);
    expect(run('pow', [2, 3, 2, -2], [10, 0, -1, 3])).toEqual([1024, 1, 0, -8]);
  });

  it('rejects operands of different dtypes and comparisons into a non-bool out', () => {
    const args = { shape: [2], aStrides: [1], bStrides: [1] };
    const f = upload(backend, 'float32', [1, 2]);
    const i = upload(backend, 'int32', [1, 2]);
    expect(() => backend.binary('add', f, i, backend.alloc('float32', 2), args)).toThrow(/cpu binary add/);
    expect(() => backend.binary('less', f, f, backend.alloc('float32', 2), args)).toThrow(/bool/);
  });
});

describe('cpu cast and fill', () => {
  it('casts between every pair of dtypes', () => {
    const floats = [0, -0, 1.9, -1.9, 2.5, NaN, 1e-30, -3];
    const expected: Record<string, number[]> = {
      'float32->int32': [0, 0, 1, -1, 2, 0, 0, -3],
      'float32->bool': [0, 0, 1, 1, 1, 1, 1, 1],
      'float32->float32': [0, -0, Math.fround(1.9), Math.fround(-1.9), 2.5, NaN, Math.fround(1e-30), -3],
    };
    for (const to of ['int32', 'bool', 'float32'] as DType[]) {
      const out = backend.alloc(to, floats.length);
      backend.cast(upload(backend, 'float32', floats), out);
      expect(Array.from(download(backend, out)), `float32->${to}`).toEqual(expected[`float32->${to}`]);
    }
    const ints = [0, 5, -7, 2147483647];
    const boolOut = backend.alloc('bool', ints.length);
    backend.cast(upload(backend, 'int32', ints), boolOut);
    expect(Array.from(download(backend, boolOut))).toEqual([0, 1, 1, 1]);
    const floatOut = backend.alloc('float32', ints.length);
    backend.cast(upload(backend, 'int32', ints), floatOut);
    expect(Array.from(download(backend, floatOut))).toEqual([0, 5, -7, 2147483648]);
    const fromBool = backend.alloc('float32', 3);
    backend.cast(upload(backend, 'bool', [1, 0, 1]), fromBool);
    expect(Array.from(download(backend, fromBool))).toEqual([1, 0, 1]);
    const boolToInt = backend.alloc('int32', 3);
    backend.cast(upload(backend, 'bool', [1, 0, 1]), boolToInt);
    expect(Array.from(download(backend, boolToInt))).toEqual([1, 0, 1]);
  });

  it('fills with the value converted to the buffer dtype', () => {
    const fillWith = (dtype: DType, value: number): number[] => {
      const out = backend.alloc(dtype, 3);
      backend.fill(out, value);
      return Array.from(download(backend, out));
    };
    expect(fillWith('float32', 0.1)).toEqual([Math.fround(0.1), Math.fround(0.1), Math.fround(0.1)]);
    expect(fillWith('int32', -3.7)).toEqual([-3, -3, -3]);
    expect(fillWith('bool', 0.5)).toEqual([1, 1, 1]);
    expect(fillWith('bool', NaN)).toEqual([1, 1, 1]);
    expect(fillWith('bool', 0)).toEqual([0, 0, 0]);
  });
});
