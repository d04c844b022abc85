/**
 * The relaxed-SIMD artifact: the opcode rewrite that makes clang 14's output loadable, the load-time
 * choice between the two builds, and that the relaxed build really fuses its multiply-adds.
 */
import { describe, it, expect } from 'vitest';
import { readFileSync } from 'node:fs';
import { relaxMaddOpcodes } from './relaxed-opcodes.mjs';
import { createWasmBackend, relaxedSimdSupported } from './index';
import type { WasmBackend } from './backend';

/** A module of one function (v128 v128 v128) -> v128 whose body is `code` (no locals). */
function moduleWith(code: number[]): Uint8Array<ArrayBuffer> {
  const body = [0x00, ...code, 0x0b];
  return new Uint8Array([
    0x00, 0x61, 0x73, 0x6d, 0x01, 0x00, 0x00, 0x00,
    0x01, 0x08, 0x01, 0x60, 0x03, 0x7b, 0x7b, 0x7b, 0x01, 0x7b,
    0x03, 0x02, 0x01, 0x00,
    0x0a, body.length + 2, 0x01, body.length, ...body,
  ]);
}
const OPERANDS = [0x20, 0x00, 0x20, 0x01, 0x20, 0x02];
/** i32.const 22525, whose LEB128 immediate is the bytes of the prototype fma opcode, then drop. */
const DECOY = [0x41, 0xfd, 0xaf, 0x01, 0x1a];

describe('relaxed-opcodes: clang 14 prototype f32x4.fma -> f32x4.relaxed_madd', () => {
  it('rewrites the instruction, leaves the same bytes inside an immediate alone, and the result validates', () => {
    const prototype = moduleWith([...DECOY, ...OPERANDS, 0xfd, 0xaf, 0x01]);
    expect(relaxedSimdSupported()).toBe(true);
    expect(WebAssembly.validate(prototype)).toBe(false);
    const rewritten = relaxMaddOpcodes(prototype);
    expect([...rewritten]).toEqual([...moduleWith([...DECOY, ...OPERANDS, 0xfd, 0x85, 0x02])]);
    expect(WebAssembly.validate(rewritten as Uint8Array<ArrayBuffer>)).toBe(true);
  });

  it('refuses other prototype relaxed opcodes, unknown instructions and a module with no fma', () => {
    expect(() => relaxMaddOpcodes(moduleWith([...OPERANDS, 0xfd, 0xb0, 0x01]))).toThrow(/SIMD opcode 0xb0 .* not SIMD128 or f32x4.fma/);
    expect(() => relaxMaddOpcodes(moduleWith([...OPERANDS, 0xfd, 0x85, 0x02]))).toThrow(/SIMD opcode 0x105/);
    expect(() => relaxMaddOpcodes(moduleWith([0x06, ...OPERANDS]))).toThrow(/unknown opcode 0x6/);
    expect(() => relaxMaddOpcodes(moduleWith([...DECOY, 0x20, 0x00]))).toThrow(/no f32x4.fma found/);
  });

  it('the committed kernels-relaxed.wasm has relaxed_madd and validates; kernels.wasm is plain SIMD128', () => {
    const relaxed = readFileSync(new URL('./kernels-relaxed.wasm', import.meta.url));
    const simd128 = readFileSync(new URL('./kernels.wasm', import.meta.url));
    expect(WebAssembly.validate(relaxed)).toBe(true);
    // Rewriting again finds no prototype fma left in the relaxed build, and none in the SIMD128 one.
    expect(() => relaxMaddOpcodes(relaxed)).toThrow(/SIMD opcode 0x105|no f32x4.fma/);
    expect(() => relaxMaddOpcodes(simd128)).toThrow(/no f32x4.fma found/);
  });
});

/** out = a · b for a [1, 2] by [2, 1] product, through the backend's matmul. */
function dot2(backend: WasmBackend, a: [number, number], b: [number, number]): number {
  const [x, y, out] = [backend.alloc('float32', 2), backend.alloc('float32', 2), backend.alloc('float32', 1)];
  backend.write(x, Float32Array.from(a));
  backend.write(y, Float32Array.from(b));
  backend.matmul(x, y, out, { batch: 1, m: 1, n: 1, k: 2, transposeA: false, transposeB: false, aBatchStride: 0, bBatchStride: 0 });
  const value = backend.readSync(out)[0]!;
  backend.free(x);
  backend.free(y);
  backend.free(out);
  return value;
}

const cpuHasFma = (() => {
  try {
    return /^flags\s*:.*\bfma\b/m.test(readFileSync('/proc/cpuinfo', 'utf8'));
  } catch {
    return false;
  }
})();

describe('the load-time choice of kernels', () => {
  it('Node gets the relaxed build by default (the loader enables the V8 flag itself) and simd128 on request', () => {
    const auto = createWasmBackend();
    const simd128 = createWasmBackend({ artifact: 'simd128' });
    expect(auto.capabilities.kernels).toBe('relaxed-simd');
    expect(auto.capabilities.kernelsReason).toBeUndefined();
    expect(simd128.capabilities.kernels).toBe('simd128');
    auto.dispose();
    simd128.dispose();
  });

  it('names the allowed values when the artifact asked for is unknown', () => {
    expect(() => createWasmBackend({ artifact: 'avx512' as 'simd128' })).toThrow(/artifact option is 'avx512'; use one of relaxed-simd, simd128/);
  });

  // -1·1 + x·x with x = 1 + 2^-13: x·x = 1 + 2^-12 + 2^-26 exactly; rounded first (mul, then add)
  // the 2^-26 is lost, fused it is kept.
  it.runIf(cpuHasFma)('relaxed kernels round a multiply-add once on an FMA CPU; simd128 rounds twice', () => {
    const x = 1 + 2 ** -13;
    const relaxed = createWasmBackend({ artifact: 'relaxed-simd' });
    const simd128 = createWasmBackend({ artifact: 'simd128' });
    expect(dot2(relaxed, [-1, x], [1, x])).toBe(2 ** -12 + 2 ** -26);
    expect(dot2(simd128, [-1, x], [1, x])).toBe(2 ** -12);
    relaxed.dispose();
    simd128.dispose();
  });
});
