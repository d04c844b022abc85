/** fill, cast, unary and binary: one scalar function each, applied element by element. */
import type { BinaryArgs, BinaryOp, DType, UnaryOp } from '../../../../backends/interface';
import { offsets, store, type RefBuffer } from './buffer';

export function fill(out: RefBuffer, value: number): void {
  out.data.fill(store(out.dtype, value));
}

export function cast(x: RefBuffer, out: RefBuffer): void {
  for (let i = 0; i < x.size; i++) out.data[i] = store(out.dtype, x.data[i]);
}

/** TF's round: halves go to the even neighbour. */
function roundHalfEven(v: number): number {
  const r = Math.round(v);
  return r - v === 0.5 && r % 2 !== 0 ? r - 1 : r;
}

function unaryScalar(op: UnaryOp, v: number, dtype: DType): number {
  switch (op) {
    case 'identity': return v;
    case 'neg': return -v;
    case 'abs': return Math.abs(v);
    case 'sign': return v === 0 || Number.isNaN(v) ? v : Math.sign(v);
    case 'exp': return Math.exp(v);
    case 'log': return Math.log(v);
    case 'sqrt': return Math.sqrt(v);
    case 'rsqrt': return 1 / Math.sqrt(v);
    // An int32 square can pass 2^53 in a double and lose the low bits the wrap keeps.
    case 'square': return dtype === 'int32' ? Math.imul(v, v) : v * v;
    case 'reciprocal': return 1 / v;
    case 'relu': return v > 0 || Number.isNaN(v) ? v : 0;
    case 'step': return v > 0 ? 1 : 0;
    case 'sigmoid': return v >= 0 ? 1 / (1 + Math.exp(-v)) : Math.exp(v) / (1 + Math.exp(v));
    case 'tanh': return Math.tanh(v);
    case 'floor': return Math.floor(v);
    case 'ceil': return Math.ceil(v);
    case 'round': return roundHalfEven(v);
    case 'logicalNot': return v === 0 ? 1 : 0;
  }
}

export function unary(op: UnaryOp, x: RefBuffer, out: RefBuffer): void {
  for (let i = 0; i < x.size; i++) out.data[i] = store(out.dtype, unaryScalar(op, x.data[i], x.dtype));
}

function binaryScalar(op: BinaryOp, a: number, b: number, int: boolean): number {
  switch (op) {
    case 'add': return a + b;
    case 'sub': return a - b;
    case 'mul': return int ? Math.imul(a, b) : a * b;
    // Integer division floors, like TF-1's div on ints.
    case 'div': return int ? Math.floor(a / b) : a / b;
    case 'pow': return Math.pow(a, b);
    case 'max': return Math.max(a, b);
    case 'min': return Math.min(a, b);
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

export function binary(op: BinaryOp, a: RefBuffer, b: RefBuffer, out: RefBuffer, args: BinaryArgs): void {
  const int = a.dtype === 'int32';
  const from = offsets(args.shape, args.aStrides);
  const other = offsets(args.shape, args.bStrides);
  for (let i = 0; i < from.length; i++) out.data[i] = store(out.dtype, binaryScalar(op, a.data[from[i]], b.data[other[i]], int));
}
