/**
 * Batched matmul with square tiles in workgroup memory: each workgroup stages a T×T tile of A and of B
 * per step along k, so every operand element is read from storage once per tile instead of once per
 * product. One shader per transpose combination (the flags pick the addressing); the batch is the
 * grid's z, and a batch stride of 0 broadcasts an operand. Each output sums its k products in order.
 */
import type { MatMulArgs, MatMulEpilogue } from '../../interface';
import type { GpuContext } from '../context';
import type { WebGpuBuffer } from '../buffer';
import { declare, type Binding } from '../wgsl';
import { floatExpr } from './unary';

/** What the store applies (matmulEpilogue): the bias binding and relu, as the binary add and unary relu shaders would. */
interface Epilogue {
  readonly bias: boolean;
  readonly relu: boolean;
}

const PLAIN: Epilogue = { bias: false, relu: false };

function store(epilogue: Epilogue): string {
  let value = 'acc';
  if (epilogue.bias) value = `${value} + bias[outCol]`;
  const lines = [`let v: f32 = ${value};`];
  if (epilogue.relu) lines.push(`let w: f32 = ${floatExpr('relu', 'v')};`);
  lines.push(`out[batch * m * n + outRow * n + outCol] = ${epilogue.relu ? 'w' : 'v'};`);
  return lines.join(' ');
}

function shader(T: number, transposeA: boolean, transposeB: boolean, epilogue: Epilogue): string {
  // p = [m, n, k, aBatchStride, bBatchStride]
  const aAt = transposeA ? 'aBase + kk * m + row' : 'aBase + row * k + kk';
  const bAt = transposeB ? 'bBase + col * k + kk' : 'bBase + kk * n + col';
  const bindings: Binding[] = [{ name: 'a', type: 'f32' }, { name: 'b', type: 'f32' }];
  if (epilogue.bias) bindings.push({ name: 'bias', type: 'f32' });
  bindings.push({ name: 'out', type: 'f32', write: true });
  return `${declare(bindings)}
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
  if (outRow < m && outCol < n) { ${store(epilogue)} }
}
`;
}

export function matmulKernel(ctx: GpuContext, a: WebGpuBuffer, b: WebGpuBuffer, out: WebGpuBuffer, args: MatMulArgs): void {
  dispatchMatmul(ctx, a, b, null, out, args, PLAIN);
}

/** matmul with its output transformed before the store: out = act(a·b + bias), `bias` null without one. */
export function matmulEpilogueKernel(
  ctx: GpuContext, a: WebGpuBuffer, b: WebGpuBuffer, bias: WebGpuBuffer | null, out: WebGpuBuffer, args: MatMulArgs, epilogue: MatMulEpilogue,
): void {
  dispatchMatmul(ctx, a, b, bias, out, args, { bias: bias !== null, relu: epilogue.activation === 'relu' });
}

function dispatchMatmul(
  ctx: GpuContext, a: WebGpuBuffer, b: WebGpuBuffer, bias: WebGpuBuffer | null, out: WebGpuBuffer, args: MatMulArgs, epilogue: Epilogue,
): void {
  const { batch, m, n, k, transposeA, transposeB } = args;
  if (out.size === 0) return;
  const T = ctx.tile;
  const limit = ctx.device.limits.maxComputeWorkgroupsPerDimension;
  const groups: [number, number, number] = [Math.ceil(n / T), Math.ceil(m / T), batch];
  if (groups.some((g) => g > limit)) throw new Error(`webgpu matmul: grid [${groups}] exceeds ${limit} workgroups per dimension`);
  const variant = `${epilogue.bias ? ':bias' : ''}${epilogue.relu ? ':relu' : ''}`;
  const pipeline = ctx.pipeline(`matmul:${T}:${transposeA ? 'aT' : 'a'}:${transposeB ? 'bT' : 'b'}${variant}`,
    () => shader(T, transposeA, transposeB, epilogue));
  const params = Int32Array.of(m, n, k, args.aBatchStride, args.bBatchStride);
  const buffers = [a.gpu('matmul'), b.gpu('matmul')];
  if (bias !== null) buffers.push(bias.gpu('matmul'));
  buffers.push(out.gpu('matmul'));
  ctx.dispatch(pipeline, buffers, params, groups);
}
