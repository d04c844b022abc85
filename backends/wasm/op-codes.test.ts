import { describe, expect, it } from 'vitest';
import { BINARY_OPS, REDUCE_OPS, UNARY_OPS } from '../primitive-ops';
import { BINARY_CODE, REDUCE_CODE, UNARY_CODE } from './kernels/codes';
import { generatedHeader, opList } from './build.mjs';
import { createWasmBackend } from './index';
import { download, upload } from '../cpu/testing';

const wasm = createWasmBackend();
const K_OK = 0, K_UNKNOWN_OP = 1, K_UNSUPPORTED_DTYPE = 2;

describe('wasm op codes: one source', () => {
  it('the C enums build.mjs generates give every op the code kernels/codes.ts sends', () => {
    const header = generatedHeader();
    const lists = [['U_', UNARY_OPS, UNARY_CODE], ['B_', BINARY_OPS, BINARY_CODE], ['R_', REDUCE_OPS, REDUCE_CODE]] as const;
    for (const [prefix, list, codes] of lists) {
      for (const op of list) {
        const name = prefix + op.replace(/[A-Z]/g, (c) => `_${c}`).toUpperCase();
        expect(header, `${op}`).toContain(`${name} = ${(codes as Record<string, number>)[op]}`);
      }
    }
    expect(opList('UNARY_OPS')).toEqual([...UNARY_OPS]);
    expect(opList('BINARY_OPS')).toEqual([...BINARY_OPS]);
    expect(opList('REDUCE_OPS')).toEqual([...REDUCE_OPS]);
  });

  it('refuses an op list it cannot read as plain names, naming the list', () => {
    expect(() => opList('UNARY_OPS', "export const UNARY_OPS = [...OTHER, 'neg'] as const;")).toThrow(/UNARY_OPS .*not a plain list/);
    expect(() => opList('REDUCE_OPS', 'export const X = 1;')).toThrow(/no `export const REDUCE_OPS/);
  });

  it('codes are null-prototype lookups: an inherited name has no code', () => {
    expect((UNARY_CODE as Record<string, number | undefined>).toString).toBeUndefined();
  });
});

// The kernels themselves: a code no switch handles returns a status and writes nothing.
describe('kernels.wasm status for codes it does not handle', () => {
  const { kernels } = wasm;
  const offsetOf = (b: unknown) => (b as { offset: number }).offset;
  const sentinel = (dtype: 'float32' | 'int32', n: number) => upload(wasm, dtype, new Array(n).fill(77));

  it('unary_f32 / unary_i32', () => {
    const x = upload(wasm, 'float32', [1, 2, 3]);
    const out = sentinel('float32', 3);
    expect(kernels.unary_f32(UNARY_OPS.length, offsetOf(x), offsetOf(out), 3)).toBe(K_UNKNOWN_OP);
    expect(kernels.unary_f32(UNARY_CODE.logicalNot, offsetOf(x), offsetOf(out), 3)).toBe(K_UNSUPPORTED_DTYPE);
    const xi = upload(wasm, 'int32', [1, 2, 3]);
    const outi = sentinel('int32', 3);
    // exp of an int32 used to return without writing a thing.
    expect(kernels.unary_i32(UNARY_CODE.exp, offsetOf(xi), offsetOf(outi), 3)).toBe(K_UNSUPPORTED_DTYPE);
    expect([...download(wasm, out), ...download(wasm, outi)]).toEqual(new Array(6).fill(77));
    expect(kernels.unary_f32(UNARY_CODE.neg, offsetOf(x), offsetOf(out), 3)).toBe(K_OK);
    expect([...download(wasm, out)]).toEqual([-1, -2, -3]);
  });

  it('binary and reduce', () => {
    const x = upload(wasm, 'float32', [1, 2, 3, 4]);
    const out = sentinel('float32', 4);
    wasm.heap.i32.set([1, 4, 1, 1], kernels.argsBlock >> 2); // rank 1, shape [4], strides 1 and 1
    expect(kernels.binary(BINARY_OPS.length, 0, offsetOf(x), offsetOf(x), offsetOf(out))).toBe(K_UNKNOWN_OP);
    expect(kernels.reduce(REDUCE_OPS.length, 0, offsetOf(x), offsetOf(out), 1, 4, 1)).toBe(K_UNKNOWN_OP);
    expect([...download(wasm, out)]).toEqual([77, 77, 77, 77]);
  });

  it('a fused program reports the failing instruction; the backend names it', () => {
    const x = upload(wasm, 'float32', [1, 2, 3, 4]);
    const out = sentinel('float32', 4);
    const args = { shape: [4], inputStrides: [[1]], key: 'bad-op', program: [{ kind: 'input', input: 0 }, { kind: 'unary', op: 'neg', a: 0 }] } as const;
    wasm.elementwise([x], out, args);
    expect([...download(wasm, out)]).toEqual([-1, -2, -3, -4]);
    // Patch the encoded op of instruction 1 to one past the list, as a stale kernels.wasm would see it.
    const block = Number(kernels.fused_args_block()) >> 2;
    wasm.heap.i32[block + 4 + 1] = UNARY_OPS.length;
    expect(kernels.elementwise_f32(offsetOf(out), 4, 1)).toBe(K_UNKNOWN_OP | (1 << 8));
  });
});
