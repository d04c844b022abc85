/*
 * reduce, argReduce and the fused row softmax over [outer, reduce, inner] views.
 *
 * float32 sums and products accumulate in double in exactly the cpu backend's order (four
 * interleaved accumulators for contiguous runs, one per column otherwise), so results match it bit
 * for bit; max/min use wasm's f32.max/f32.min, which are Math.max/Math.min.
 */
#include "kernels.h"

/* Columns processed per pass when inner > 1: the accumulators live on the stack (no scratch). */
#define COLUMN_BLOCK 256

/* Contiguous run, four double accumulators by index mod 4 combined as (s0 + s1) + (s2 + s3). */
static f32 sum_run_f32(const f32* x, u32 n) {
  v128_t s01 = wasm_f64x2_splat(0.0), s23 = s01;
  u32 i = 0;
  for (; i + 4 <= n; i += 4) {
    v128_t v = wasm_v128_load(x + i);
    s01 = wasm_f64x2_add(s01, wasm_f64x2_promote_low_f32x4(v));
    s23 = wasm_f64x2_add(s23, wasm_f64x2_promote_low_f32x4(wasm_i32x4_shuffle(v, v, 2, 3, 0, 1)));
  }
  f64 s0 = wasm_f64x2_extract_lane(s01, 0);
  for (; i < n; i++) s0 += x[i];
  return (f32)((s0 + wasm_f64x2_extract_lane(s01, 1)) + (wasm_f64x2_extract_lane(s23, 0) + wasm_f64x2_extract_lane(s23, 1)));
}

static f32 max_run_f32(const f32* x, u32 n, int isMax) {
  v128_t acc = wasm_f32x4_splat(x[0]);
  u32 i = 0;
  /* Lanes are combined in an order-independent way: max/min are exact, and NaN propagates. */
  if (isMax) for (; i + 4 <= n; i += 4) acc = wasm_f32x4_max(acc, wasm_v128_load(x + i));
  else for (; i + 4 <= n; i += 4) acc = wasm_f32x4_min(acc, wasm_v128_load(x + i));
  f32 lanes[4];
  wasm_v128_store(lanes, acc);
  f32 r = lanes[0];
  for (int lane = 1; lane < 4; lane++) r = isMax ? js_max(r, lanes[lane]) : js_min(r, lanes[lane]);
  for (; i < n; i++) r = isMax ? js_max(r, x[i]) : js_min(r, x[i]);
  return r;
}

static void reduce_f32(u32 op, const f32* x, f32* out, u32 outer, u32 reduce, u32 inner) {
  if (inner == 1) {
    for (u32 o = 0; o < outer; o++, x += reduce) {
      if (op == R_SUM) out[o] = sum_run_f32(x, reduce);
      else if (op == R_PROD) {
        f64 acc = 1;
        for (u32 i = 0; i < reduce; i++) acc *= x[i];
        out[o] = (f32)acc;
      } else out[o] = max_run_f32(x, reduce, op == R_MAX);
    }
    return;
  }
  f64 acc[COLUMN_BLOCK];
  for (u32 o = 0; o < outer; o++) {
    const f32* block = x + (u64)o * reduce * inner;
    f32* orow = out + (u64)o * inner;
    for (u32 j0 = 0; j0 < inner; j0 += COLUMN_BLOCK) {
      const u32 w = inner - j0 < COLUMN_BLOCK ? inner - j0 : COLUMN_BLOCK;
      const f32* col = block + j0;
      if (op == R_SUM || op == R_PROD) {
        for (u32 j = 0; j < w; j++) acc[j] = col[j];
        for (u32 r = 1; r < reduce; r++) {
          const f32* row = col + (u64)r * inner;
          if (op == R_SUM) for (u32 j = 0; j < w; j++) acc[j] += row[j];
          else for (u32 j = 0; j < w; j++) acc[j] *= row[j];
        }
        for (u32 j = 0; j < w; j++) orow[j0 + j] = (f32)acc[j];
      } else {
        f32* o_ = orow + j0;
        for (u32 j = 0; j < w; j++) o_[j] = col[j];
        for (u32 r = 1; r < reduce; r++) {
          const f32* row = col + (u64)r * inner;
          if (op == R_MAX) for (u32 j = 0; j < w; j++) o_[j] = js_max(o_[j], row[j]);
          else for (u32 j = 0; j < w; j++) o_[j] = js_min(o_[j], row[j]);
        }
      }
    }
  }
}

/* Integer reductions wrap modulo 2^bits like a typed-array store; T is i32 or u8 (bool). */
#define INT_REDUCE(NAME, T, UT)                                                               \
  static T NAME##_combine(u32 op, T acc, T v) {                                                \
    switch ((reduce_op)op) {                                                                   \
      case R_SUM: return (T)((UT)acc + (UT)v);                                                 \
      case R_PROD: return (T)((UT)acc * (UT)v);                                                \
      case R_MAX: return v > acc ? v : acc;                                                    \
      case R_MIN: return v < acc ? v : acc;                                                    \
    }                                                                                          \
    __builtin_unreachable(); /* reduce() checked op */                                         \
  }                                                                                            \
  static void NAME(u32 op, const T* x, T* out, u32 outer, u32 reduce, u32 inner) {             \
    for (u32 o = 0; o < outer; o++) {                                                          \
      const T* block = x + (u64)o * reduce * inner;                                            \
      T* orow = out + (u64)o * inner;                                                          \
      if (inner == 1) {                                                                        \
        T acc = block[0];                                                                      \
        switch ((reduce_op)op) {                                                               \
          case R_SUM: for (u32 r = 1; r < reduce; r++) acc = (T)((UT)acc + (UT)block[r]); break; \
          case R_PROD: for (u32 r = 1; r < reduce; r++) acc = (T)((UT)acc * (UT)block[r]); break; \
          case R_MAX: for (u32 r = 1; r < reduce; r++) acc = block[r] > acc ? block[r] : acc; break; \
          case R_MIN: for (u32 r = 1; r < reduce; r++) acc = block[r] < acc ? block[r] : acc; break; \
        }                                                                                      \
        orow[0] = acc;                                                                         \
        continue;                                                                              \
      }                                                                                        \
      for (u32 j = 0; j < inner; j++) orow[j] = block[j];                                      \
      for (u32 r = 1; r < reduce; r++) {                                                       \
        const T* row = block + (u64)r * inner;                                                 \
        for (u32 j = 0; j < inner; j++) orow[j] = NAME##_combine(op, orow[j], row[j]);         \
      }                                                                                        \
    }                                                                                          \
  }

INT_REDUCE(reduce_i32, i32, u32)
INT_REDUCE(reduce_u8, u8, u8)

/*
 * Every op the loops above implement, over the generated enum: an op added to primitive-ops.ts fails
 * to compile here until the loops (which test for specific ops) are taught it. reduce >= 1 in
 * reduce(): the caller fills an empty axis with the identity.
 */
static int reduce_implemented(u32 op) {
  switch ((reduce_op)op) {
    case R_SUM: case R_MAX: case R_MIN: case R_PROD: return 1;
  }
  return 0;
}

/* reduce >= 1 here: the empty axis is filled with the identity by the caller. */
EXPORT(reduce) i32 reduce(u32 op, u32 dtype, const void* x, void* out, u32 outer, u32 reduce, u32 inner) {
  if (!reduce_implemented(op)) return K_UNKNOWN_OP;
  if (dtype == DT_F32) reduce_f32(op, x, out, outer, reduce, inner);
  else if (dtype == DT_I32) reduce_i32(op, x, out, outer, reduce, inner);
  else reduce_u8(op, x, out, outer, reduce, inner);
  return K_OK;
}

/* ---------------------------------------------------------------- argReduce */

/*
 * Index of the max (or min) along the middle axis; the first index wins ties and the first NaN
 * wins outright, as in numpy and the cpu backend. `better(v, best)` is the replacement test.
 */
#define ARG_REDUCE(NAME, T, BETTER)                                                         \
  static void NAME(const T* x, i32* out, u32 outer, u32 reduce, u32 inner, int isMax) {     \
    T best[COLUMN_BLOCK];                                                                    \
    for (u32 o = 0; o < outer; o++) {                                                        \
      const T* block = x + (u64)o * reduce * inner;                                          \
      i32* orow = out + (u64)o * inner;                                                      \
      for (u32 j0 = 0; j0 < inner; j0 += COLUMN_BLOCK) {                                     \
        const u32 w = inner - j0 < COLUMN_BLOCK ? inner - j0 : COLUMN_BLOCK;                 \
        for (u32 j = 0; j < w; j++) {                                                        \
          best[j] = block[j0 + j];                                                           \
          orow[j0 + j] = 0;                                                                  \
        }                                                                                    \
        for (u32 r = 1; r < reduce; r++) {                                                   \
          const T* row = block + (u64)r * inner + j0;                                        \
          for (u32 j = 0; j < w; j++) {                                                      \
            T v = row[j], b = best[j];                                                       \
            if (BETTER) {                                                                    \
              best[j] = v;                                                                   \
              orow[j0 + j] = (i32)r;                                                         \
            }                                                                                \
          }                                                                                  \
        }                                                                                    \
      }                                                                                      \
    }                                                                                        \
  }

/* A NaN replaces any non-NaN best, and nothing replaces a NaN best. */
ARG_REDUCE(arg_reduce_f32, f32, (b == b) & ((isMax ? v > b : v < b) | (v != v)))
ARG_REDUCE(arg_reduce_i32, i32, isMax ? v > b : v < b)
ARG_REDUCE(arg_reduce_u8, u8, isMax ? v > b : v < b)

EXPORT(arg_reduce) void arg_reduce(u32 isMax, u32 dtype, const void* x, i32* out, u32 outer, u32 reduce, u32 inner) {
  if (dtype == DT_F32) arg_reduce_f32(x, out, outer, reduce, inner, (int)isMax);
  else if (dtype == DT_I32) arg_reduce_i32(x, out, outer, reduce, inner, (int)isMax);
  else arg_reduce_u8(x, out, outer, reduce, inner, (int)isMax);
}

/* ---------------------------------------------------------------- softmax */

/*
 * exp(x - max) where the cpu subtracts in double: the float32 difference d loses up to half an ulp
 * of |x - max|, which exp turns into a relative error of that size (5e-7 at x - max = -20). TwoSum
 * recovers the rounding error e exactly, and exp(d + e) = exp(d) (1 + e) to float32 precision.
 */
static inline v128_t exp_of_difference(v128_t x, v128_t max) {
  const v128_t negMax = wasm_f32x4_neg(max);
  const v128_t d = wasm_f32x4_add(x, negMax);
  const v128_t bb = wasm_f32x4_sub(d, x);
  const v128_t err = wasm_f32x4_add(wasm_f32x4_sub(x, wasm_f32x4_sub(d, bb)), wasm_f32x4_sub(negMax, bb));
  const v128_t e = vexp(d);
  /* Infinite or NaN lanes give a NaN err; they keep exp(d) as the cpu's double arithmetic would. */
  const v128_t corrected = wasm_f32x4_add(e, wasm_f32x4_mul(e, err));
  return wasm_v128_bitselect(corrected, e, wasm_f32x4_eq(err, err));
}

/*
 * Row-wise softmax over [rows, cols], shifted by the row max so exp never overflows. The row sum is
 * kept in double; the log variant is x - max - log(sum) with the log in double, which stays finite
 * where log(softmax) would underflow. NaN anywhere in a row makes the whole row NaN, as on the cpu.
 */
EXPORT(softmax) void softmax(const f32* x, f32* out, u32 rows, u32 cols, u32 log) {
  if (cols == 0) return;
  for (u32 r = 0; r < rows; r++, x += cols, out += cols) {
    const f32 max = max_run_f32(x, cols, 1);
    const v128_t vmax = wasm_f32x4_splat(max);
    v128_t sum2 = wasm_f64x2_splat(0.0);
    u32 i = 0;
    for (; i + 4 <= cols; i += 4) {
      v128_t e = exp_of_difference(wasm_v128_load(x + i), vmax);
      if (!log) wasm_v128_store(out + i, e);
      sum2 = wasm_f64x2_add(sum2, wasm_f64x2_promote_low_f32x4(e));
      sum2 = wasm_f64x2_add(sum2, wasm_f64x2_promote_low_f32x4(wasm_i32x4_shuffle(e, e, 2, 3, 0, 1)));
    }
    f64 sum = wasm_f64x2_extract_lane(sum2, 0) + wasm_f64x2_extract_lane(sum2, 1);
    if (i < cols) {
      f32 tmp[4] = {0, 0, 0, 0};
      const u32 count = cols - i;
      for (u32 j = 0; j < count; j++) tmp[j] = x[i + j];
      wasm_v128_store(tmp, exp_of_difference(wasm_v128_load(tmp), vmax));
      for (u32 j = 0; j < count; j++) {
        if (!log) out[i + j] = tmp[j];
        sum += tmp[j];
      }
    }
    if (log) {
      const f64 logSum = log64(sum);
      for (u32 j = 0; j < cols; j++) out[j] = (f32)((f64)x[j] - (f64)max - logSum);
    } else {
      const f64 scale = 1.0 / sum;
      for (u32 j = 0; j < cols; j++) out[j] = (f32)((f64)out[j] * scale);
    }
  }
}
