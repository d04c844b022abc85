/**
 * stridedCopy: out[outOffset + Σ idx·outStrides] (+)= x[offset + Σ idx·strides], one invocation per
 * element of `shape`. Plain copies move 32-bit patterns, so one shader per rank class serves every
 * dtype; accumulation adds in the dtype (bool ORs). Within a call no output position repeats (the
 * contract), so the read-modify-write needs no atomics.
 */
import type { StridedCopyArgs } from '../../interface';
import type { GpuContext } from '../context';
import type { WebGpuBuffer } from '../buffer';
import { collapseDims, contiguousStrides } from '../layout';
import { elementwiseKernel, padDims, rankClass, scalarOf, stridedOffsets, type Scalar } from '../wgsl';

function shader(ctx: GpuContext, rank: number, accumulate: Scalar | null): string {
  const t: Scalar = accumulate ?? 'u32';
  const to = 'out[p[2] + oi]';
  const from = 'x[p[1] + xi]';
  const store = accumulate === null ? `${to} = ${from};` : accumulate === 'u32' ? `${to} = ${to} | ${from};` : `${to} = ${to} + ${from};`;
  return elementwiseKernel(ctx.workgroupSize, [{ name: 'x', type: t }, { name: 'out', type: t, write: true }],
    `${stridedOffsets(rank, 3, ['xi', 'oi'])}
  ${store}`);
}

export function stridedCopyKernel(ctx: GpuContext, x: WebGpuBuffer, out: WebGpuBuffer, args: StridedCopyArgs): void {
  const count = args.shape.reduce((n, d) => n * d, 1);
  if (count === 0) return;
  const outStrides = args.outStrides ?? contiguousStrides(args.shape);
  const layout = collapseDims(args.shape, [args.strides, outStrides]);
  const rank = rankClass(layout.shape.length);
  const accumulate = args.accumulate === true ? scalarOf(out.dtype) : null;
  const pipeline = ctx.pipeline(`stridedCopy:${accumulate ?? 'copy'}:r${rank}`, () => shader(ctx, rank, accumulate));
  const params = Int32Array.of(
    count, args.offset, args.outOffset ?? 0,
    ...padDims(layout.shape, rank, 1),
    ...padDims(layout.strides[0], rank, 0),
    ...padDims(layout.strides[1], rank, 0),
  );
  ctx.dispatch(pipeline, [x.gpu('stridedCopy'), out.gpu('stridedCopy')], params, ctx.grid(count));
}
