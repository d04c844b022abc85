/*
 * Narrow products: op(B) at most 16 columns wide, like the seed's [100,784]x[784,10], its weight
 * gradient x^T.g ([784,100]x[100,10]) and the MLP's last layer. There the packed GEMM (matmul.c)
 * spends as long packing B into 8/12-wide panels, and computing edge tiles through a scratch tile,
 * as multiplying. Here nothing is packed when B's rows are contiguous: each depth step loads one
 * B row as n/4 vectors plus a masked tail (10 = 4 + 4 + 2 lanes), op(A) is read in place whatever
 * its transpose, and the bias add and relu of a fused matmul epilogue are applied as the tile is
 * stored. A transposed B (columns contiguous) is first copied row-major, one depth block at a time.
 *
 * One kernel per column count (1..16) and tile height, so every loop over lanes and rows unrolls
 * and the accumulators live in registers (V8 on x64: 15 usable xmm). The height per vector count
 * is chosen per build: the fused multiply-add needs no temporary, the SIMD128 mul + add one.
 *
 * Results do not depend on how rows are split over threads: element (i, j) is the same sequence of
 * multiply-adds over each depth block, then added to the previous blocks' sum, in every tile
 * height; depth blocks depend only on k.
 */
#include "kernels.h"

/* Depth per block: a block of B (kc x n floats, <= 16 KiB at n = 16) stays in L1 across row tiles. */
#define NARROW_KC 256

/* Rows per tile for V vectors per row: V accumulators a row, V B vectors and an A splat (+1 temporary). */
#ifdef TINYFLOW_RELAXED_SIMD
#define ROWS_1 4
#define ROWS_2 4
#define ROWS_3 3
#define ROWS_4 2
#else
#define ROWS_1 4
#define ROWS_2 4
#define ROWS_3 3
#define ROWS_4 2
#endif

/* Store-time flags of a tile. */
enum { ACCUMULATE = 1, EPILOGUE = 2, RELU = 4 };

/* Lanes 0..lanes-1 of p (lanes constant 1..4): nothing past them is read. */
INLINE v128_t load_lanes(const f32* p, u32 lanes) {
  switch (lanes) {
    case 4: return wasm_v128_load(p);
    case 3: return wasm_v128_load32_lane(p + 2, wasm_v128_load64_zero(p), 2);
    case 2: return wasm_v128_load64_zero(p);
    default: return wasm_v128_load32_zero(p);
  }
}

/* Lanes 0..lanes-1 of v to p: nothing past them is written. */
INLINE void store_lanes(f32* p, v128_t v, u32 lanes) {
  switch (lanes) {
    case 4: wasm_v128_store(p, v); break;
    case 3: wasm_v128_store64_lane(p, v, 0); wasm_v128_store32_lane(p + 2, v, 2); break;
    case 2: wasm_v128_store64_lane(p, v, 0); break;
    default: wasm_v128_store32_lane(p, v, 0); break;
  }
}

/*
 * C rows 0..R-1 (at c, ldc apart) = or += A rows x B over kc depths, where A(r, p) is
 * a[r * aRow + p * aDepth] and B row p is the N floats at b + p * ldb. With EPILOGUE the bias (N
 * floats, or none) is added and, with RELU, max(x, 0) taken, in matmul_epilogue's order.
 */
INLINE void narrow_tile(const u32 R, const u32 N, const f32* a, i32 aRow, i32 aDepth, const f32* b, u32 ldb, u32 kc,
                        f32* c, u32 ldc, u32 flags, const f32* bias) {
  const u32 V = (N + 3) / 4;
  v128_t acc[4][4];
  for (u32 r = 0; r < R; r++)
    for (u32 v = 0; v < V; v++) acc[r][v] = wasm_f32x4_splat(0.0f);
  for (u32 p = 0; p < kc; p++, a += aDepth, b += ldb) {
    v128_t bv[4];
    for (u32 v = 0; v < V; v++) bv[v] = load_lanes(b + 4 * v, v + 1 < V ? 4 : N - 4 * v);
    for (u32 r = 0; r < R; r++) {
      const v128_t av = wasm_v128_load32_splat(a + (i32)r * aRow);
      for (u32 v = 0; v < V; v++) acc[r][v] = MADD(av, bv[v], acc[r][v]);
    }
  }
  for (u32 r = 0; r < R; r++) {
    f32* o = c + r * ldc;
    for (u32 v = 0; v < V; v++) {
      const u32 lanes = v + 1 < V ? 4 : N - 4 * v;
      v128_t x = acc[r][v];
      if (flags & ACCUMULATE) x = wasm_f32x4_add(x, load_lanes(o + 4 * v, lanes));
      if (flags & EPILOGUE) {
        if (bias) x = wasm_f32x4_add(x, load_lanes(bias + 4 * v, lanes));
        if (flags & RELU) x = wasm_f32x4_max(x, wasm_f32x4_splat(0.0f));
      }
      store_lanes(o + 4 * v, x, lanes);
    }
  }
}

typedef void (*NarrowKernel)(const f32* a, i32 aRow, i32 aDepth, const f32* b, u32 ldb, u32 kc, f32* c, u32 ldc,
                             u32 flags, const f32* bias);

/* Kept out of line (as matmul.c's micro-kernels): inlined into the row loop, V8 spills tiles. */
#define NARROW_KERNELS(N, ROWS)                                                                                   \
  static __attribute__((noinline)) void narrow_tall_##N(const f32* a, i32 aRow, i32 aDepth, const f32* b, u32 ldb, \
                                                        u32 kc, f32* c, u32 ldc, u32 flags, const f32* bias) {    \
    narrow_tile(ROWS, N, a, aRow, aDepth, b, ldb, kc, c, ldc, flags, bias);                                        \
  }                                                                                                               \
  static __attribute__((noinline)) void narrow_row_##N(const f32* a, i32 aRow, i32 aDepth, const f32* b, u32 ldb,  \
                                                       u32 kc, f32* c, u32 ldc, u32 flags, const f32* bias) {     \
    narrow_tile(1, N, a, aRow, aDepth, b, ldb, kc, c, ldc, flags, bias);                                           \
  }

NARROW_KERNELS(1, ROWS_1)
NARROW_KERNELS(2, ROWS_1)
NARROW_KERNELS(3, ROWS_1)
NARROW_KERNELS(4, ROWS_1)
NARROW_KERNELS(5, ROWS_2)
NARROW_KERNELS(6, ROWS_2)
NARROW_KERNELS(7, ROWS_2)
NARROW_KERNELS(8, ROWS_2)
NARROW_KERNELS(9, ROWS_3)
NARROW_KERNELS(10, ROWS_3)
NARROW_KERNELS(11, ROWS_3)
NARROW_KERNELS(12, ROWS_3)
NARROW_KERNELS(13, ROWS_4)
NARROW_KERNELS(14, ROWS_4)
NARROW_KERNELS(15, ROWS_4)
NARROW_KERNELS(16, ROWS_4)

#define BY_N(prefix)                                                                                              \
  { 0, prefix##1, prefix##2, prefix##3, prefix##4, prefix##5, prefix##6, prefix##7, prefix##8, prefix##9,         \
    prefix##10, prefix##11, prefix##12, prefix##13, prefix##14, prefix##15, prefix##16 }
static const NarrowKernel TALL[NARROW_MAX_N + 1] = BY_N(narrow_tall_);
static const NarrowKernel ONE_ROW[NARROW_MAX_N + 1] = BY_N(narrow_row_);
static const u8 TALL_ROWS[NARROW_MAX_N + 1] = {0,      ROWS_1, ROWS_1, ROWS_1, ROWS_1, ROWS_2, ROWS_2, ROWS_2, ROWS_2,
                                               ROWS_3, ROWS_3, ROWS_3, ROWS_3, ROWS_4, ROWS_4, ROWS_4, ROWS_4};

/* dst[p * n + j] = b[j * k + p0 + p]: a depth block of a transposed B, row-major. */
static void copy_transposed_b(const f32* b, u32 k, u32 n, u32 p0, u32 kc, f32* dst) {
  for (u32 j = 0; j < n; j++) {
    const f32* column = b + (u64)j * k + p0;
    for (u32 p = 0; p < kc; p++) dst[(u64)p * n + j] = column[p];
  }
}

/*
 * Rows [rowBegin, rowEnd) over batch x m of out = op(A) x op(B) for n <= 16 and k >= 1, then (with
 * `epilogue`) + bias (n floats, or 0) and relu. `scratch` holds NARROW_KC * 16 floats (a transposed
 * B's depth block).
 */
void matmul_narrow_rows(const f32* a, const f32* b, f32* out, u32 m, u32 n, u32 k, u32 transposeA, u32 transposeB,
                        u32 aBatchStride, u32 bBatchStride, u32 rowBegin, u32 rowEnd, const f32* bias, u32 epilogue,
                        u32 relu, f32* scratch) {
  const NarrowKernel tall = TALL[n], one = ONE_ROW[n];
  const u32 height = TALL_ROWS[n];
  const i32 aRow = transposeA ? 1 : (i32)k, aDepth = transposeA ? (i32)m : 1;
  const u32 blocks = (k + NARROW_KC - 1) / NARROW_KC;
  const u32 depthBlock = (k + blocks - 1) / blocks;
  const u32 lastFlags = epilogue ? EPILOGUE | (relu ? RELU : 0) : 0;
  for (u32 t = rowBegin / m; (u64)t * m < rowEnd; t++) {
    const u64 entryStart = (u64)t * m;
    const u32 first = rowBegin > entryStart ? (u32)(rowBegin - entryStart) : 0;
    const u32 last = (u64)rowEnd < entryStart + m ? (u32)(rowEnd - entryStart) : m;
    const f32* at = a + (u64)t * aBatchStride;
    const f32* bt = b + (u64)t * bBatchStride;
    f32* ot = out + entryStart * n;
    for (u32 p0 = 0; p0 < k; p0 += depthBlock) {
      const u32 kc = k - p0 < depthBlock ? k - p0 : depthBlock;
      const u32 flags = (p0 > 0 ? ACCUMULATE : 0) | (p0 + kc == k ? lastFlags : 0);
      const f32* rowsB = bt + (u64)p0 * n;
      if (transposeB) {
        copy_transposed_b(bt, k, n, p0, kc, scratch);
        rowsB = scratch;
      }
      u32 i = first;
      for (; i + height <= last; i += height) {
        tall(at + (i64)i * aRow + (i64)p0 * aDepth, aRow, aDepth, rowsB, n, kc, ot + (u64)i * n, n, flags, bias);
      }
      for (; i < last; i++) {
        one(at + (i64)i * aRow + (i64)p0 * aDepth, aRow, aDepth, rowsB, n, kc, ot + (u64)i * n, n, flags, bias);
      }
    }
  }
}
