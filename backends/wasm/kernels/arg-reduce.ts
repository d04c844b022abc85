import type { ArgReduceOp, ReduceArgs } from '../../interface';
import { fail } from '../checks';
import { DTYPE_CODE, type WasmBuffer } from '../wasm-buffer';
import type { KernelContext } from './context';

/**
 * Index of the max/min along the middle axis of [outer, reduce, inner]; the first index wins ties
 * and the first NaN wins outright, as in numpy. An empty reduce axis has no answer, so it throws.
 */
export function argReduceKernel(ctx: KernelContext, op: ArgReduceOp, x: WasmBuffer, out: WasmBuffer, args: ReduceArgs): void {
  if (op !== 'argmax' && op !== 'argmin') fail('argReduce', `unknown op '${String(op)}'`);
  const { outer, reduce, inner } = args;
  if (outer === 0 || inner === 0) return;
  if (reduce === 0) fail('argReduce', `cannot take ${op} over an empty axis (outer=${outer}, inner=${inner})`);
  ctx.kernels.arg_reduce(op === 'argmax' ? 1 : 0, DTYPE_CODE[x.dtype], x.offset, out.offset, outer, reduce, inner);
}
