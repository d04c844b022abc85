import type { MatMulArgs } from '../../interface';
import { fail } from '../checks';
import { MatmulThreads } from '../threads';
import type { WasmBuffer } from '../wasm-buffer';
import type { KernelContext } from './context';

/**
 * Batched matmul. float32 runs csrc/matmul.c's packed, cache-blocked SIMD kernels (each transpose
 * combination is absorbed by packing; products at most 16 columns wide run matmul-narrow.c's
 * unpacked ones), split by rows over the worker threads when large enough (threads.ts); int32 a
 * plain wrapping triple loop.
 */
export function matmulKernel(ctx: KernelContext, a: WasmBuffer, b: WasmBuffer, out: WasmBuffer, args: MatMulArgs): void {
  const { batch, m, n, k, transposeA, transposeB, aBatchStride, bBatchStride } = args;
  if (batch === 0 || m === 0 || n === 0) return;
  const kernel = a.dtype === 'float32' ? ctx.kernels.matmul_f32 : a.dtype === 'int32' ? ctx.kernels.matmul_i32 : null;
  if (kernel === null) fail('matmul', `${a.dtype} operands are not supported`);
  if (a.dtype === 'float32' && runOnThreads(ctx, a, b, out, args)) return;
  kernel(a.offset, b.offset, out.offset, batch, m, n, k, +transposeA, +transposeB, aBatchStride, bBatchStride);
}

/**
 * A float32 matmul, then + bias (null: none) and relu when asked, k >= 1. On one thread this is one
 * call, which applies the epilogue as the product's tiles are stored (n <= 16) or in a pass after it;
 * a product split over threads gets the pass after every range is done.
 */
export function matmulEpilogueKernel(
  ctx: KernelContext, a: WasmBuffer, b: WasmBuffer, bias: WasmBuffer | null, out: WasmBuffer, args: MatMulArgs, relu: boolean,
): void {
  const { batch, m, n, k, transposeA, transposeB, aBatchStride, bBatchStride } = args;
  if (batch === 0 || m === 0 || n === 0) return;
  const biasOffset = bias === null ? 0 : bias.offset;
  if (runOnThreads(ctx, a, b, out, args)) {
    ctx.kernels.matmul_epilogue(out.offset, biasOffset, batch * m, n, +relu);
    return;
  }
  ctx.kernels.matmul_f32_epilogue(
    a.offset, b.offset, out.offset, biasOffset, batch, m, n, k, +transposeA, +transposeB, aBatchStride, bBatchStride, +relu,
  );
}

/** Runs a float32 product split over the worker threads when it is worth it; false (nothing done) otherwise. */
function runOnThreads(ctx: KernelContext, a: WasmBuffer, b: WasmBuffer, out: WasmBuffer, args: MatMulArgs): boolean {
  const threads = ctx.matmulThreads;
  if (threads === null || !MatmulThreads.worthSplitting(args)) return false;
  const { batch, m, n, k, transposeA, transposeB, aBatchStride, bBatchStride } = args;
  return threads.run({ a: a.offset, b: b.offset, out: out.offset, batch, m, n, k, transposeA, transposeB, aBatchStride, bBatchStride });
}
