/**
 * argmax/argmin over the middle axis of [outer, reduce, inner], int32 indices, the first index winning
 * ties. Contiguous rows use a workgroup each with a tree over (value, index) pairs whose combine
 * prefers the smaller index on equal values, so the parallel order cannot change the answer.
 */
import { unknownOp, type ArgReduceOp, type ReduceArgs } from '../../interface';
import type { GpuContext } from '../context';
import type { WebGpuBuffer } from '../buffer';
import { WORKGROUP_ROW, declare, elementwiseKernel, scalarOf, type Scalar } from '../wgsl';

/** The WGSL comparison by which a candidate replaces the best so far. */
function betterOf(op: ArgReduceOp): string {
  switch (op) {
    case 'argmax': return '>';
    case 'argmin': return '<';
  }
  return unknownOp('webgpu argReduce', op);
}

function rowShader(ctx: GpuContext, op: ArgReduceOp, t: Scalar): string {
  const wg = ctx.workgroupSize;
  const better = betterOf(op);
  return `${declare([{ name: 'x', type: t }, { name: 'out', type: 'i32', write: true }])}
var<workgroup> shv: array<${t}, ${wg}>;
var<workgroup> shi: array<i32, ${wg}>;
@compute @workgroup_size(${wg})
fn main(@builtin(workgroup_id) wid: vec3<u32>, @builtin(num_workgroups) nwg: vec3<u32>,
        @builtin(local_invocation_index) lid: u32) {
  ${WORKGROUP_ROW}
  if (row >= p[0]) { return; }
  let n = p[1];
  let base = row * n;
  // index -1: this thread saw no element (rows shorter than the workgroup).
  var bestIndex = -1;
  var best = x[base];
  for (var r = i32(lid); r < n; r += ${wg}) {
    let v = x[base + r];
    if (bestIndex < 0 || v ${better} best) { best = v; bestIndex = r; }
  }
  shv[lid] = best;
  shi[lid] = bestIndex;
  workgroupBarrier();
  for (var s = ${wg / 2}u; s > 0u; s = s >> 1u) {
    if (lid < s) {
      let j = shi[lid + s];
      let v = shv[lid + s];
      let k = shi[lid];
      if (j >= 0 && (k < 0 || v ${better} shv[lid] || (v == shv[lid] && j < k))) { shv[lid] = v; shi[lid] = j; }
    }
    workgroupBarrier();
  }
  if (lid == 0u) { out[row] = shi[0]; }
}
`;
}

function columnShader(ctx: GpuContext, op: ArgReduceOp, t: Scalar): string {
  const better = betterOf(op);
  return elementwiseKernel(ctx.workgroupSize, [{ name: 'x', type: t }, { name: 'out', type: 'i32', write: true }], `
  let n = p[1];
  let inner = p[2];
  let base = (i / inner) * n * inner + i % inner;
  var best = x[base];
  var bestIndex = 0;
  for (var r = 1; r < n; r++) {
    let v = x[base + r * inner];
    if (v ${better} best) { best = v; bestIndex = r; }
  }
  out[i] = bestIndex;`);
}

export function argReduceKernel(ctx: GpuContext, op: ArgReduceOp, x: WebGpuBuffer, out: WebGpuBuffer, args: ReduceArgs): void {
  betterOf(op); // an unknown op throws before any pipeline is made
  const { outer, reduce, inner } = args;
  if (outer === 0 || inner === 0) return;
  if (reduce === 0) throw new Error(`webgpu argReduce: cannot take ${op} over an empty axis (outer=${outer}, inner=${inner})`);
  const t = scalarOf(x.dtype);
  const buffers = [x.gpu('argReduce'), out.gpu('argReduce')];
  if (inner === 1) {
    const pipeline = ctx.pipeline(`argReduce:row:${op}:${t}`, () => rowShader(ctx, op, t));
    ctx.dispatch(pipeline, buffers, Int32Array.of(outer, reduce), ctx.grid(outer, 1));
  } else {
    const pipeline = ctx.pipeline(`argReduce:column:${op}:${t}`, () => columnShader(ctx, op, t));
    ctx.dispatch(pipeline, buffers, Int32Array.of(outer * inner, reduce, inner), ctx.grid(outer * inner));
  }
}
