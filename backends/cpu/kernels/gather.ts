/**
 * gather: out[o, j, :] = params[o, indices[j], :] (zeros for an index outside [0, axis)), and its
 * adjoint segmentSum: out[o, s, :] = Σ x[o, j, :] over indices[j] = s (out-of-range ones dropped).
 */
import type { GatherArgs, TypedArray } from '../../interface';

export function gatherKernel(params: TypedArray, indices: Int32Array, out: TypedArray, { outer, axis, inner, count }: GatherArgs): void {
  for (let o = 0; o < outer; o++) {
    for (let j = 0; j < count; j++) {
      const r = indices[j];
      const dst = (o * count + j) * inner;
      if (r >= 0 && r < axis) out.set(params.subarray((o * axis + r) * inner, (o * axis + r + 1) * inner), dst);
      else out.fill(0, dst, dst + inner);
    }
  }
}

export function segmentSumKernel(x: Float32Array | Int32Array, indices: Int32Array, out: Float32Array | Int32Array, { outer, axis, inner, count }: GatherArgs): void {
  out.fill(0);
  const wrap = out instanceof Int32Array;
  for (let o = 0; o < outer; o++) {
    for (let j = 0; j < count; j++) {
      const r = indices[j];
      if (r < 0 || r >= axis) continue;
      const src = (o * count + j) * inner;
      const dst = (o * axis + r) * inner;
      for (let i = 0; i < inner; i++) out[dst + i] = wrap ? (out[dst + i] + x[src + i]) | 0 : out[dst + i] + x[src + i];
    }
  }
}
