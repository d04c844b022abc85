import { unknownOp, type DType, type ReduceArgs, type ReduceOp } from '../../interface';
import { fail } from '../checks';
import { DTYPE_CODE, type WasmBuffer } from '../wasm-buffer';
import { REDUCE_CODE } from './codes';
import { checkStatus } from './status';
import type { KernelContext } from './context';
import { fillKernel } from './fill';

const INT32_MIN = -2147483648;
const INT32_MAX = 2147483647;

/** The reduction's identity, clipped to what the output dtype can hold (TF gives INT32_MIN for an empty int max). */
function emptyReduction(op: ReduceOp, dtype: DType): number {
  switch (op) {
    case 'sum':
      return 0;
    case 'prod':
      return 1;
    case 'max':
      return dtype === 'float32' ? -Infinity : dtype === 'int32' ? INT32_MIN : 0;
    case 'min':
      return dtype === 'float32' ? Infinity : dtype === 'int32' ? INT32_MAX : 1;
  }
  return unknownOp('wasm reduce', op);
}

/**
 * Reduces the middle axis of an [outer, reduce, inner] view. float32 sums and products accumulate in
 * double in the cpu backend's order, so they match it exactly; contiguous runs (inner = 1) use SIMD,
 * and inner > 1 accumulates whole rows so memory is read sequentially.
 */
export function reduceKernel(ctx: KernelContext, op: ReduceOp, x: WasmBuffer, out: WasmBuffer, args: ReduceArgs): void {
  const code = REDUCE_CODE[op];
  if (code === undefined) fail('reduce', `unknown op '${String(op)}'`);
  if (out.dtype !== x.dtype) fail(`reduce ${op}`, `out is ${out.dtype} but x is ${x.dtype}`);
  const { outer, reduce, inner } = args;
  if (outer === 0 || inner === 0) return;
  if (reduce === 0) {
    fillKernel(ctx, out, emptyReduction(op, out.dtype));
    return;
  }
  checkStatus(`reduce ${op}`, ctx.kernels.reduce(code, DTYPE_CODE[x.dtype], x.offset, out.offset, outer, reduce, inner), `'${op}'`);
}
