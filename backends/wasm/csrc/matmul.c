/*
 * Batched matmul, GotoBLAS style. For each (NC columns, KC depth) block, op(B) is packed into
 * NR-wide column panels and each MC-row block of op(A) into MR-tall row panels; the micro-kernel
 * then streams both panels from L1 with f32x4 vectors, keeping its accumulators in registers.
 * Packing reads through (row, depth) strides and turns 4x4 blocks with shuffles, so every transpose
 * combination is packed at vector speed and then runs the very same kernel.
 *
 * The tile depends on the build (x64 V8 has 16 xmm registers, one of them its scratch):
 * - relaxed (MADD is one fused relaxed_madd, no temporary): 3x12, 9 accumulators + 3 B vectors +
 *   1 A splat; per depth step 6 loads feed 9 multiply-adds (4x8: 6 for 8). Kernels are functions of
 *   their own: inlined into the blocking loops V8 spilled the tile. The kernel alone over L1-resident
 *   panels, per CPU-second on the 2-core EPYC (loaded, so +-10%): 3x12 52-56 GFLOP/s, the relaxed
 *   4x8 40-47; a whole 1024^3 on one thread ran at 43-46 with either tile, within that noise.
 * - SIMD128 (MADD is a mul and an add): 4x8, 8 accumulators. 3x12 there ran 10-90% slower (the mul
 *   needs a temporary), as 5x8, 6x8, 8x4 and 4x12 spill; 2x16 ties it.
 *
 * Products at most 16 columns wide (the seed's [100,784]x[784,10] and its weight gradient) run
 * matmul-narrow.c's unpacked kernels instead. A last column block of at most 16 columns (of a wider
 * product) reads A in place instead of packing it, and a last panel of at most 4 columns runs a
 * narrow MRx4 kernel.
 *
 * Threads: matmul_f32_rows computes any range of the output's rows (over batch x m) with packing
 * buffers the caller names, so worker instances over the same shared memory each take a range with
 * their own workspace. Every output element is computed by the same sequence of operations wherever
 * the range boundaries fall (a ragged panel is packed, but the packed and in-place kernels perform
 * the same multiplies and adds in the same order), so results are bitwise identical for any split.
 */
#include "kernels.h"

#ifdef TINYFLOW_RELAXED_SIMD
#define MR 3
#define NR 12
#define MC 144
#define NC 1032
#else
#define MR 4
#define NR 8
#define MC 128
#define NC 1024
#endif
#define KC 256
/* The last panel of a product whose width leaves at most this many columns runs the narrow kernel. */
#define NARROW 4
/* Up to this many columns, A panels are read in place rather than packed (see micro_kernel_direct). */
#define SKINNY_N 16

/* The calling thread's packing buffers; workers pass their own (matmul_workspace_bytes each). The
 * A buffer has a cache line of slack: the 3-row pack_a's 4-lane stores run one float past a panel. */
#define PACK_A_FLOATS (MC * KC + 16)
#define PACK_B_FLOATS (KC * NC)
static f32 mainWorkspace[PACK_A_FLOATS + PACK_B_FLOATS] __attribute__((aligned(64)));

/* A strided view of a matrix: element (r, c) is at base[r * rowStride + c * colStride]. */
typedef struct {
  const f32* base;
  i32 rowStride;
  i32 colStride;
} View;

INLINE const f32* at(View v, u32 r, u32 c) { return v.base + (i64)r * v.rowStride + (i64)c * v.colStride; }

/* Four vectors holding rows 0..3 of a 4x4 block become its four columns. */
#define TRANSPOSE4(x0, x1, x2, x3)                                    \
  do {                                                                \
    v128_t t0 = wasm_i32x4_shuffle(x0, x1, 0, 4, 1, 5);               \
    v128_t t1 = wasm_i32x4_shuffle(x0, x1, 2, 6, 3, 7);               \
    v128_t t2 = wasm_i32x4_shuffle(x2, x3, 0, 4, 1, 5);               \
    v128_t t3 = wasm_i32x4_shuffle(x2, x3, 2, 6, 3, 7);               \
    x0 = wasm_i32x4_shuffle(t0, t2, 0, 1, 4, 5);                      \
    x1 = wasm_i32x4_shuffle(t0, t2, 2, 3, 6, 7);                      \
    x2 = wasm_i32x4_shuffle(t1, t3, 0, 1, 4, 5);                      \
    x3 = wasm_i32x4_shuffle(t1, t3, 2, 3, 6, 7);                      \
  } while (0)

#if MR == 3
/* ---- the relaxed build's 3x12 tile ---- */

/*
 * packedA[panel][p][r] = op(A)(i0 + panel * MR + r, p0 + p), zero past the last row. A depth's 3
 * rows are written as a 4-lane store whose last lane the next store overwrites (hence the slack).
 */
static void pack_a(View a, u32 i0, u32 mc, u32 p0, u32 kc, f32* dst) {
  for (u32 i = 0; i < mc; i += MR) {
    const u32 height = mc - i < MR ? mc - i : MR;
    if (height == MR && a.colStride == 1) {
      /* Rows are contiguous along the depth: read 4 depths of 3 rows, transpose, store. */
      const f32* r0 = at(a, i0 + i, p0);
      const f32* r1 = r0 + a.rowStride;
      const f32* r2 = r1 + a.rowStride;
      u32 p = 0;
      for (; p + 4 <= kc; p += 4, dst += 4 * MR) {
        v128_t x0 = wasm_v128_load(r0 + p), x1 = wasm_v128_load(r1 + p), x2 = wasm_v128_load(r2 + p);
        v128_t x3 = x2;
        TRANSPOSE4(x0, x1, x2, x3);
        wasm_v128_store(dst, x0);
        wasm_v128_store(dst + MR, x1);
        wasm_v128_store(dst + 2 * MR, x2);
        wasm_v128_store(dst + 3 * MR, x3);
      }
      for (; p < kc; p++, dst += MR) {
        dst[0] = r0[p];
        dst[1] = r1[p];
        dst[2] = r2[p];
      }
    } else if (height == MR && a.rowStride == 1) {
      /* Transposed A: the 3 rows at one depth are adjacent (read as 2 + 1: nothing past row 3). */
      for (u32 p = 0; p < kc; p++, dst += MR) {
        const f32* src = at(a, i0 + i, p0 + p);
        wasm_v128_store(dst, wasm_v128_load32_lane(src + 2, wasm_v128_load64_zero(src), 2));
      }
    } else {
      for (u32 p = 0; p < kc; p++, dst += MR) {
        for (u32 r = 0; r < MR; r++) dst[r] = r < height ? *at(a, i0 + i + r, p0 + p) : 0.0f;
      }
    }
  }
}

/* packedB[panel][p][c] = op(B)(p0 + p, j0 + panel * NR + c), zero past the last column. */
static void pack_b(View b, u32 p0, u32 kc, u32 j0, u32 nc, f32* dst) {
  for (u32 j = 0; j < nc; j += NR) {
    const u32 width = nc - j < NR ? nc - j : NR;
    if (width == NR && b.colStride == 1) {
      for (u32 p = 0; p < kc; p++, dst += NR) {
        const f32* src = at(b, p0 + p, j0 + j);
        wasm_v128_store(dst, wasm_v128_load(src));
        wasm_v128_store(dst + 4, wasm_v128_load(src + 4));
        wasm_v128_store(dst + 8, wasm_v128_load(src + 8));
      }
    } else if (width == NR && b.rowStride == 1) {
      /* Transposed B: each column is contiguous along the depth; turn three 4x4 blocks per 4 depths. */
      const f32* c0 = at(b, p0, j0 + j);
      const i32 cs = b.colStride;
      u32 p = 0;
      for (; p + 4 <= kc; p += 4, dst += 4 * NR) {
        v128_t x0 = wasm_v128_load(c0 + p), x1 = wasm_v128_load(c0 + cs + p);
        v128_t x2 = wasm_v128_load(c0 + 2 * cs + p), x3 = wasm_v128_load(c0 + 3 * cs + p);
        v128_t y0 = wasm_v128_load(c0 + 4 * cs + p), y1 = wasm_v128_load(c0 + 5 * cs + p);
        v128_t y2 = wasm_v128_load(c0 + 6 * cs + p), y3 = wasm_v128_load(c0 + 7 * cs + p);
        v128_t z0 = wasm_v128_load(c0 + 8 * cs + p), z1 = wasm_v128_load(c0 + 9 * cs + p);
        v128_t z2 = wasm_v128_load(c0 + 10 * cs + p), z3 = wasm_v128_load(c0 + 11 * cs + p);
        TRANSPOSE4(x0, x1, x2, x3);
        TRANSPOSE4(y0, y1, y2, y3);
        TRANSPOSE4(z0, z1, z2, z3);
        wasm_v128_store(dst, x0);
        wasm_v128_store(dst + 4, y0);
        wasm_v128_store(dst + 8, z0);
        wasm_v128_store(dst + 12, x1);
        wasm_v128_store(dst + 16, y1);
        wasm_v128_store(dst + 20, z1);
        wasm_v128_store(dst + 24, x2);
        wasm_v128_store(dst + 28, y2);
        wasm_v128_store(dst + 32, z2);
        wasm_v128_store(dst + 36, x3);
        wasm_v128_store(dst + 40, y3);
        wasm_v128_store(dst + 44, z3);
      }
      for (; p < kc; p++, dst += NR) {
        for (u32 c = 0; c < NR; c++) dst[c] = c0[(i64)c * cs + p];
      }
    } else {
      /* A ragged last panel of at most NARROW columns is packed NARROW wide for the narrow kernel. */
      const u32 panel = width <= NARROW ? NARROW : NR;
      for (u32 p = 0; p < kc; p++, dst += panel) {
        for (u32 c = 0; c < panel; c++) dst[c] = c < width ? *at(b, p0 + p, j0 + j + c) : 0.0f;
      }
    }
  }
}

#define ROW_STORE(r)                                                         \
  {                                                                          \
    f32* o = c + r * ldc;                                                    \
    v128_t v0 = c##r##0, v1 = c##r##1, v2 = c##r##2;                         \
    if (accumulate) {                                                        \
      v0 = wasm_f32x4_add(v0, wasm_v128_load(o));                            \
      v1 = wasm_f32x4_add(v1, wasm_v128_load(o + 4));                        \
      v2 = wasm_f32x4_add(v2, wasm_v128_load(o + 8));                        \
    }                                                                        \
    wasm_v128_store(o, v0);                                                  \
    wasm_v128_store(o + 4, v1);                                              \
    wasm_v128_store(o + 8, v2);                                              \
  }

/*
 * C (MR x NR at c, row stride ldc) = or += op(A) rows x packed B panel over kc depths. Rows r0..r2
 * advance by `ds` floats a depth: a packed A panel is {pa, pa + 1, pa + 2} with ds = MR, and skinny
 * products pass the operand's own rows and depth stride (reading A in place).
 */
INLINE void kernel_3x12(const f32* r0, const f32* r1, const f32* r2, i32 ds, const f32* pb, u32 kc, f32* c, u32 ldc,
                        int accumulate) {
  v128_t c00 = wasm_f32x4_splat(0.0f), c01 = c00, c02 = c00, c10 = c00, c11 = c00, c12 = c00;
  v128_t c20 = c00, c21 = c00, c22 = c00;
  for (u32 p = 0; p < kc; p++, r0 += ds, r1 += ds, r2 += ds, pb += NR) {
    const v128_t b0 = wasm_v128_load(pb), b1 = wasm_v128_load(pb + 4), b2 = wasm_v128_load(pb + 8);
    v128_t av = wasm_v128_load32_splat(r0);
    c00 = MADD(av, b0, c00);
    c01 = MADD(av, b1, c01);
    c02 = MADD(av, b2, c02);
    av = wasm_v128_load32_splat(r1);
    c10 = MADD(av, b0, c10);
    c11 = MADD(av, b1, c11);
    c12 = MADD(av, b2, c12);
    av = wasm_v128_load32_splat(r2);
    c20 = MADD(av, b0, c20);
    c21 = MADD(av, b1, c21);
    c22 = MADD(av, b2, c22);
  }
  ROW_STORE(0)
  ROW_STORE(1)
  ROW_STORE(2)
}

/*
 * The kernels stay functions of their own (NOINLINE): inlined into the blocking loops, V8's register
 * allocator spilled accumulators of the 3x12 tile (the SIMD128 build ran at half speed).
 */
#define NOINLINE static __attribute__((noinline))

/* The packed-panel kernel. */
NOINLINE void micro_kernel(const f32* pa, const f32* pb, u32 kc, f32* c, u32 ldc, int accumulate) {
  kernel_3x12(pa, pa + 1, pa + 2, MR, pb, kc, c, ldc, accumulate);
}

/* The in-place kernel for skinny products: each A panel is used once or twice, so packing it would cost as much as the multiply. */
NOINLINE void micro_kernel_direct(View a, u32 i, u32 p0, const f32* pb, u32 kc, f32* c, u32 ldc, int accumulate) {
  const f32* r0 = at(a, i, p0);
  kernel_3x12(r0, r0 + a.rowStride, r0 + 2 * a.rowStride, a.colStride, pb, kc, c, ldc, accumulate);
}

/*
 * The 3x4 kernel for a last panel of at most NARROW columns (n = 16 is 12 + 4: a 12-wide panel
 * would waste a third). It reads A(i + r, p0 + p) through a view: the packed panel is the view
 * {panel, 1, MR}, and skinny products pass the operand itself.
 */
NOINLINE void micro_kernel_narrow(View a, u32 i, u32 p0, const f32* pb, u32 kc, f32* c, u32 ldc, int accumulate) {
  const f32* r0 = at(a, i, p0);
  const f32* r1 = r0 + a.rowStride;
  const f32* r2 = r1 + a.rowStride;
  const i32 ds = a.colStride;
  v128_t c00 = wasm_f32x4_splat(0.0f), c10 = c00, c20 = c00;
  for (u32 p = 0; p < kc; p++, r0 += ds, r1 += ds, r2 += ds, pb += NARROW) {
    const v128_t b0 = wasm_v128_load(pb);
    c00 = MADD(wasm_v128_load32_splat(r0), b0, c00);
    c10 = MADD(wasm_v128_load32_splat(r1), b0, c10);
    c20 = MADD(wasm_v128_load32_splat(r2), b0, c20);
  }
  const v128_t rows[MR] = {c00, c10, c20};
  for (u32 r = 0; r < MR; r++) {
    f32* o = c + r * ldc;
    wasm_v128_store(o, accumulate ? wasm_f32x4_add(rows[r], wasm_v128_load(o)) : rows[r]);
  }
}

#else
/* ---- the SIMD128 build's 4x8 tile ---- */

/* packedA[panel][p][r] = op(A)(i0 + panel * MR + r, p0 + p), zero past the last row. */
static void pack_a(View a, u32 i0, u32 mc, u32 p0, u32 kc, f32* dst) {
  for (u32 i = 0; i < mc; i += MR) {
    const u32 height = mc - i < MR ? mc - i : MR;
    if (height == MR && a.colStride == 1) {
      /* Rows are contiguous along the depth: read 4 depths of 4 rows, transpose, store. */
      const f32* r0 = at(a, i0 + i, p0);
      const f32* r1 = r0 + a.rowStride;
      const f32* r2 = r1 + a.rowStride;
      const f32* r3 = r2 + a.rowStride;
      u32 p = 0;
      for (; p + 4 <= kc; p += 4, dst += 16) {
        v128_t x0 = wasm_v128_load(r0 + p), x1 = wasm_v128_load(r1 + p);
        v128_t x2 = wasm_v128_load(r2 + p), x3 = wasm_v128_load(r3 + p);
        TRANSPOSE4(x0, x1, x2, x3);
        wasm_v128_store(dst, x0);
        wasm_v128_store(dst + 4, x1);
        wasm_v128_store(dst + 8, x2);
        wasm_v128_store(dst + 12, x3);
      }
      for (; p < kc; p++, dst += 4) {
        dst[0] = r0[p];
        dst[1] = r1[p];
        dst[2] = r2[p];
        dst[3] = r3[p];
      }
    } else if (height == MR && a.rowStride == 1) {
      /* Transposed A: the 4 rows at one depth are adjacent. */
      for (u32 p = 0; p < kc; p++, dst += 4) wasm_v128_store(dst, wasm_v128_load(at(a, i0 + i, p0 + p)));
    } else {
      for (u32 p = 0; p < kc; p++, dst += 4) {
        for (u32 r = 0; r < MR; r++) dst[r] = r < height ? *at(a, i0 + i + r, p0 + p) : 0.0f;
      }
    }
  }
}

/* packedB[panel][p][c] = op(B)(p0 + p, j0 + panel * NR + c), zero past the last column. */
static void pack_b(View b, u32 p0, u32 kc, u32 j0, u32 nc, f32* dst) {
  for (u32 j = 0; j < nc; j += NR) {
    const u32 width = nc - j < NR ? nc - j : NR;
    if (width == NR && b.colStride == 1) {
      for (u32 p = 0; p < kc; p++, dst += NR) {
        const f32* src = at(b, p0 + p, j0 + j);
        wasm_v128_store(dst, wasm_v128_load(src));
        wasm_v128_store(dst + 4, wasm_v128_load(src + 4));
      }
    } else if (width == NR && b.rowStride == 1) {
      /* Transposed B: each column is contiguous along the depth; turn two 4x4 blocks per 4 depths. */
      const f32* c0 = at(b, p0, j0 + j);
      const i32 cs = b.colStride;
      u32 p = 0;
      for (; p + 4 <= kc; p += 4, dst += 4 * NR) {
        v128_t x0 = wasm_v128_load(c0 + p), x1 = wasm_v128_load(c0 + cs + p);
        v128_t x2 = wasm_v128_load(c0 + 2 * cs + p), x3 = wasm_v128_load(c0 + 3 * cs + p);
        v128_t y0 = wasm_v128_load(c0 + 4 * cs + p), y1 = wasm_v128_load(c0 + 5 * cs + p);
        v128_t y2 = wasm_v128_load(c0 + 6 * cs + p), y3 = wasm_v128_load(c0 + 7 * cs + p);
        TRANSPOSE4(x0, x1, x2, x3);
        TRANSPOSE4(y0, y1, y2, y3);
        wasm_v128_store(dst, x0);
        wasm_v128_store(dst + 4, y0);
        wasm_v128_store(dst + 8, x1);
        wasm_v128_store(dst + 12, y1);
        wasm_v128_store(dst + 16, x2);
        wasm_v128_store(dst + 20, y2);
        wasm_v128_store(dst + 24, x3);
        wasm_v128_store(dst + 28, y3);
      }
      for (; p < kc; p++, dst += NR) {
        for (u32 c = 0; c < NR; c++) dst[c] = c0[(i64)c * cs + p];
      }
    } else {
      /* A ragged last panel of at most NARROW columns is packed NARROW wide for the narrow kernel. */
      const u32 panel = width <= NARROW ? NARROW : NR;
      for (u32 p = 0; p < kc; p++, dst += panel) {
        for (u32 c = 0; c < panel; c++) dst[c] = c < width ? *at(b, p0 + p, j0 + j + c) : 0.0f;
      }
    }
  }
}

#define ROW_UPDATE(r)                                                        \
  {                                                                          \
    const v128_t av = wasm_v128_load32_splat(pa + r);                        \
    c##r##0 = MADD(av, b0, c##r##0);                                         \
    c##r##1 = MADD(av, b1, c##r##1);                                         \
  }
#define ROW_STORE(r)                                                         \
  {                                                                          \
    f32* o = c + r * ldc;                                                    \
    v128_t v0 = c##r##0, v1 = c##r##1;                                       \
    if (accumulate) {                                                        \
      v0 = wasm_f32x4_add(v0, wasm_v128_load(o));                            \
      v1 = wasm_f32x4_add(v1, wasm_v128_load(o + 4));                        \
    }                                                                        \
    wasm_v128_store(o, v0);                                                  \
    wasm_v128_store(o + 4, v1);                                              \
  }

/* C (MR x NR at c, row stride ldc) = or += packed A panel x packed B panel over kc depths. */
static void micro_kernel(const f32* pa, const f32* pb, u32 kc, f32* c, u32 ldc, int accumulate) {
  v128_t c00 = wasm_f32x4_splat(0.0f), c01 = c00, c10 = c00, c11 = c00;
  v128_t c20 = c00, c21 = c00, c30 = c00, c31 = c00;
  for (u32 p = 0; p < kc; p++, pa += MR, pb += NR) {
    const v128_t b0 = wasm_v128_load(pb), b1 = wasm_v128_load(pb + 4);
    ROW_UPDATE(0)
    ROW_UPDATE(1)
    ROW_UPDATE(2)
    ROW_UPDATE(3)
  }
  ROW_STORE(0)
  ROW_STORE(1)
  ROW_STORE(2)
  ROW_STORE(3)
}

/*
 * The 4x4 kernel for a last panel of at most 4 columns (n = 10 is 8 + 2: a third less wasted work
 * than 8 + 8). It reads A(i + r, p0 + p) through a view: the packed panel is the view
 * {panel, 1, MR}, and skinny products pass the operand itself.
 */
static void micro_kernel_narrow(View a, u32 i, u32 p0, const f32* pb, u32 kc, f32* c, u32 ldc, int accumulate) {
  const f32* r0 = at(a, i, p0);
  const f32* r1 = r0 + a.rowStride;
  const f32* r2 = r1 + a.rowStride;
  const f32* r3 = r2 + a.rowStride;
  const i32 ds = a.colStride;
  v128_t c00 = wasm_f32x4_splat(0.0f), c10 = c00, c20 = c00, c30 = c00;
  for (u32 p = 0; p < kc; p++, r0 += ds, r1 += ds, r2 += ds, r3 += ds, pb += NARROW) {
    const v128_t b0 = wasm_v128_load(pb);
    c00 = MADD(wasm_v128_load32_splat(r0), b0, c00);
    c10 = MADD(wasm_v128_load32_splat(r1), b0, c10);
    c20 = MADD(wasm_v128_load32_splat(r2), b0, c20);
    c30 = MADD(wasm_v128_load32_splat(r3), b0, c30);
  }
  const v128_t rows[4] = {c00, c10, c20, c30};
  for (u32 r = 0; r < MR; r++) {
    f32* o = c + r * ldc;
    wasm_v128_store(o, accumulate ? wasm_f32x4_add(rows[r], wasm_v128_load(o)) : rows[r]);
  }
}

/*
 * The 4x8 kernel reading op(A) in place instead of from a packed panel: for skinny products
 * (n <= 16, as in the seed's [100,784]x[784,10]) each A panel is used once or twice, so packing it
 * would cost as much as the multiply. Rows r0..r3 advance by the depth stride.
 */
static void micro_kernel_direct(View a, u32 i, u32 p0, const f32* pb, u32 kc, f32* c, u32 ldc, int accumulate) {
  const f32* r0 = at(a, i, p0);
  const f32* r1 = r0 + a.rowStride;
  const f32* r2 = r1 + a.rowStride;
  const f32* r3 = r2 + a.rowStride;
  const i32 ds = a.colStride;
  v128_t c00 = wasm_f32x4_splat(0.0f), c01 = c00, c10 = c00, c11 = c00;
  v128_t c20 = c00, c21 = c00, c30 = c00, c31 = c00;
  for (u32 p = 0; p < kc; p++, r0 += ds, r1 += ds, r2 += ds, r3 += ds, pb += NR) {
    const v128_t b0 = wasm_v128_load(pb), b1 = wasm_v128_load(pb + 4);
    v128_t av = wasm_v128_load32_splat(r0);
    c00 = MADD(av, b0, c00);
    c01 = MADD(av, b1, c01);
    av = wasm_v128_load32_splat(r1);
    c10 = MADD(av, b0, c10);
    c11 = MADD(av, b1, c11);
    av = wasm_v128_load32_splat(r2);
    c20 = MADD(av, b0, c20);
    c21 = MADD(av, b1, c21);
    av = wasm_v128_load32_splat(r3);
    c30 = MADD(av, b0, c30);
    c31 = MADD(av, b1, c31);
  }
  ROW_STORE(0)
  ROW_STORE(1)
  ROW_STORE(2)
  ROW_STORE(3)
}
#endif

/*
 * C[mc x nc] (+)= op(A) block x packedB, one MR x NR register tile at a time. The A rows come from
 * packedA, or straight from `a` (rows i0.. at depth p0) when `directA`; edge tiles go through a
 * scratch tile so nothing past row m or column n is ever written.
 */
static void multiply_panels(const f32* packedA, const f32* packedB, View a, u32 i0, u32 p0, int directA, f32* c, u32 ldc,
                            u32 mc, u32 nc, u32 kc, int accumulate) {
  f32 tile[MR * NR] __attribute__((aligned(16)));
  for (u32 j = 0; j < nc; j += NR) {
    const u32 cols = nc - j < NR ? nc - j : NR;
    const int narrow = cols <= NARROW;
    const f32* pb = packedB + (u64)j * kc;
    for (u32 i = 0; i < mc; i += MR) {
      const u32 rows = mc - i < MR ? mc - i : MR;
      const f32* pa = packedA + (u64)i * kc;
      /* Full-height panels of a skinny product read A in place; ragged rows are always packed. */
      const int inPlace = directA && rows == MR;
      const View source = inPlace ? a : (View){pa, 1, MR};
      const u32 row = inPlace ? i0 + i : 0, depth = inPlace ? p0 : 0;
      /* Edge tiles are computed into `tile` so nothing past row m or column n is ever written. */
      const int full = rows == MR && (cols == NR || (narrow && cols == NARROW));
      f32* out = c + (u64)i * ldc + j;
      f32* target = full ? out : tile;
      const u32 ld = full ? ldc : NR;
      const int add = full && accumulate;
      if (narrow) micro_kernel_narrow(source, row, depth, pb, kc, target, ld, add);
      else if (inPlace) micro_kernel_direct(a, row, depth, pb, kc, target, ld, add);
      else micro_kernel(pa, pb, kc, target, ld, add);
      if (full) continue;
      for (u32 r = 0; r < rows; r++) {
        f32* orow = out + (u64)r * ldc;
        if (accumulate) for (u32 q = 0; q < cols; q++) orow[q] += tile[r * NR + q];
        else for (u32 q = 0; q < cols; q++) orow[q] = tile[r * NR + q];
      }
    }
  }
}

/* One product out (m x n, contiguous) = op(A) (m x k) x op(B) (k x n). With bPacked, packedB already
 * holds op(B) as one block (n <= NC, k <= KC), packed for an earlier batch entry. */
static void gemm(f32* packedA, f32* packedB, View a, View b, f32* out, u32 m, u32 n, u32 k, u32 depthBlock, int bPacked) {
  for (u32 jc = 0; jc < n; jc += NC) {
    const u32 nc = n - jc < NC ? n - jc : NC;
    for (u32 pc = 0; pc < k; pc += depthBlock) {
      const u32 kc = k - pc < depthBlock ? k - pc : depthBlock;
      if (!bPacked) pack_b(b, pc, kc, jc, nc, packedB);
      for (u32 ic = 0; ic < m; ic += MC) {
        const u32 mc = m - ic < MC ? m - ic : MC;
        /* Skinny products read full A panels in place; only a ragged last panel is packed. */
        const int directA = nc <= SKINNY_N;
        const u32 packFrom = directA ? mc - mc % MR : 0;
        if (packFrom < mc) pack_a(a, ic + packFrom, mc - packFrom, pc, kc, packedA + (u64)packFrom * kc);
        multiply_panels(packedA, packedB, a, ic, pc, directA, out + (u64)ic * n + jc, n, mc, nc, kc, pc > 0);
      }
    }
  }
}

/* Bytes of packing space one thread needs (64-byte aligned). */
EXPORT(matmul_workspace_bytes)
u32 matmul_workspace_bytes(void) { return (PACK_A_FLOATS + PACK_B_FLOATS) * 4; }

/*
 * Rows [rowBegin, rowEnd) of the batched product, counting rows over batch x m (row r is row r % m
 * of batch entry r / m), packing into `workspace` (matmul_workspace_bytes, 64-byte aligned; 0 for
 * the calling thread's own). A range may start and end anywhere, also inside a batch entry.
 */
EXPORT(matmul_f32_rows)
void matmul_f32_rows(const f32* a, const f32* b, f32* out, u32 m, u32 n, u32 k, u32 transposeA, u32 transposeB,
                     u32 aBatchStride, u32 bBatchStride, u32 rowBegin, u32 rowEnd, f32* workspace) {
  if (rowBegin >= rowEnd || m == 0 || n == 0) return;
  if (k == 0) {
    __builtin_memset(out + (u64)rowBegin * n, 0, (u64)(rowEnd - rowBegin) * n * 4);
    return;
  }
  f32* packedA = workspace ? workspace : mainWorkspace;
  f32* packedB = packedA + PACK_A_FLOATS;
  if (n <= NARROW_MAX_N) {
    matmul_narrow_rows(a, b, out, m, n, k, transposeA, transposeB, aBatchStride, bBatchStride, rowBegin, rowEnd, 0, 0, 0,
                       packedB);
    return;
  }
  /* Equal depth blocks: k = 784 runs as 4 x 196 rather than 3 x 256 + 16. */
  const u32 blocks = (k + KC - 1) / KC;
  const u32 depthBlock = (k + blocks - 1) / blocks;
  /* op(A)(i, p) and op(B)(p, j) as strided views of the stored matrices. */
  View av = {a, transposeA ? 1 : (i32)k, transposeA ? (i32)m : 1};
  View bv = {b, transposeB ? 1 : (i32)n, transposeB ? (i32)k : 1};
  /* A batch-broadcast B that fits one block is packed once for the whole range. */
  const int packBOnce = bBatchStride == 0 && n <= NC && k <= depthBlock;
  if (packBOnce) pack_b(bv, 0, k, 0, n, packedB);
  for (u32 t = rowBegin / m; (u64)t * m < rowEnd; t++) {
    const u64 entryStart = (u64)t * m;
    const u32 first = rowBegin > entryStart ? (u32)(rowBegin - entryStart) : 0;
    const u32 last = (u64)rowEnd < entryStart + m ? (u32)(rowEnd - entryStart) : m;
    /* Starting at row `first` of op(A) is moving its base by `first` rows; the strides stay. */
    View at_ = {a + (u64)t * aBatchStride + (i64)first * av.rowStride, av.rowStride, av.colStride};
    View bt = {b + (u64)t * bBatchStride, bv.rowStride, bv.colStride};
    gemm(packedA, packedB, at_, bt, out + (entryStart + first) * n, last - first, n, k, depthBlock, packBOnce);
  }
}

EXPORT(matmul_f32)
void matmul_f32(const f32* a, const f32* b, f32* out, u32 batch, u32 m, u32 n, u32 k, u32 transposeA,
                u32 transposeB, u32 aBatchStride, u32 bBatchStride) {
  matmul_f32_rows(a, b, out, m, n, k, transposeA, transposeB, aBatchStride, bBatchStride, 0, batch * m, 0);
}

/*
 * matmul_f32 followed by matmul_epilogue (+ bias, then relu) on the calling thread. Narrow products
 * apply the epilogue as each tile is stored; wider ones in one pass after the product.
 */
EXPORT(matmul_f32_epilogue)
void matmul_f32_epilogue(const f32* a, const f32* b, f32* out, const f32* bias, u32 batch, u32 m, u32 n, u32 k,
                         u32 transposeA, u32 transposeB, u32 aBatchStride, u32 bBatchStride, u32 relu) {
  if (batch == 0 || m == 0 || n == 0) return;
  if (k > 0 && n <= NARROW_MAX_N) {
    matmul_narrow_rows(a, b, out, m, n, k, transposeA, transposeB, aBatchStride, bBatchStride, 0, batch * m, bias, 1,
                       relu, mainWorkspace + PACK_A_FLOATS);
    return;
  }
  matmul_f32_rows(a, b, out, m, n, k, transposeA, transposeB, aBatchStride, bBatchStride, 0, batch * m, 0);
  matmul_epilogue(out, bias, batch * m, n, relu);
}

/* int32 matmul wraps like the cpu's double sum stored to an Int32Array (exact below 2^53). */
EXPORT(matmul_i32)
void matmul_i32(const i32* a, const i32* b, i32* out, u32 batch, u32 m, u32 n, u32 k, u32 transposeA,
                u32 transposeB, u32 aBatchStride, u32 bBatchStride) {
  const i32 aRow = transposeA ? 1 : (i32)k, aDepth = transposeA ? (i32)m : 1;
  const i32 bDepth = transposeB ? 1 : (i32)n, bCol = transposeB ? (i32)k : 1;
  for (u32 t = 0; t < batch; t++) {
    const i32* at_ = a + (u64)t * aBatchStride;
    const i32* bt = b + (u64)t * bBatchStride;
    i32* o = out + (u64)t * m * n;
    for (u32 i = 0; i < m; i++) {
      u32* row = (u32*)o + (u64)i * n;
      for (u32 j = 0; j < n; j++) row[j] = 0;
      for (u32 p = 0; p < k; p++) {
        const u32 av = (u32)at_[(i64)i * aRow + (i64)p * aDepth];
        const i32* brow = bt + (i64)p * bDepth;
        for (u32 j = 0; j < n; j++) row[j] += av * (u32)brow[(i64)j * bCol];
      }
    }
  }
}
