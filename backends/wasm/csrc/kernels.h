/*
 * Shared definitions for the WebAssembly kernels. Everything is freestanding C (no libc, no libm):
 * the module imports one linear memory from JS, exports its kernels by name, and every buffer is a
 * byte offset into that memory that the JS-side allocator hands out.
 *
 * The op codes (U_*, B_*, R_*) come from ops.gen.h, which build.mjs generates from the op lists in
 * ../../primitive-ops.ts; ../kernels/codes.ts derives the same numbers from the same lists.
 */
#ifndef TINYFLOW_KERNELS_H
#define TINYFLOW_KERNELS_H

#include <stdint.h>
#include <wasm_simd128.h>

#include "ops.gen.h"

#define EXPORT(name) __attribute__((export_name(#name)))
#define INLINE static inline __attribute__((always_inline))

typedef float f32;
typedef double f64;
typedef int32_t i32;
typedef uint32_t u32;
typedef int64_t i64;
typedef uint64_t u64;
typedef uint8_t u8;

/*
 * What a kernel that takes an op code returns. Anything but K_OK means it wrote nothing, and the JS
 * side (../kernels/status.ts) throws naming the op: a code a switch does not handle is never a
 * silently unwritten output. Fused programs add the failing instruction's index << 8.
 */
enum { K_OK = 0, K_UNKNOWN_OP = 1, K_UNSUPPORTED_DTYPE = 2 };

/* Element types, in the order of src-core's DTYPES. */
enum { DT_F32 = 0, DT_I32 = 1, DT_BOOL = 2 };

/* Descriptors (shapes, strides) are passed through this block, which JS writes before a call. */
#define MAX_RANK 32
#define ARGS_WORDS (4 * MAX_RANK + 16)
extern i32 kernel_args[ARGS_WORDS];

INLINE u32 f32_bits(f32 x) { return __builtin_bit_cast(u32, x); }
INLINE f32 bits_f32(u32 x) { return __builtin_bit_cast(f32, x); }
INLINE u64 f64_bits(f64 x) { return __builtin_bit_cast(u64, x); }
INLINE f64 bits_f64(u64 x) { return __builtin_bit_cast(f64, x); }

/* JS's Math.max/Math.min: NaN wins, and +0 > -0. These are exactly wasm's f32.max/f32.min. */
INLINE f32 js_max(f32 a, f32 b) { return __builtin_wasm_max_f32(a, b); }
INLINE f32 js_min(f32 a, f32 b) { return __builtin_wasm_min_f32(a, b); }

/* ToInt32 (what an Int32Array store does): truncate, wrap modulo 2^32, NaN and +-Inf -> 0.
 * For any finite double the reduction t - floor(t / 2^32) * 2^32 is exact and lands in [0, 2^32). */
INLINE i32 to_int32(f64 x) {
  if (!(__builtin_fabs(x) < __builtin_inf())) return 0;
  const f64 t = __builtin_trunc(x);
  return (i32)(u32)(t - __builtin_floor(t * 0x1p-32) * 0x1p32);
}

/*
 * acc + a * b on four lanes. The relaxed artifact (build.mjs) fuses it into one f32x4.relaxed_madd,
 * rounded once where the CPU has FMA (engines may also run it unfused: either rounding is within the
 * conformance tolerances). clang 14 spells it __builtin_wasm_fma_f32x4(a, b, acc); build.mjs turns
 * that prototype opcode into the standard one. The SIMD128 artifact multiplies, then adds.
 */
#ifdef TINYFLOW_RELAXED_SIMD
#define MADD(a, b, acc) __builtin_wasm_fma_f32x4((a), (b), (acc))
#else
#define MADD(a, b, acc) wasm_f32x4_add((acc), wasm_f32x4_mul((a), (b)))
#endif

/* ---- narrow products (matmul-narrow.c): n <= NARROW_MAX_N columns, k >= 1 ---- */
#define NARROW_MAX_N 16
void matmul_narrow_rows(const f32* a, const f32* b, f32* out, u32 m, u32 n, u32 k, u32 transposeA, u32 transposeB,
                        u32 aBatchStride, u32 bBatchStride, u32 rowBegin, u32 rowEnd, const f32* bias, u32 epilogue,
                        u32 relu, f32* scratch);
void matmul_epilogue(f32* out, const f32* bias, u32 rows, u32 n, u32 relu);

/* ---- vector math (mathf.c): float32 approximations accurate to a few ulp ---- */
v128_t vexp(v128_t x);
v128_t vlog(v128_t x);
v128_t vtanh(v128_t x);
v128_t vsigmoid(v128_t x);

/* ---- double-precision scalar math (math64.c), for pow and log-softmax's log of the row sum ---- */
f64 exp64(f64 x);
f64 log64(f64 x);
f64 pow_js(f64 a, f64 b);

#endif
