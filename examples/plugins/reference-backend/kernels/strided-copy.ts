import type { StridedCopyArgs } from '../../../../backends/interface';
import { offsets, store, type RefBuffer } from './buffer';

/** out[outOffset + Σ idx·outStrides] (+)= x[offset + Σ idx·strides], exactly as the contract states it. */
export function stridedCopy(x: RefBuffer, out: RefBuffer, args: StridedCopyArgs): void {
  const { shape, strides, offset, outStrides, outOffset = 0, accumulate = false } = args;
  const from = offsets(shape, strides, offset);
  const to = outStrides === undefined ? null : offsets(shape, outStrides, outOffset);
  for (let i = 0; i < from.length; i++) {
    const j = to === null ? i : to[i];
    out.data[j] = accumulate ? store(out.dtype, out.data[j] + x.data[from[i]]) : x.data[from[i]];
  }
}
