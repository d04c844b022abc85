import { DTYPE_CODE, type WasmBuffer } from '../wasm-buffer';
import type { KernelContext } from './context';

/** Element-wise conversion: float -> int32 truncates and wraps (ToInt32), anything -> bool is x !== 0. */
export function castKernel(ctx: KernelContext, x: WasmBuffer, out: WasmBuffer): void {
  if (x.size === 0) return;
  ctx.kernels.cast(x.offset, out.offset, x.size, DTYPE_CODE[x.dtype], DTYPE_CODE[out.dtype]);
}
