import type { WasmBuffer } from '../wasm-buffer';
import type { KernelContext } from './context';

const bitsOfFloat = new Float32Array(1);
const bitsAsInt = new Int32Array(bitsOfFloat.buffer);

/** Sets every element to `value` converted as a cast would: fround, ToInt32, or bool (non-zero is 1). */
export function fillKernel(ctx: KernelContext, out: WasmBuffer, value: number): void {
  if (out.size === 0) return;
  switch (out.dtype) {
    case 'float32':
      bitsOfFloat[0] = value;
      ctx.kernels.fill32(out.offset, out.size, bitsAsInt[0]);
      return;
    case 'int32':
      ctx.kernels.fill32(out.offset, out.size, value | 0);
      return;
    case 'bool':
      ctx.kernels.fill8(out.offset, out.size, value !== 0 ? 1 : 0);
      return;
  }
}
