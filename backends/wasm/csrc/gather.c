/*
 * select, gather and segment_sum (../../interface.ts SelectArgs, GatherArgs). Values are moved as
 * 4-byte or 1-byte patterns, never through float arithmetic, so NaN payloads and -0 survive; only
 * segment_sum adds (float32, or int32 wrapping).
 */
#include "kernels.h"

/* select: kernel_args holds [rank, shape[rank], condStrides[rank], aStrides[rank], bStrides[rank]]. */
EXPORT(select_values) void select_values(u32 dtype, const u8* cond, const void* a, const void* b, void* out) {
  const i32 rank = kernel_args[0];
  const i32* shape = kernel_args + 1;
  const i32* cs = shape + rank;
  const i32* as = cs + rank;
  const i32* bs = as + rank;
  u32 count = 1;
  for (i32 d = 0; d < rank; d++) count *= (u32)shape[d];
  i32 index[MAX_RANK];
  for (i32 d = 0; d < rank; d++) index[d] = 0;
  i64 c = 0, ai = 0, bi = 0;
  for (u32 i = 0; i < count; i++) {
    if (dtype == DT_BOOL) ((u8*)out)[i] = cond[c] ? ((const u8*)a)[ai] : ((const u8*)b)[bi];
    else ((u32*)out)[i] = cond[c] ? ((const u32*)a)[ai] : ((const u32*)b)[bi];
    for (i32 d = rank - 1; d >= 0; d--) {
      c += cs[d];
      ai += as[d];
      bi += bs[d];
      if (++index[d] < shape[d]) break;
      c -= (i64)cs[d] * shape[d];
      ai -= (i64)as[d] * shape[d];
      bi -= (i64)bs[d] * shape[d];
      index[d] = 0;
    }
  }
}

/* out[o, j, :] = params[o, indices[j], :], zeros for an index outside [0, axis). */
EXPORT(gather_rows) void gather_rows(u32 dtype, const void* params, const i32* indices, void* out, u32 outer, u32 axis, u32 inner, u32 count) {
  const u32 size = dtype == DT_BOOL ? 1 : 4;
  const u64 row = (u64)inner * size;
  const u8* src = (const u8*)params;
  u8* dst = (u8*)out;
  for (u32 o = 0; o < outer; o++) {
    for (u32 j = 0; j < count; j++) {
      const i32 r = indices[j];
      u8* to = dst + ((u64)o * count + j) * row;
      if (r >= 0 && (u32)r < axis) __builtin_memcpy(to, src + ((u64)o * axis + (u32)r) * row, row);
      else __builtin_memset(to, 0, row);
    }
  }
}

/* out[o, s, :] = sum of x[o, j, :] over indices[j] = s; out-of-range indices add nothing. */
EXPORT(segment_sum) void segment_sum(u32 dtype, const void* x, const i32* indices, void* out, u32 outer, u32 axis, u32 inner, u32 count) {
  __builtin_memset(out, 0, (u64)outer * axis * inner * 4);
  for (u32 o = 0; o < outer; o++) {
    for (u32 j = 0; j < count; j++) {
      const i32 r = indices[j];
      if (r < 0 || (u32)r >= axis) continue;
      const u64 from = ((u64)o * count + j) * inner, to = ((u64)o * axis + (u32)r) * inner;
      if (dtype == DT_F32) {
        const f32* xs = (const f32*)x + from;
        f32* os = (f32*)out + to;
        for (u32 i = 0; i < inner; i++) os[i] += xs[i];
      } else {
        const u32* xs = (const u32*)x + from;
        u32* os = (u32*)out + to;
        for (u32 i = 0; i < inner; i++) os[i] += xs[i];
      }
    }
  }
}
