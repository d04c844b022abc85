/*
 * stridedCopy: for every index of `shape`,
 *   out[outOffset + sum(idx * outStrides)] (+)= x[inOffset + sum(idx * inStrides)].
 * kernel_args holds [rank, shape[rank], inStrides[rank], outStrides[rank], inOffset, outOffset,
 * accumulate], all in elements and already collapsed by the caller. Plain copies move 4-byte
 * elements as integers so NaN payloads survive; accumulation adds float32, wraps int32, and ORs bool.
 */
#include "kernels.h"

/* A 2-D transpose is copied in TILE x TILE blocks so both the strided side and the contiguous side stay in cache. */
#define TILE 32

#define COPY_ROW(T)                                                                         \
  static void copy_row_##T(const T* x, i32 si, T* o, i32 so, u32 n) {                       \
    if (si == 1 && so == 1) __builtin_memmove(o, x, (u64)n * sizeof(T));                    \
    else if (si == 0 && so == 1) { const T v = x[0]; for (u32 i = 0; i < n; i++) o[i] = v; } \
    else if (so == 1) for (u32 i = 0; i < n; i++) o[i] = x[(i32)i * si];                    \
    else for (u32 i = 0; i < n; i++) o[(i32)i * so] = x[(i32)i * si];                        \
  }
COPY_ROW(u32)
COPY_ROW(u8)

static void add_row_f32(const f32* x, i32 si, f32* o, i32 so, u32 n) {
  if (si == 1 && so == 1) for (u32 i = 0; i < n; i++) o[i] += x[i];
  else for (u32 i = 0; i < n; i++) o[(i32)i * so] += x[(i32)i * si];
}
static void add_row_i32(const i32* x, i32 si, i32* o, i32 so, u32 n) {
  if (si == 1 && so == 1) for (u32 i = 0; i < n; i++) o[i] = (i32)((u32)o[i] + (u32)x[i]);
  else for (u32 i = 0; i < n; i++) o[(i32)i * so] = (i32)((u32)o[(i32)i * so] + (u32)x[(i32)i * si]);
}
static void or_row_u8(const u8* x, i32 si, u8* o, i32 so, u32 n) {
  for (u32 i = 0; i < n; i++) o[(i32)i * so] |= x[(i32)i * si] != 0;
}

/* out[r * outRowStride + c] = x[r + c * inColStride] for an R x C block: x walks rows contiguously. */
static void transpose_u32(const u32* x, i32 inColStride, u32* o, i32 outRowStride, u32 rows, u32 cols) {
  for (u32 r0 = 0; r0 < rows; r0 += TILE) {
    const u32 r1 = rows - r0 < TILE ? rows : r0 + TILE;
    for (u32 c0 = 0; c0 < cols; c0 += TILE) {
      const u32 c1 = cols - c0 < TILE ? cols : c0 + TILE;
      for (u32 r = r0; r < r1; r++) {
        u32* orow = o + (i64)r * outRowStride;
        const u32* src = x + r;
        for (u32 c = c0; c < c1; c++) orow[c] = src[(i64)c * inColStride];
      }
    }
  }
}

EXPORT(strided_copy) void strided_copy(u32 dtype, const void* x, void* out) {
  const i32 rank = kernel_args[0];
  const i32* shape = kernel_args + 1;
  const i32* inStrides = shape + rank;
  const i32* outStrides = inStrides + rank;
  const i32 inOffset = outStrides[rank], outOffset = outStrides[rank + 1];
  const int accumulate = outStrides[rank + 2] != 0;
  const u32 size = dtype == DT_BOOL ? 1 : 4;
  const u8* src = (const u8*)x + (i64)inOffset * size;
  u8* dst = (u8*)out + (i64)outOffset * size;

  /* Batched 2-D transpose: x contiguous along the second-to-last dim, out along the last. */
  const int transpose = !accumulate && size == 4 && rank >= 2 && inStrides[rank - 2] == 1 &&
                        outStrides[rank - 1] == 1 && inStrides[rank - 1] != 1 && inStrides[rank - 1] != 0;
  const i32 loopRank = transpose ? rank - 2 : rank - 1; /* dims walked by the odometer */
  u32 count = 1;
  for (i32 d = 0; d < loopRank; d++) count *= (u32)shape[d];
  i32 index[MAX_RANK];
  for (i32 d = 0; d < rank; d++) index[d] = 0;
  i64 xo = 0, oo = 0;
  const u32 n = (u32)shape[rank - 1];
  const i32 si = inStrides[rank - 1], so = outStrides[rank - 1];
  for (u32 c = 0; c < count; c++) {
    const u8* xs = src + xo * size;
    u8* os = dst + oo * size;
    if (transpose) transpose_u32((const u32*)xs, si, (u32*)os, outStrides[rank - 2], (u32)shape[rank - 2], n);
    else if (!accumulate) {
      if (size == 4) copy_row_u32((const u32*)xs, si, (u32*)os, so, n);
      else copy_row_u8(xs, si, os, so, n);
    } else if (dtype == DT_F32) add_row_f32((const f32*)xs, si, (f32*)os, so, n);
    else if (dtype == DT_I32) add_row_i32((const i32*)xs, si, (i32*)os, so, n);
    else or_row_u8(xs, si, os, so, n);
    for (i32 d = loopRank - 1; d >= 0; d--) {
      xo += inStrides[d];
      oo += outStrides[d];
      if (++index[d] < shape[d]) break;
      xo -= (i64)inStrides[d] * shape[d];
      oo -= (i64)outStrides[d] * shape[d];
      index[d] = 0;
    }
  }
}
