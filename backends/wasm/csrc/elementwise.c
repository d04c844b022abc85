/*
 * fill, cast, unary and binary. The simple loops are written as plain C: clang's vectorizer turns
 * them into f32x4/i32x4 code (with a scalar tail), which keeps one readable line per op. The
 * transcendental ops run the f32x4 approximations of mathf.c explicitly.
 *
 * Semantics mirror the cpu backend bit for bit where it is cheap: float32 + - * / and sqrt are
 * correctly rounded here exactly as double-then-round is there, rsqrt is computed in double, and
 * max/min pick operands the way the cpu's comparisons do (including signed zeros).
 */
#include "kernels.h"

i32 kernel_args[ARGS_WORDS];

EXPORT(args_block) i32* args_block(void) { return kernel_args; }

/* ---------------------------------------------------------------- fill */

EXPORT(fill32) void fill32(u32* out, u32 n, u32 bits) {
  for (u32 i = 0; i < n; i++) out[i] = bits;
}

EXPORT(fill8) void fill8(u8* out, u32 n, u32 value) { __builtin_memset(out, (int)value, n); }

/* ---------------------------------------------------------------- cast */

EXPORT(cast) void cast(const void* x, void* out, u32 n, u32 from, u32 to) {
  if (from == to) {
    __builtin_memmove(out, x, (u64)n * (to == DT_BOOL ? 1 : 4));
    return;
  }
  if (from == DT_F32) {
    const f32* s = x;
    if (to == DT_I32) for (u32 i = 0; i < n; i++) ((i32*)out)[i] = to_int32(s[i]);
    else for (u32 i = 0; i < n; i++) ((u8*)out)[i] = s[i] != 0; /* NaN != 0 is true, as in TF */
  } else if (from == DT_I32) {
    const i32* s = x;
    if (to == DT_F32) for (u32 i = 0; i < n; i++) ((f32*)out)[i] = (f32)s[i];
    else for (u32 i = 0; i < n; i++) ((u8*)out)[i] = s[i] != 0;
  } else {
    const u8* s = x;
    if (to == DT_F32) for (u32 i = 0; i < n; i++) ((f32*)out)[i] = (f32)s[i];
    else for (u32 i = 0; i < n; i++) ((i32*)out)[i] = s[i];
  }
}

/* ---------------------------------------------------------------- unary */

/* Applies a vector function to n floats; the ragged tail goes through a zero-padded vector so each
 * function has exactly one implementation. Two vectors per iteration overlap their latency chains. */
#define MAP_VECTOR(FN)                                                             \
  do {                                                                             \
    u32 i = 0;                                                                     \
    for (; i + 8 <= n; i += 8) {                                                   \
      v128_t v0 = wasm_v128_load(x + i), v1 = wasm_v128_load(x + i + 4);           \
      wasm_v128_store(out + i, FN(v0));                                            \
      wasm_v128_store(out + i + 4, FN(v1));                                        \
    }                                                                              \
    for (; i < n; i += 4) {                                                        \
      f32 tmp[4] = {0, 0, 0, 0};                                                   \
      u32 count = n - i < 4 ? n - i : 4;                                           \
      for (u32 j = 0; j < count; j++) tmp[j] = x[i + j];                           \
      wasm_v128_store(tmp, FN(wasm_v128_load(tmp)));                               \
      for (u32 j = 0; j < count; j++) out[i + j] = tmp[j];                         \
    }                                                                              \
  } while (0)

INLINE v128_t vrsqrt(v128_t v) {
  /* 1 / sqrt(x) rounded once from double, as the cpu backend does. */
  v128_t lo = wasm_f64x2_promote_low_f32x4(v);
  v128_t hi = wasm_f64x2_promote_low_f32x4(wasm_i32x4_shuffle(v, v, 2, 3, 0, 1));
  lo = wasm_f64x2_div(wasm_f64x2_splat(1.0), wasm_f64x2_sqrt(lo));
  hi = wasm_f64x2_div(wasm_f64x2_splat(1.0), wasm_f64x2_sqrt(hi));
  return wasm_i32x4_shuffle(wasm_f32x4_demote_f64x2_zero(lo), wasm_f32x4_demote_f64x2_zero(hi), 0, 1, 4, 5);
}

INLINE v128_t vsign(v128_t v) {
  /* +-1 with the sign of x, except 0, -0 and NaN, which map to themselves. */
  v128_t one = wasm_v128_or(wasm_f32x4_splat(1.0f), wasm_v128_and(v, wasm_i32x4_splat((i32)0x80000000)));
  v128_t keep = wasm_v128_or(wasm_f32x4_eq(v, wasm_f32x4_splat(0.0f)), wasm_f32x4_ne(v, v));
  return wasm_v128_bitselect(v, one, keep);
}

/* Switches over the generated enum: an op added to primitive-ops.ts without a case here fails to compile. */
EXPORT(unary_f32) i32 unary_f32(u32 op, const f32* x, f32* out, u32 n) {
  switch ((unary_op)op) {
    case U_IDENTITY: __builtin_memmove(out, x, (u64)n * 4); return K_OK;
    case U_NEG: for (u32 i = 0; i < n; i++) out[i] = -x[i]; return K_OK;
    case U_ABS: for (u32 i = 0; i < n; i++) out[i] = __builtin_fabsf(x[i]); return K_OK;
    case U_SIGN: MAP_VECTOR(vsign); return K_OK;
    case U_EXP: MAP_VECTOR(vexp); return K_OK;
    case U_LOG: MAP_VECTOR(vlog); return K_OK;
    case U_SQRT: for (u32 i = 0; i < n; i++) out[i] = __builtin_sqrtf(x[i]); return K_OK;
    case U_RSQRT: MAP_VECTOR(vrsqrt); return K_OK;
    case U_SQUARE: for (u32 i = 0; i < n; i++) out[i] = x[i] * x[i]; return K_OK;
    case U_RECIPROCAL: for (u32 i = 0; i < n; i++) out[i] = 1.0f / x[i]; return K_OK;
    /* max(x, 0) with NaN kept and -0 -> +0, as (v + |v|) / 2 gives on the cpu. */
    case U_RELU: for (u32 i = 0; i < n; i++) out[i] = js_max(x[i], 0.0f); return K_OK;
    case U_STEP: for (u32 i = 0; i < n; i++) out[i] = x[i] > 0 ? 1.0f : 0.0f; return K_OK;
    case U_SIGMOID: MAP_VECTOR(vsigmoid); return K_OK;
    case U_TANH: MAP_VECTOR(vtanh); return K_OK;
    case U_FLOOR: for (u32 i = 0; i < n; i++) out[i] = __builtin_floorf(x[i]); return K_OK;
    case U_CEIL: for (u32 i = 0; i < n; i++) out[i] = __builtin_ceilf(x[i]); return K_OK;
    /* f32.nearest rounds half to even, which is TF's Round. */
    case U_ROUND: for (u32 i = 0; i < n; i++) out[i] = __builtin_rintf(x[i]); return K_OK;
    /* Its output is bool: the logical_not kernel. */
    case U_LOGICAL_NOT: return K_UNSUPPORTED_DTYPE;
  }
  return K_UNKNOWN_OP;
}

/* int32 ops wrap like an Int32Array store; floor/ceil/round of an integer is the integer. */
EXPORT(unary_i32) i32 unary_i32(u32 op, const i32* x, i32* out, u32 n) {
  switch ((unary_op)op) {
    case U_IDENTITY: case U_FLOOR: case U_CEIL: case U_ROUND: __builtin_memmove(out, x, (u64)n * 4); return K_OK;
    case U_NEG: for (u32 i = 0; i < n; i++) out[i] = (i32)(0u - (u32)x[i]); return K_OK;
    case U_ABS: for (u32 i = 0; i < n; i++) out[i] = x[i] < 0 ? (i32)(0u - (u32)x[i]) : x[i]; return K_OK;
    case U_SIGN: for (u32 i = 0; i < n; i++) out[i] = (x[i] > 0) - (x[i] < 0); return K_OK;
    case U_SQUARE: for (u32 i = 0; i < n; i++) out[i] = (i32)((u32)x[i] * (u32)x[i]); return K_OK;
    case U_RELU: for (u32 i = 0; i < n; i++) out[i] = x[i] > 0 ? x[i] : 0; return K_OK;
    case U_STEP: for (u32 i = 0; i < n; i++) out[i] = x[i] > 0; return K_OK;
    case U_EXP: case U_LOG: case U_SQRT: case U_RSQRT: case U_RECIPROCAL: case U_SIGMOID: case U_TANH:
    case U_LOGICAL_NOT:
      return K_UNSUPPORTED_DTYPE;
  }
  return K_UNKNOWN_OP;
}

/* logicalNot of any dtype into bool. */
EXPORT(logical_not) void logical_not(const void* x, u8* out, u32 n, u32 dtype) {
  if (dtype == DT_F32) for (u32 i = 0; i < n; i++) out[i] = ((const f32*)x)[i] == 0;
  else if (dtype == DT_I32) for (u32 i = 0; i < n; i++) out[i] = ((const i32*)x)[i] == 0;
  else for (u32 i = 0; i < n; i++) out[i] = ((const u8*)x)[i] == 0;
}

/* ---------------------------------------------------------------- binary */

/* The cpu's max/min: the left operand when it wins the comparison or is NaN, else the right one. */
INLINE f32 pick_max(f32 a, f32 b) { return ((a > b) | (a != a)) ? a : b; }
INLINE f32 pick_min(f32 a, f32 b) { return ((a < b) | (a != a)) ? a : b; }

/* int32 `div` floors like TF-1 (x / 0 -> 0); INT_MIN / -1 wraps to INT_MIN as the cpu's store does. */
INLINE i32 floor_div(i32 a, i32 b) {
  if (b == 0) return 0;
  if (b == -1) return (i32)(0u - (u32)a);
  i32 q = a / b;
  return ((a % b != 0) & ((a < 0) != (b < 0))) ? q - 1 : q;
}

/* int32 pow: Math.pow on the integers, stored with ToInt32. Exact while |result| < 2^53; a negative
 * exponent leaves 1 / a^|b|, which truncates to 0 unless |a| = 1 (and 1 / 0 = Inf stores as 0). */
static i32 int_pow(i32 a, i32 b) {
  if (b < 0) return a == 1 ? 1 : a == -1 ? ((b & 1) ? -1 : 1) : 0;
  f64 result = 1.0, base = (f64)a;
  for (u32 e = (u32)b; e != 0; e >>= 1) {
    if (e & 1) result *= base;
    base *= base;
  }
  return to_int32(result);
}

/* One X-macro list per (dtype, result kind); each expands into the four row loops below. */
#define F32_ARITH(X)                                                                  \
  X(B_ADD, a + b) X(B_SUB, a - b) X(B_MUL, a * b) X(B_DIV, a / b)                     \
  X(B_POW, (f32)pow_js(a, b)) X(B_MAX, pick_max(a, b)) X(B_MIN, pick_min(a, b))
#define I32_ARITH(X)                                                                  \
  X(B_ADD, (i32)((u32)a + (u32)b)) X(B_SUB, (i32)((u32)a - (u32)b))                   \
  X(B_MUL, (i32)((u32)a * (u32)b)) X(B_DIV, floor_div(a, b)) X(B_POW, int_pow(a, b))  \
  X(B_MAX, a > b ? a : b) X(B_MIN, a < b ? a : b)
#define COMPARE(X)                                                                    \
  X(B_EQUAL, a == b) X(B_NOT_EQUAL, a != b) X(B_LESS, a < b) X(B_LESS_EQUAL, a <= b)  \
  X(B_GREATER, a > b) X(B_GREATER_EQUAL, a >= b) X(B_LOGICAL_AND, (a != 0) & (b != 0)) \
  X(B_LOGICAL_OR, (a != 0) | (b != 0))

/* Whether op's result is bool; a full switch, so a new binary op must be placed here to compile. */
static i32 binary_is_comparison(u32 op) {
  switch ((binary_op)op) {
    case B_ADD: case B_SUB: case B_MUL: case B_DIV: case B_POW: case B_MAX: case B_MIN: return 0;
    case B_EQUAL: case B_NOT_EQUAL: case B_LESS: case B_LESS_EQUAL: case B_GREATER: case B_GREATER_EQUAL:
    case B_LOGICAL_AND: case B_LOGICAL_OR: return 1;
  }
  return -1;
}

/* Row loops: both operands contiguous, right operand broadcast, left broadcast, general strides.
 * Each returns K_UNKNOWN_OP for an op its list lacks, before writing anything. */
#define ROWS(NAME, TIN, TOUT, OPS)                                                              \
  static i32 NAME##_contiguous(u32 op, const TIN* A, const TIN* B, TOUT* O, u32 n) {            \
    switch (op) {                                                                               \
      OPS(NAME##_CASE_CONTIGUOUS)                                                               \
    }                                                                                           \
    return K_UNKNOWN_OP;                                                                        \
  }                                                                                             \
  static i32 NAME##_scalar_right(u32 op, const TIN* A, TIN b, TOUT* O, u32 n) {                 \
    switch (op) {                                                                               \
      OPS(NAME##_CASE_SCALAR_RIGHT)                                                             \
    }                                                                                           \
    return K_UNKNOWN_OP;                                                                        \
  }                                                                                             \
  static i32 NAME##_scalar_left(u32 op, TIN a, const TIN* B, TOUT* O, u32 n) {                  \
    switch (op) {                                                                               \
      OPS(NAME##_CASE_SCALAR_LEFT)                                                              \
    }                                                                                           \
    return K_UNKNOWN_OP;                                                                        \
  }                                                                                             \
  static i32 NAME##_strided(u32 op, const TIN* A, i32 sa, const TIN* B, i32 sb, TOUT* O, u32 n) { \
    switch (op) {                                                                               \
      OPS(NAME##_CASE_STRIDED)                                                                  \
    }                                                                                           \
    return K_UNKNOWN_OP;                                                                        \
  }                                                                                             \
  static i32 NAME##_row(u32 op, const TIN* A, i32 sa, const TIN* B, i32 sb, TOUT* O, u32 n) {   \
    if (sa == 1 && sb == 1) return NAME##_contiguous(op, A, B, O, n);                           \
    if (sa == 1 && sb == 0) return NAME##_scalar_right(op, A, B[0], O, n);                      \
    if (sa == 0 && sb == 1) return NAME##_scalar_left(op, A[0], B, O, n);                       \
    return NAME##_strided(op, A, sa, B, sb, O, n);                                              \
  }

/* The case bodies, one per access pattern. */
#define CASE_CONTIGUOUS(TIN, C, E) \
  case C: for (u32 i = 0; i < n; i++) { TIN a = A[i], b = B[i]; O[i] = E; } return K_OK;
#define CASE_SCALAR_RIGHT(TIN, C, E) \
  case C: for (u32 i = 0; i < n; i++) { TIN a = A[i]; O[i] = E; } return K_OK;
#define CASE_SCALAR_LEFT(TIN, C, E) \
  case C: for (u32 i = 0; i < n; i++) { TIN b = B[i]; O[i] = E; } return K_OK;
/* Strided rows gather element by element anyway: vectorizing them only bloats the module and the build. */
#define CASE_STRIDED(TIN, C, E)                                                                       \
  case C:                                                                                             \
    _Pragma("clang loop vectorize(disable) interleave(disable)")                                      \
    for (u32 i = 0; i < n; i++) { TIN a = A[(i32)i * sa], b = B[(i32)i * sb]; O[i] = E; } return K_OK;

#define f32_arith_CASE_CONTIGUOUS(C, E) CASE_CONTIGUOUS(f32, C, E)
#define f32_arith_CASE_SCALAR_RIGHT(C, E) CASE_SCALAR_RIGHT(f32, C, E)
#define f32_arith_CASE_SCALAR_LEFT(C, E) CASE_SCALAR_LEFT(f32, C, E)
#define f32_arith_CASE_STRIDED(C, E) CASE_STRIDED(f32, C, E)
ROWS(f32_arith, f32, f32, F32_ARITH)

#define i32_arith_CASE_CONTIGUOUS(C, E) CASE_CONTIGUOUS(i32, C, E)
#define i32_arith_CASE_SCALAR_RIGHT(C, E) CASE_SCALAR_RIGHT(i32, C, E)
#define i32_arith_CASE_SCALAR_LEFT(C, E) CASE_SCALAR_LEFT(i32, C, E)
#define i32_arith_CASE_STRIDED(C, E) CASE_STRIDED(i32, C, E)
ROWS(i32_arith, i32, i32, I32_ARITH)

#define f32_compare_CASE_CONTIGUOUS(C, E) CASE_CONTIGUOUS(f32, C, E)
#define f32_compare_CASE_SCALAR_RIGHT(C, E) CASE_SCALAR_RIGHT(f32, C, E)
#define f32_compare_CASE_SCALAR_LEFT(C, E) CASE_SCALAR_LEFT(f32, C, E)
#define f32_compare_CASE_STRIDED(C, E) CASE_STRIDED(f32, C, E)
ROWS(f32_compare, f32, u8, COMPARE)

#define i32_compare_CASE_CONTIGUOUS(C, E) CASE_CONTIGUOUS(i32, C, E)
#define i32_compare_CASE_SCALAR_RIGHT(C, E) CASE_SCALAR_RIGHT(i32, C, E)
#define i32_compare_CASE_SCALAR_LEFT(C, E) CASE_SCALAR_LEFT(i32, C, E)
#define i32_compare_CASE_STRIDED(C, E) CASE_STRIDED(i32, C, E)
ROWS(i32_compare, i32, u8, COMPARE)

#define u8_compare_CASE_CONTIGUOUS(C, E) CASE_CONTIGUOUS(u8, C, E)
#define u8_compare_CASE_SCALAR_RIGHT(C, E) CASE_SCALAR_RIGHT(u8, C, E)
#define u8_compare_CASE_SCALAR_LEFT(C, E) CASE_SCALAR_LEFT(u8, C, E)
#define u8_compare_CASE_STRIDED(C, E) CASE_STRIDED(u8, C, E)
ROWS(u8_compare, u8, u8, COMPARE)

/*
 * out (contiguous, row-major over shape) = a op b, where kernel_args holds
 * [rank, shape[rank], aStrides[rank], bStrides[rank]] in elements, already collapsed by the caller.
 * The outer dims run an odometer; each innermost row goes to the tightest row loop.
 */
EXPORT(binary) i32 binary(u32 op, u32 dtype, const void* a, const void* b, void* out) {
  const i32 rank = kernel_args[0];
  const i32* shape = kernel_args + 1;
  const i32* aStrides = shape + rank;
  const i32* bStrides = aStrides + rank;
  const i32 compare = binary_is_comparison(op);
  if (compare < 0) return K_UNKNOWN_OP;
  if (dtype == DT_BOOL && !compare) return K_UNSUPPORTED_DTYPE;
  const u32 inSize = dtype == DT_BOOL ? 1 : 4;
  const u32 outSize = compare ? 1 : inSize;
  const u32 n = (u32)shape[rank - 1];
  const i32 sa = aStrides[rank - 1], sb = bStrides[rank - 1];
  i32 index[MAX_RANK];
  for (i32 d = 0; d < rank; d++) index[d] = 0;
  u32 rows = 1;
  for (i32 d = 0; d < rank - 1; d++) rows *= (u32)shape[d];
  i32 aOffset = 0, bOffset = 0;
  for (u32 r = 0; r < rows; r++) {
    const u8* ar = (const u8*)a + (i64)aOffset * inSize;
    const u8* br = (const u8*)b + (i64)bOffset * inSize;
    u8* orow = (u8*)out + (u64)r * n * outSize;
    i32 status;
    if (dtype == DT_F32) {
      if (compare) status = f32_compare_row(op, (const f32*)ar, sa, (const f32*)br, sb, orow, n);
      else status = f32_arith_row(op, (const f32*)ar, sa, (const f32*)br, sb, (f32*)orow, n);
    } else if (dtype == DT_I32) {
      if (compare) status = i32_compare_row(op, (const i32*)ar, sa, (const i32*)br, sb, orow, n);
      else status = i32_arith_row(op, (const i32*)ar, sa, (const i32*)br, sb, (i32*)orow, n);
    } else {
      status = u8_compare_row(op, ar, sa, br, sb, orow, n);
    }
    /* Every row runs the same op, so only the first row can fail, before anything is written. */
    if (status != K_OK) return status;
    for (i32 d = rank - 2; d >= 0; d--) {
      aOffset += aStrides[d];
      bOffset += bStrides[d];
      if (++index[d] < shape[d]) break;
      aOffset -= aStrides[d] * shape[d];
      bOffset -= bStrides[d] * shape[d];
      index[d] = 0;
    }
  }
  return K_OK;
}
