import type { MatMulArgs } from '../../interface';
import { fail } from '../checks';
import { MatmulThreads } from '../threads';
import type { WasmBuffer } from '../wasm-buffer';
import type { KernelContext } from './context';

/**
 * Batched matmul. float32 runs the packed, cache-blocked 4x8 SIMD kernel of csrc/matmul.c (each
 * transpose combination is absorbed by packing), split by rows over the worker threads when large
 * enough (threads.ts); int32 a plain wrapping triple loop.
 */
export function matmulKernel(ctx: KernelContext, a: WasmBuffer, b: WasmBuffer, out: WasmBuffer, args: MatMulArgs): void {
  const { batch, m, n, k, transposeA, transposeB, aBatchStride, bBatchStride } = args;
  if (batch === 0 || m === 0 || n === 0) return;
  const kernel = a.dtype === 'float32' ? ctx.kernels.matmul_f32 : a.dtype === 'int32' ? ctx.kernels.matmul_i32 : null;
  if (kernel === null) fail('matmul', `${a.dtype} operands are not supported`);
  const threads = ctx.matmulThreads;
  if (threads !== null && a.dtype === 'float32') {
    const job = { a: a.offset, b: b.offset, out: out.offset, batch, m, n, k, transposeA, transposeB, aBatchStride, bBatchStride };
    if (MatmulThreads.worthSplitting(job) && threads.run(job)) return;
  }
  kernel(a.offset, b.offset, out.offset, batch, m, n, k, +transposeA, +transposeB, aBatchStride, bBatchStride);
}
