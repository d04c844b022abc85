import type { SoftmaxArgs } from '../../interface';
import type { WasmBuffer } from '../wasm-buffer';
import type { KernelContext } from './context';

/** Fused row softmax / log-softmax: one pass for the max, one for exp and the (double) sum, one to scale. */
export function softmaxKernel(ctx: KernelContext, x: WasmBuffer, out: WasmBuffer, args: SoftmaxArgs): void {
  if (args.rows === 0 || args.cols === 0) return;
  ctx.kernels.softmax(x.offset, out.offset, args.rows, args.cols, +args.log);
}
