/**
 * Batched matmul with square tiles in workgroup memory: each workgroup stages a T×T tile of A and of B
 * per step along k, so every operand element is read from storage once per tile instead of once per
 * product. One shader per transpose combination (the flags pick the addressing); the batch is the
 * grid's z, and a batch stride of 0 broadcasts an operand. Each output sums its k products in order.
 */
import type { MatMulArgs } from '../../interface';
import type { GpuContext } from '../context';
import type { WebGpuBuffer } from '../buffer';
import { declare } from '../wgsl';

function shader(T: number, transposeA: boolean, transposeB: boolean): string {
  // p = [m, n, k, aBatchStride, bBatchStride]
  const aAt = transposeA ? 'aBase + kk * m + row' : 'aBase + row * k + kk';
  const bAt = transposeB ? 'bBase + col * k + kk' : 'bBase + kk * n + col';
  return `${declare([{ name: 'a', type: 'f32' }, { name: 'b', type: 'f32' }, { name: 'out', type: 'f32', write: true }])}
var<workgroup> tileA: array<f32, ${T * T}>;
var<workgroup> tileB: array<f32, ${T * T}>;
@compute @workgroup_size(${T}, ${T})
fn main(@builtin(workgroup_id) wid: vec3<u32>, @builtin(local_invocation_id) lid: vec3<u32>) {
  let m = p[0];
  let n = p[1];
  let k = p[2];
  let batch = i32(wid.z);
  let tx = i32(lid.x);
  let ty = i32(lid.y);
  let outRow = i32(wid.y) * ${T} + ty;
  let outCol = i32(wid.x) * ${T} + tx;
  let aBase = batch * p[3];
  let bBase = batch * p[4];
  var acc = 0.0;
  for (var t = 0; t < k; t += ${T}) {
    {
      let row = outRow;
      let kk = t + tx;
      var v = 0.0;
      if (row < m && kk < k) { v = a[${aAt}]; }
      tileA[ty * ${T} + tx] = v;
    }
    {
      let col = outCol;
      let kk = t + ty;
      var v = 0.0;
      if (col < n && kk < k) { v = b[${bAt}]; }
      tileB[ty * ${T} + tx] = v;
    }
    workgroupBarrier();
    for (var j = 0; j < ${T}; j++) { acc = acc + tileA[ty * ${T} + j] * tileB[j * ${T} + tx]; }
    workgroupBarrier();
  }
  if (outRow < m && outCol < n) { out[batch * m * n + outRow * n + outCol] = acc; }
}
`;
}

export function matmulKernel(ctx: GpuContext, a: WebGpuBuffer, b: WebGpuBuffer, out: WebGpuBuffer, args: MatMulArgs): void {
  const { batch, m, n, k, transposeA, transposeB } = args;
  if (out.size === 0) return;
  const T = ctx.tile;
  const limit = ctx.device.limits.maxComputeWorkgroupsPerDimension;
  const groups: [number, number, number] = [Math.ceil(n / T), Math.ceil(m / T), batch];
  if (groups.some((g) => g > limit)) throw new Error(`webgpu matmul: grid [${groups}] exceeds ${limit} workgroups per dimension`);
  const pipeline = ctx.pipeline(`matmul:${T}:${transposeA ? 'aT' : 'a'}:${transposeB ? 'bT' : 'b'}`, () => shader(T, transposeA, transposeB));
  const params = Int32Array.of(m, n, k, args.aBatchStride, args.bBatchStride);
  ctx.dispatch(pipeline, [a.gpu('matmul'), b.gpu('matmul'), out.gpu('matmul')], params, groups);
}
