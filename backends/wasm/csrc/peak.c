/*
 * The multiply-add peak of one thread, for the bench's "% of peak" (not a kernel the backend calls).
 * PEAK_CHAINS independent chains acc = acc * m + c, all in registers: no loads or stores in the loop,
 * so nothing but the floating-point pipes bounds it. The chains must outnumber latency x throughput
 * (FMA: 4 cycles x 2 per cycle; mul then add: 6 cycles x 2) or the loop measures latency instead;
 * 12 chains plus m and c are 14 of x64's 16 vector registers, so V8 spills nothing.
 * MADD is one relaxed_madd in the relaxed artifact and a mul plus an add in the SIMD128 one: each
 * artifact's peak is what its matmul kernels can reach. 2 * 4 * PEAK_CHAINS flops per iteration.
 */
#include "kernels.h"

#define PEAK_CHAINS 12

EXPORT(fma_peak_flops_per_iteration)
u32 fma_peak_flops_per_iteration(void) { return 2 * 4 * PEAK_CHAINS; }

/* Runs `iterations` rounds and returns a sum of the chains (so none is dead code); m, c from the caller. */
EXPORT(fma_peak)
f32 fma_peak(u32 iterations, f32 m, f32 c) {
  const v128_t mv = wasm_f32x4_splat(m), cv = wasm_f32x4_splat(c);
  v128_t a0 = wasm_f32x4_make(0.0f, 1.0f, 2.0f, 3.0f);
  v128_t a1 = a0, a2 = a0, a3 = a0, a4 = a0, a5 = a0, a6 = a0, a7 = a0, a8 = a0, a9 = a0, a10 = a0, a11 = a0;
  for (u32 i = 0; i < iterations; i++) {
    a0 = MADD(a0, mv, cv);
    a1 = MADD(a1, mv, cv);
    a2 = MADD(a2, mv, cv);
    a3 = MADD(a3, mv, cv);
    a4 = MADD(a4, mv, cv);
    a5 = MADD(a5, mv, cv);
    a6 = MADD(a6, mv, cv);
    a7 = MADD(a7, mv, cv);
    a8 = MADD(a8, mv, cv);
    a9 = MADD(a9, mv, cv);
    a10 = MADD(a10, mv, cv);
    a11 = MADD(a11, mv, cv);
  }
  const v128_t s = wasm_f32x4_add(wasm_f32x4_add(wasm_f32x4_add(a0, a1), wasm_f32x4_add(a2, a3)),
                                  wasm_f32x4_add(wasm_f32x4_add(a4, a5), wasm_f32x4_add(a6, a7)));
  const v128_t t = wasm_f32x4_add(s, wasm_f32x4_add(wasm_f32x4_add(a8, a9), wasm_f32x4_add(a10, a11)));
  return wasm_f32x4_extract_lane(t, 0) + wasm_f32x4_extract_lane(t, 1) + wasm_f32x4_extract_lane(t, 2) + wasm_f32x4_extract_lane(t, 3);
}
