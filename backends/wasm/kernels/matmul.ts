import type { MatMulArgs } from '../../interface';
import { fail } from '../checks';
import type { WasmBuffer } from '../wasm-buffer';
import type { KernelContext } from './context';

/**
 * Batched matmul. float32 runs the packed, cache-blocked 4x8 SIMD kernel of csrc/matmul.c (each
 * transpose combination is absorbed by packing); int32 a plain wrapping triple loop.
 */
export function matmulKernel(ctx: KernelContext, a: WasmBuffer, b: WasmBuffer, out: WasmBuffer, args: MatMulArgs): void {
  const { batch, m, n, k, transposeA, transposeB, aBatchStride, bBatchStride } = args;
  if (batch === 0 || m === 0 || n === 0) return;
  const kernel = a.dtype === 'float32' ? ctx.kernels.matmul_f32 : a.dtype === 'int32' ? ctx.kernels.matmul_i32 : null;
  if (kernel === null) fail('matmul', `${a.dtype} operands are not supported`);
  kernel(a.offset, b.offset, out.offset, batch, m, n, k, +transposeA, +transposeB, aBatchStride, bBatchStride);
}
