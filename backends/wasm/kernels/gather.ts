import type { GatherArgs, SelectArgs } from '../../interface';
import { fail } from '../checks';
import { DTYPE_CODE, type WasmBuffer } from '../wasm-buffer';
import { collapseDims } from '../../collapse-dims';
import { MAX_RANK, memoize, writeArgs, type KernelContext } from './context';

/** [rank, shape..., condStrides..., aStrides..., bStrides...] for csrc/gather.c select_values. */
function describe(args: SelectArgs): Int32Array {
  const layout = collapseDims(args.shape, [args.condStrides, args.aStrides, args.bStrides]);
  const rank = layout.shape.length;
  if (rank > MAX_RANK) fail('select', `rank ${rank} after merging dims exceeds the kernels' limit of ${MAX_RANK}`);
  return Int32Array.from([rank, ...layout.shape, ...layout.strides[0], ...layout.strides[1], ...layout.strides[2]]);
}

const descriptors = new WeakMap<SelectArgs, Int32Array>();

/** out[i] = cond ? a : b, moved as bit patterns (NaN and -0 survive; the other branch is never read into out). */
export function selectKernel(ctx: KernelContext, cond: WasmBuffer, a: WasmBuffer, b: WasmBuffer, out: WasmBuffer, args: SelectArgs): void {
  if (out.size === 0) return;
  writeArgs(ctx, memoize(descriptors, args, describe));
  ctx.kernels.select_values(DTYPE_CODE[out.dtype], cond.offset, a.offset, b.offset, out.offset);
}

export function gatherKernel(ctx: KernelContext, params: WasmBuffer, indices: WasmBuffer, out: WasmBuffer, args: GatherArgs): void {
  if (out.size === 0) return;
  ctx.kernels.gather_rows(DTYPE_CODE[out.dtype], params.offset, indices.offset, out.offset, args.outer, args.axis, args.inner, args.count);
}

export function segmentSumKernel(ctx: KernelContext, x: WasmBuffer, indices: WasmBuffer, out: WasmBuffer, args: GatherArgs): void {
  if (out.size === 0) return;
  ctx.kernels.segment_sum(DTYPE_CODE[out.dtype], x.offset, indices.offset, out.offset, args.outer, args.axis, args.inner, args.count);
}
