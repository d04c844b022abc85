/**
 * select, gather and segmentSum (../../interface.ts SelectArgs, GatherArgs). select and gather move
 * 32-bit patterns (bool is u32 0/1 on the GPU), so one shader serves every dtype and NaN/-0 survive.
 * segmentSum gives each output element one invocation that loops over the indices in order and adds
 * the matching rows: no two invocations write one element, so it needs no atomics (and sums in the
 * same order as the cpu backend).
 */
import type { GatherArgs, SelectArgs } from '../../interface';
import type { GpuContext } from '../context';
import type { WebGpuBuffer } from '../buffer';
import { collapseDims } from '../layout';
import { elementwiseKernel, padDims, rankClass, scalarOf, stridedOffsets } from '../wgsl';

function selectShader(ctx: GpuContext, rank: number): string {
  return elementwiseKernel(ctx.workgroupSize, [
    { name: 'cond', type: 'u32' }, { name: 'a', type: 'u32' }, { name: 'b', type: 'u32' }, { name: 'out', type: 'u32', write: true },
  ], `${stridedOffsets(rank, 1, ['ci', 'ai', 'bi'])}
  if (cond[ci] != 0u) { out[i] = a[ai]; } else { out[i] = b[bi]; }`);
}

export function selectKernel(ctx: GpuContext, cond: WebGpuBuffer, a: WebGpuBuffer, b: WebGpuBuffer, out: WebGpuBuffer, args: SelectArgs): void {
  const count = out.size;
  if (count === 0) return;
  const layout = collapseDims(args.shape, [args.condStrides, args.aStrides, args.bStrides]);
  const rank = rankClass(layout.shape.length);
  const pipeline = ctx.pipeline(`select:r${rank}`, () => selectShader(ctx, rank));
  const params = Int32Array.of(
    count, ...padDims(layout.shape, rank, 1),
    ...padDims(layout.strides[0], rank, 0), ...padDims(layout.strides[1], rank, 0), ...padDims(layout.strides[2], rank, 0),
  );
  ctx.dispatch(pipeline, [cond.gpu('select'), a.gpu('select'), b.gpu('select'), out.gpu('select')], params, ctx.grid(count));
}

/** p = [total, axis, inner, count]; out[o, j, i] = params[o, idx[j], i] or 0. */
function gatherShader(ctx: GpuContext): string {
  return elementwiseKernel(ctx.workgroupSize, [
    { name: 'params', type: 'u32' }, { name: 'indices', type: 'i32' }, { name: 'out', type: 'u32', write: true },
  ], `  let axis = p[1];
  let inner = p[2];
  let count = p[3];
  let e = i % inner;
  let j = (i / inner) % count;
  let o = i / (inner * count);
  let r = indices[j];
  if (r >= 0 && r < axis) { out[i] = params[(o * axis + r) * inner + e]; } else { out[i] = 0u; }`);
}

export function gatherKernel(ctx: GpuContext, params: WebGpuBuffer, indices: WebGpuBuffer, out: WebGpuBuffer, args: GatherArgs): void {
  const total = out.size;
  if (total === 0) return;
  const pipeline = ctx.pipeline('gather', () => gatherShader(ctx));
  ctx.dispatch(pipeline, [params.gpu('gather'), indices.gpu('gather'), out.gpu('gather')], Int32Array.of(total, args.axis, args.inner, args.count), ctx.grid(total));
}

/** p = [total, axis, inner, count]; out[o, s, e] = Σ_j [idx[j] = s] x[o, j, e]. */
function segmentSumShader(ctx: GpuContext, t: 'f32' | 'i32'): string {
  return elementwiseKernel(ctx.workgroupSize, [
    { name: 'x', type: t }, { name: 'indices', type: 'i32' }, { name: 'out', type: t, write: true },
  ], `  let axis = p[1];
  let inner = p[2];
  let count = p[3];
  let e = i % inner;
  let s = (i / inner) % axis;
  let o = i / (inner * axis);
  var acc = ${t}(0);
  for (var j = 0; j < count; j++) {
    if (indices[j] == s) { acc = acc + x[(o * count + j) * inner + e]; }
  }
  out[i] = acc;`);
}

export function segmentSumKernel(ctx: GpuContext, x: WebGpuBuffer, indices: WebGpuBuffer, out: WebGpuBuffer, args: GatherArgs): void {
  const total = out.size;
  if (total === 0) return;
  const t = scalarOf(out.dtype) === 'f32' ? 'f32' : 'i32';
  const pipeline = ctx.pipeline(`segmentSum:${t}`, () => segmentSumShader(ctx, t));
  ctx.dispatch(pipeline, [x.gpu('segmentSum'), indices.gpu('segmentSum'), out.gpu('segmentSum')], Int32Array.of(total, args.axis, args.inner, args.count), ctx.grid(total));
}
