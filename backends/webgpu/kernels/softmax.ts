/**
 * Fused row softmax / log-softmax: one workgroup per row, two tree reductions in workgroup memory
 * (the row max, then Σ exp(x − max)), then one pass writing the result. Shifting by the max keeps exp
 * from overflowing; log-softmax is x − max − log Σ, finite where log(softmax) would underflow.
 */
import type { SoftmaxArgs } from '../../interface';
import type { GpuContext } from '../context';
import type { WebGpuBuffer } from '../buffer';
import { F32_NEG_INF, WORKGROUP_ROW, declare, treeReduce } from '../wgsl';

/**
 * The start of a one-workgroup-per-row shader over the row-major f32 binding `x` ([p[0] rows, p[1]
 * cols]): it leaves `row`, `cols`, `base`, the row max `rowMax` and `total` = Σ exp(x − rowMax) in
 * scope, and the workgroup array `sh` free for further reductions. Softmax and softmax cross-entropy
 * both start this way.
 */
export function rowMaxAndExpSum(wg: number): string {
  return `var<workgroup> sh: array<f32, ${wg}>;
@compute @workgroup_size(${wg})
fn main(@builtin(workgroup_id) wid: vec3<u32>, @builtin(num_workgroups) nwg: vec3<u32>,
        @builtin(local_invocation_index) lid: u32) {
  ${WORKGROUP_ROW}
  if (row >= p[0]) { return; }
  let cols = p[1];
  let base = row * cols;
  var m = ${F32_NEG_INF};
  for (var c = i32(lid); c < cols; c += ${wg}) { m = max(m, x[base + c]); }
  sh[lid] = m;
${treeReduce(wg, (a, b) => `max(${a}, ${b})`)}
  let rowMax = sh[0];
  workgroupBarrier();
  var s = 0.0;
  for (var c = i32(lid); c < cols; c += ${wg}) { s = s + exp(x[base + c] - rowMax); }
  sh[lid] = s;
${treeReduce(wg, (a, b) => `${a} + ${b}`)}
  let total = sh[0];
`;
}

function shader(wg: number, log: boolean): string {
  const write = log ? 'x[base + c] - rowMax - log(total)' : 'exp(x[base + c] - rowMax) / total';
  return `${declare([{ name: 'x', type: 'f32' }, { name: 'out', type: 'f32', write: true }])}
${rowMaxAndExpSum(wg)}  for (var c = i32(lid); c < cols; c += ${wg}) { out[base + c] = ${write}; }
}
`;
}

export function softmaxKernel(ctx: GpuContext, x: WebGpuBuffer, out: WebGpuBuffer, args: SoftmaxArgs): void {
  const { rows, cols, log } = args;
  if (rows === 0 || cols === 0) return;
  const pipeline = ctx.pipeline(`softmax:${log ? 'log' : 'plain'}`, () => shader(ctx.workgroupSize, log));
  ctx.dispatch(pipeline, [x.gpu('softmax'), out.gpu('softmax')], Int32Array.of(rows, cols), ctx.grid(rows, 1));
}
