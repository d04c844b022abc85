/*
 * Double-precision exp and log (scalar), used where the cpu backend computes in double and rounds
 * once to float32: `pow`, and the log of a softmax row sum. Errors are ~1e-16 relative, far below a
 * float32 ulp, so the float32 results match Math.pow / Math.log after rounding up to a tie.
 */
#include "kernels.h"

#define LN2_HI 6.93147180369123816490e-01 /* high bits of ln 2: k * LN2_HI is exact for |k| < 2^20 */
#define LN2_LO 1.90821492927058770002e-10

/* x * 2^k for k in [-2100, 2100], in two steps so neither factor overflows or goes denormal. */
static f64 ldexp64(f64 x, i32 k) {
  while (k > 1000) { x *= 0x1p1000; k -= 1000; }
  while (k < -1000) { x *= 0x1p-1000; k += 1000; }
  i32 half = k / 2;
  x *= bits_f64((u64)(half + 1023) << 52);
  return x * bits_f64((u64)(k - half + 1023) << 52);
}

f64 exp64(f64 x) {
  if (x != x) return x;
  if (x > 709.8) return __builtin_inf();
  if (x < -745.2) return 0.0;
  f64 k = __builtin_rint(x * 1.44269504088896340736);
  f64 r = (x - k * LN2_HI) - k * LN2_LO;
  /* Taylor series to r^14 on |r| <= ln2/2: truncation error < 5e-18. */
  f64 p = 1.0 / 87178291200.0;
  p = p * r + 1.0 / 6227020800.0;
  p = p * r + 1.0 / 479001600.0;
  p = p * r + 1.0 / 39916800.0;
  p = p * r + 1.0 / 3628800.0;
  p = p * r + 1.0 / 362880.0;
  p = p * r + 1.0 / 40320.0;
  p = p * r + 1.0 / 5040.0;
  p = p * r + 1.0 / 720.0;
  p = p * r + 1.0 / 120.0;
  p = p * r + 1.0 / 24.0;
  p = p * r + 1.0 / 6.0;
  p = p * r + 0.5;
  p = p * r + 1.0;
  p = p * r + 1.0;
  return ldexp64(p, (i32)k);
}

f64 log64(f64 x) {
  if (x != x || x < 0) return __builtin_nan("");
  if (x == 0) return -__builtin_inf();
  if (x == __builtin_inf()) return x;
  i32 e = 0;
  if (x < 0x1p-1022) { x *= 0x1p54; e = -54; } /* denormal: normalize first */
  u64 bits = f64_bits(x);
  e += (i32)(bits >> 52) - 1023;
  f64 m = bits_f64((bits & 0x000fffffffffffffULL) | 0x3ff0000000000000ULL); /* [1, 2) */
  if (m > 1.41421356237309504880) { m *= 0.5; e += 1; }
  /* log(m) = 2 atanh(s), s = (m - 1) / (m + 1), |s| <= 0.1716: the odd series to s^23. */
  f64 s = (m - 1.0) / (m + 1.0);
  f64 s2 = s * s;
  f64 p = 1.0 / 23;
  p = p * s2 + 1.0 / 21;
  p = p * s2 + 1.0 / 19;
  p = p * s2 + 1.0 / 17;
  p = p * s2 + 1.0 / 15;
  p = p * s2 + 1.0 / 13;
  p = p * s2 + 1.0 / 11;
  p = p * s2 + 1.0 / 9;
  p = p * s2 + 1.0 / 7;
  p = p * s2 + 1.0 / 5;
  p = p * s2 + 1.0 / 3;
  f64 logm = 2.0 * s + 2.0 * s * s2 * p;
  return (e * LN2_LO + logm) + e * LN2_HI;
}

static int is_integer(f64 b) { return __builtin_trunc(b) == b; }
static int is_odd_integer(f64 b) {
  /* Above 2^53 every double is even. */
  return is_integer(b) && __builtin_fabs(b) < 9007199254740992.0 && __builtin_trunc(b * 0.5) * 2.0 != b;
}

/* ECMAScript's Number::exponentiate (Math.pow), special cases included. */
f64 pow_js(f64 a, f64 b) {
  if (b != b) return b;
  if (b == 0) return 1.0;
  if (a != a) return a;
  f64 absA = __builtin_fabs(a);
  if (__builtin_fabs(b) == __builtin_inf()) {
    if (absA == 1.0) return __builtin_nan("");
    return (absA > 1.0) == (b > 0) ? __builtin_inf() : 0.0;
  }
  int negate = a < 0 && is_odd_integer(b);
  if (a == 0 || absA == __builtin_inf()) {
    /* |a| is 0 or Inf: the magnitude is 0 or Inf, the sign comes from a for odd integer b. */
    int big = (absA == 0) == (b < 0);
    f64 magnitude = big ? __builtin_inf() : 0.0;
    return negate || (__builtin_signbit(a) && is_odd_integer(b)) ? -magnitude : magnitude;
  }
  if (a < 0 && !is_integer(b)) return __builtin_nan("");
  f64 magnitude = exp64(b * log64(absA));
  return negate ? -magnitude : magnitude;
}
