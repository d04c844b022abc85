import type { StridedCopyArgs } from '../../interface';
import { fail } from '../checks';
import { DTYPE_CODE, type WasmBuffer } from '../wasm-buffer';
import { collapseDims } from '../../collapse-dims';
import { stridesOf as contiguousStrides } from '../../../src-core/base/shape';
import { MAX_RANK, memoize, writeArgs, type KernelContext } from './context';

/** [rank, shape..., inStrides..., outStrides..., inOffset, outOffset, accumulate] for csrc/copy.c. */
function describe(args: StridedCopyArgs): Int32Array {
  const outStrides = args.outStrides ?? contiguousStrides(args.shape);
  const layout = collapseDims(args.shape, [args.strides, outStrides]);
  const rank = layout.shape.length;
  if (rank > MAX_RANK) fail('stridedCopy', `rank ${rank} after merging dims exceeds the kernels' limit of ${MAX_RANK}`);
  return Int32Array.from([
    rank, ...layout.shape, ...layout.strides[0], ...layout.strides[1], args.offset, args.outOffset ?? 0,
    args.accumulate === true ? 1 : 0,
  ]);
}

const descriptors = new WeakMap<StridedCopyArgs, Int32Array>();

/**
 * out[outOffset + idx·outStrides] (+)= x[offset + idx·strides]. After merging dims, contiguous rows
 * are one memory.copy, broadcasts a fill, a (batched) 2-D transpose is copied in cache tiles, and
 * anything else walks an odometer. Accumulation adds float32, wraps int32 and ORs bool.
 */
export function stridedCopyKernel(ctx: KernelContext, x: WasmBuffer, out: WasmBuffer, args: StridedCopyArgs): void {
  let count = 1;
  for (const d of args.shape) count *= d;
  if (count === 0) return;
  writeArgs(ctx, memoize(descriptors, args, describe));
  ctx.kernels.strided_copy(DTYPE_CODE[x.dtype], x.offset, out.offset);
}
