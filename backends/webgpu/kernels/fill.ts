/** fill: stores one 32-bit pattern everywhere, so one shader serves every dtype. */
import type { DType } from '../../interface';
import type { GpuContext } from '../context';
import type { WebGpuBuffer } from '../buffer';
import { elementwiseKernel } from '../wgsl';

/** The value's bits as the dtype stores it: float32 rounding (keeps -0 and ±Infinity), int32 wrap, bool 0/1. */
function bitsOf(dtype: DType, value: number): number {
  if (dtype === 'float32') return new Int32Array(Float32Array.of(value).buffer)[0];
  if (dtype === 'int32') return value | 0;
  return value !== 0 ? 1 : 0;
}

export function fillKernel(ctx: GpuContext, out: WebGpuBuffer, value: number): void {
  if (out.size === 0) return;
  const pipeline = ctx.pipeline('fill', () =>
    elementwiseKernel(ctx.workgroupSize, [{ name: 'out', type: 'u32', write: true }], '  out[i] = bitcast<u32>(p[1]);'));
  ctx.dispatch(pipeline, [out.gpu('fill')], Int32Array.of(out.size, bitsOf(out.dtype, value)), ctx.grid(out.size));
}
