/**
 * reduce over the middle axis of [outer, reduce, inner]. Contiguous rows (inner = 1) get one
 * workgroup each: every thread accumulates a strided slice, then a tree in workgroup memory combines
 * the partials (pairwise, so float error grows like log n). Strided views (inner > 1) give each
 * output its own invocation, which reads neighbouring columns together. An empty axis yields the
 * identity (−∞/+∞ for float max/min, INT32_MIN/MAX for int32).
 */
import { unknownOp, type ReduceArgs, type ReduceOp } from '../../interface';
import type { GpuContext } from '../context';
import type { WebGpuBuffer } from '../buffer';
import { F32_INF, F32_NEG_INF, I32_MAX, I32_MIN, WORKGROUP_ROW, declare, elementwiseKernel, scalarOf, treeReduce, type Scalar } from '../wgsl';

function identity(op: ReduceOp, t: Scalar): string {
  switch (op) {
    case 'sum': return t === 'f32' ? '0.0' : t === 'i32' ? '0i' : '0u';
    case 'prod': return t === 'f32' ? '1.0' : t === 'i32' ? '1i' : '1u';
    case 'max': return t === 'f32' ? F32_NEG_INF : t === 'i32' ? I32_MIN : '0u';
    case 'min': return t === 'f32' ? F32_INF : t === 'i32' ? I32_MAX : '1u';
  }
  return unknownOp('webgpu reduce', op);
}

function combine(op: ReduceOp, a: string, b: string): string {
  switch (op) {
    case 'sum': return `${a} + ${b}`; // i32 wraps, as int32 sums must
    case 'prod': return `${a} * ${b}`;
    case 'max': return `max(${a}, ${b})`;
    case 'min': return `min(${a}, ${b})`;
  }
  return unknownOp('webgpu reduce', op);
}

/** p = [outer, reduce]; one workgroup per row. */
function rowShader(ctx: GpuContext, op: ReduceOp, t: Scalar): string {
  const wg = ctx.workgroupSize;
  return `${declare([{ name: 'x', type: t }, { name: 'out', type: t, write: true }])}
var<workgroup> sh: array<${t}, ${wg}>;
@compute @workgroup_size(${wg})
fn main(@builtin(workgroup_id) wid: vec3<u32>, @builtin(num_workgroups) nwg: vec3<u32>,
        @builtin(local_invocation_index) lid: u32) {
  ${WORKGROUP_ROW}
  if (row >= p[0]) { return; }
  let n = p[1];
  let base = row * n;
  var acc = ${identity(op, t)};
  for (var r = i32(lid); r < n; r += ${wg}) { acc = ${combine(op, 'acc', 'x[base + r]')}; }
  sh[lid] = acc;
${treeReduce(wg, (a, b) => combine(op, a, b))}
  if (lid == 0u) { out[row] = sh[0]; }
}
`;
}

/** p = [outer*inner, reduce, inner]; one invocation per output. */
function columnShader(ctx: GpuContext, op: ReduceOp, t: Scalar): string {
  return elementwiseKernel(ctx.workgroupSize, [{ name: 'x', type: t }, { name: 'out', type: t, write: true }], `
  let n = p[1];
  let inner = p[2];
  let base = (i / inner) * n * inner + i % inner;
  var acc = ${identity(op, t)};
  for (var r = 0; r < n; r++) { acc = ${combine(op, 'acc', 'x[base + r * inner]')}; }
  out[i] = acc;`);
}

export function reduceKernel(ctx: GpuContext, op: ReduceOp, x: WebGpuBuffer, out: WebGpuBuffer, args: ReduceArgs): void {
  const { outer, reduce, inner } = args;
  if (outer === 0 || inner === 0) return;
  const t = scalarOf(x.dtype);
  const buffers = [x.gpu('reduce'), out.gpu('reduce')];
  if (inner === 1) {
    const pipeline = ctx.pipeline(`reduce:row:${op}:${t}`, () => rowShader(ctx, op, t));
    ctx.dispatch(pipeline, buffers, Int32Array.of(outer, reduce), ctx.grid(outer, 1));
  } else {
    const pipeline = ctx.pipeline(`reduce:column:${op}:${t}`, () => columnShader(ctx, op, t));
    ctx.dispatch(pipeline, buffers, Int32Array.of(outer * inner, reduce, inner), ctx.grid(outer * inner));
  }
}
