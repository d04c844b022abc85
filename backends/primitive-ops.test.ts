import { describe, expect, it } from 'vitest';
import type { ArgReduceOp, Backend, BinaryOp, ReduceOp, UnaryOp } from './interface';
import { ARG_REDUCE_OPS, BINARY_OPS, REDUCE_OPS, UNARY_OPS, isBinaryOp, isUnaryOp, unknownOp } from './primitive-ops';
import { createCpuBackend } from './cpu';
import { createWasmBackend } from './wasm';
import { download, upload } from './cpu/testing';

const SENTINEL = 77;

/** Runs `call` on a sentinel-filled output of `size`, expects `error`, and returns what it left there. */
function leftInOutput(backend: Backend, size: number, error: RegExp, call: (out: ReturnType<Backend['alloc']>) => void): number[] {
  const out = backend.alloc('float32', size);
  backend.fill(out, SENTINEL);
  expect(() => call(out)).toThrow(error);
  return [...download(backend, out)];
}

describe('primitive op lists', () => {
  it('are duplicate-free and the guards accept exactly their members', () => {
    for (const list of [UNARY_OPS, BINARY_OPS, REDUCE_OPS, ARG_REDUCE_OPS]) expect(new Set(list).size).toBe(list.length);
    expect(UNARY_OPS.every(isUnaryOp)).toBe(true);
    expect(isUnaryOp('toString')).toBe(false);
    expect(isBinaryOp('add')).toBe(true);
    expect(isBinaryOp('addd')).toBe(false);
  });

  it('unknownOp throws naming where and the op', () => {
    expect(() => unknownOp('cpu unary', 'erf' as never)).toThrow("cpu unary: unknown op 'erf'");
  });
});

// A plugin or plain-JS caller can pass any string: every op-taking primitive must refuse it by name
// and leave the output as it was, never silently unwritten or computed as some other op.
describe.each([
  ['cpu', createCpuBackend()],
  ['wasm', createWasmBackend()],
] as const)('%s backend: an op outside the lists', (name, backend) => {
  const x = upload(backend, 'float32', [3, 1, 2, 5, 4, 0]);

  it('unary', () => {
    const left = leftInOutput(backend, 6, new RegExp(`${name} unary.*'erf'`), (out) => backend.unary('erf' as UnaryOp, x, out));
    expect(left).toEqual(new Array(6).fill(SENTINEL));
  });

  it('binary', () => {
    const left = leftInOutput(backend, 6, new RegExp(`${name} binary.*'atan2'`), (out) =>
      backend.binary('atan2' as BinaryOp, x, x, out, { shape: [6], aStrides: [1], bStrides: [1] }));
    expect(left).toEqual(new Array(6).fill(SENTINEL));
  });

  it('reduce (the cpu left its output unwritten without a word)', () => {
    const left = leftInOutput(backend, 2, new RegExp(`${name} reduce.*'mean'`), (out) =>
      backend.reduce('mean' as ReduceOp, x, out, { outer: 2, reduce: 3, inner: 1 }));
    expect(left).toEqual([SENTINEL, SENTINEL]);
  });

  it('argReduce (was computed as argmin on the cpu)', () => {
    const out = backend.alloc('int32', 2);
    backend.fill(out, SENTINEL);
    expect(() => backend.argReduce('argmedian' as ArgReduceOp, x, out, { outer: 2, reduce: 3, inner: 1 })).toThrow(/argmedian/);
    expect([...download(backend, out)]).toEqual([SENTINEL, SENTINEL]);
  });
});
