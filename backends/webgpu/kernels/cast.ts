/** cast between dtypes: float -> int32 truncates toward zero, anything -> bool is `x != 0`. */
import type { GpuContext } from '../context';
import type { WebGpuBuffer } from '../buffer';
import { elementwiseKernel, scalarOf, type Scalar } from '../wgsl';

const ZERO: Record<Scalar, string> = { f32: '0.0', i32: '0i', u32: '0u' };

function convert(from: Scalar, to: Scalar, v: string): string {
  if (from === to) return v;
  if (to === 'u32') return `select(0u, 1u, ${v} != ${ZERO[from]})`; // bool
  return `${to}(${v})`; // WGSL's f32 -> i32 conversion truncates toward zero
}

export function castKernel(ctx: GpuContext, x: WebGpuBuffer, out: WebGpuBuffer): void {
  if (out.size === 0) return;
  const from = scalarOf(x.dtype);
  const to = scalarOf(out.dtype);
  const pipeline = ctx.pipeline(`cast:${from}:${to}`, () =>
    elementwiseKernel(ctx.workgroupSize, [{ name: 'x', type: from }, { name: 'out', type: to, write: true }],
      `  out[i] = ${convert(from, to, 'x[i]')};`));
  ctx.dispatch(pipeline, [x.gpu('cast'), out.gpu('cast')], Int32Array.of(out.size), ctx.grid(out.size));
}
