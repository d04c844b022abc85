/*
 * float32 exp, log, tanh and sigmoid on f32x4 vectors. WebAssembly has no transcendental
 * instructions, so each is a range reduction plus a minimax polynomial (the Cephes single-precision
 * coefficients), branch-free so every lane takes the same path. Special values (NaN, +-Inf, 0,
 * denormals, overflow and underflow) fall out of the arithmetic or are patched with selects; the
 * tests compare every function against Math.* in ulps over wide ranges.
 */
#include "kernels.h"

#define SPLAT(v) wasm_f32x4_splat(v)

/* p * 2^k for integer lanes k in [-151, 129]: two power-of-two factors keep each one a normal
 * float, so overflow gives Inf and the denormal range rounds once, exactly like a scaled result. */
static inline v128_t scale_by_pow2(v128_t p, v128_t k) {
  v128_t half = wasm_i32x4_shr(k, 1);
  v128_t rest = wasm_i32x4_sub(k, half);
  v128_t bias = wasm_i32x4_splat(127);
  v128_t s1 = wasm_i32x4_shl(wasm_i32x4_add(half, bias), 23);
  v128_t s2 = wasm_i32x4_shl(wasm_i32x4_add(rest, bias), 23);
  return wasm_f32x4_mul(wasm_f32x4_mul(p, s1), s2);
}

v128_t vexp(v128_t x) {
  /* Beyond these the result is Inf or 0 anyway; clamping keeps k in scale_by_pow2's range.
   * f32x4.min/max propagate NaN, so NaN lanes stay NaN through the arithmetic. */
  x = wasm_f32x4_min(wasm_f32x4_max(x, SPLAT(-104.0f)), SPLAT(89.0f));
  v128_t kf = wasm_f32x4_nearest(wasm_f32x4_mul(x, SPLAT(1.44269504088896341f)));
  /* Cody-Waite: ln2 split so k * LN2_HI is exact and r = x - k ln2 keeps full precision. */
  v128_t r = wasm_f32x4_sub(x, wasm_f32x4_mul(kf, SPLAT(0.693359375f)));
  r = wasm_f32x4_sub(r, wasm_f32x4_mul(kf, SPLAT(-2.12194440e-4f)));
  v128_t r2 = wasm_f32x4_mul(r, r);
  v128_t p = SPLAT(1.9875691500e-4f);
  p = wasm_f32x4_add(wasm_f32x4_mul(p, r), SPLAT(1.3981999507e-3f));
  p = wasm_f32x4_add(wasm_f32x4_mul(p, r), SPLAT(8.3334519073e-3f));
  p = wasm_f32x4_add(wasm_f32x4_mul(p, r), SPLAT(4.1665795894e-2f));
  p = wasm_f32x4_add(wasm_f32x4_mul(p, r), SPLAT(1.6666665459e-1f));
  p = wasm_f32x4_add(wasm_f32x4_mul(p, r), SPLAT(5.0000001201e-1f));
  p = wasm_f32x4_add(wasm_f32x4_add(wasm_f32x4_mul(p, r2), r), SPLAT(1.0f));
  return scale_by_pow2(p, wasm_i32x4_trunc_sat_f32x4(kf));
}

v128_t vlog(v128_t x) {
  /* Denormals: scale into the normal range first and take the 2^23 back out of the exponent. */
  v128_t tiny = wasm_f32x4_lt(x, SPLAT(1.17549435e-38f));
  v128_t xs = wasm_v128_bitselect(wasm_f32x4_mul(x, SPLAT(8388608.0f)), x, tiny);
  v128_t bits = xs;
  v128_t e = wasm_i32x4_sub(wasm_u32x4_shr(bits, 23), wasm_i32x4_splat(126));
  e = wasm_i32x4_sub(e, wasm_v128_and(tiny, wasm_i32x4_splat(23)));
  /* Mantissa m in [0.5, 1); fold to [sqrt(0.5), sqrt(2)) so f = m - 1 is small. */
  v128_t m = wasm_v128_or(wasm_v128_and(bits, wasm_i32x4_splat(0x007fffff)), wasm_i32x4_splat(0x3f000000));
  v128_t small = wasm_f32x4_lt(m, SPLAT(0.707106781186547524f));
  e = wasm_i32x4_add(e, small); /* true lanes are -1 */
  v128_t f = wasm_f32x4_sub(wasm_f32x4_add(m, wasm_v128_and(small, m)), SPLAT(1.0f));
  v128_t ef = wasm_f32x4_convert_i32x4(e);
  v128_t z = wasm_f32x4_mul(f, f);
  v128_t y = SPLAT(7.0376836292e-2f);
  y = wasm_f32x4_add(wasm_f32x4_mul(y, f), SPLAT(-1.1514610310e-1f));
  y = wasm_f32x4_add(wasm_f32x4_mul(y, f), SPLAT(1.1676998740e-1f));
  y = wasm_f32x4_add(wasm_f32x4_mul(y, f), SPLAT(-1.2420140846e-1f));
  y = wasm_f32x4_add(wasm_f32x4_mul(y, f), SPLAT(1.4249322787e-1f));
  y = wasm_f32x4_add(wasm_f32x4_mul(y, f), SPLAT(-1.6668057665e-1f));
  y = wasm_f32x4_add(wasm_f32x4_mul(y, f), SPLAT(2.0000714765e-1f));
  y = wasm_f32x4_add(wasm_f32x4_mul(y, f), SPLAT(-2.4999993993e-1f));
  y = wasm_f32x4_add(wasm_f32x4_mul(y, f), SPLAT(3.3333331174e-1f));
  y = wasm_f32x4_mul(wasm_f32x4_mul(y, f), z);
  y = wasm_f32x4_add(y, wasm_f32x4_mul(ef, SPLAT(-2.12194440e-4f)));
  y = wasm_f32x4_sub(y, wasm_f32x4_mul(z, SPLAT(0.5f)));
  v128_t result = wasm_f32x4_add(wasm_f32x4_add(f, y), wasm_f32x4_mul(ef, SPLAT(0.693359375f)));
  /* log(0) = -Inf, log(x < 0) = NaN, log(+Inf) = +Inf, log(NaN) = NaN. */
  result = wasm_v128_bitselect(SPLAT(-__builtin_inff()), result, wasm_f32x4_eq(x, SPLAT(0.0f)));
  v128_t invalid = wasm_v128_or(wasm_f32x4_lt(x, SPLAT(0.0f)), wasm_f32x4_ne(x, x));
  result = wasm_v128_bitselect(SPLAT(__builtin_nanf("")), result, invalid);
  return wasm_v128_bitselect(x, result, wasm_f32x4_eq(x, SPLAT(__builtin_inff())));
}

v128_t vtanh(v128_t x) {
  v128_t ax = wasm_f32x4_abs(x);
  /* Small |x|: odd polynomial, exact at 0 and keeps -0. */
  v128_t s = wasm_f32x4_mul(x, x);
  v128_t p = SPLAT(-5.70498872745e-3f);
  p = wasm_f32x4_add(wasm_f32x4_mul(p, s), SPLAT(2.06390887954e-2f));
  p = wasm_f32x4_add(wasm_f32x4_mul(p, s), SPLAT(-5.37397155531e-2f));
  p = wasm_f32x4_add(wasm_f32x4_mul(p, s), SPLAT(1.33314422036e-1f));
  p = wasm_f32x4_add(wasm_f32x4_mul(p, s), SPLAT(-3.33332819422e-1f));
  v128_t near = wasm_f32x4_add(wasm_f32x4_mul(wasm_f32x4_mul(p, s), x), x);
  /* Larger |x|: 1 - 2 / (exp(2|x|) + 1), which saturates to 1 (exp overflows to Inf) without NaN. */
  v128_t e = vexp(wasm_f32x4_add(ax, ax));
  v128_t far = wasm_f32x4_sub(SPLAT(1.0f), wasm_f32x4_div(SPLAT(2.0f), wasm_f32x4_add(e, SPLAT(1.0f))));
  far = wasm_v128_or(far, wasm_v128_and(x, wasm_i32x4_splat((i32)0x80000000))); /* copy the sign */
  v128_t result = wasm_v128_bitselect(near, far, wasm_f32x4_lt(ax, SPLAT(0.625f)));
  return wasm_v128_bitselect(x, result, wasm_f32x4_ne(x, x)); /* NaN stays NaN */
}

v128_t vsigmoid(v128_t x) {
  /* The cpu backend's formulation: e = exp(-|x|) never overflows; r = 1 / (1 + e) is sigmoid(|x|),
   * and e * r is sigmoid(-|x|). NaN lanes fail `x >= 0` and take e * r, which is NaN. */
  v128_t e = vexp(wasm_f32x4_neg(wasm_f32x4_abs(x)));
  v128_t r = wasm_f32x4_div(SPLAT(1.0f), wasm_f32x4_add(SPLAT(1.0f), e));
  return wasm_v128_bitselect(r, wasm_f32x4_mul(e, r), wasm_f32x4_ge(x, SPLAT(0.0f)));
}
