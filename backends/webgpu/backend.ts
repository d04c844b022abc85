/**
 * The WebGPU backend: validates arguments, then records kernels (./kernels, one primitive per file)
 * into the context's open command encoder. Nothing waits on the GPU except `read`.
 */
import {
  COMPARISON_OPS,
  type ArgReduceOp, type Backend, type BackendBuffer, type BackendCapabilities, type BinaryArgs, type BinaryOp, type DType,
  type MatMulArgs, type ReduceArgs, type ReduceOp, type SoftmaxArgs, type StridedCopyArgs, type TypedArray, type UnaryOp,
  type ElementwiseArgs, type MatMulEpilogue, type SoftmaxCrossEntropyArgs, type GatherArgs, type SelectArgs,
} from '../interface';
import { DTYPES, isDType } from '../../src-core/base/dtype';
import { GpuContext, STORAGE_USAGE } from './context';
import { WebGpuBuffer, asWebGpuBuffer } from './buffer';
import { checkAtLeast, checkCount, checkDtype, checkSize, checkStridedView, fail, shapeSize } from './checks';
import { createArgumentChecks } from '../argument-checks';
import { checkCrossEntropyCall, checkElementwiseCall, checkMatmulEpilogueCall, checkProgram } from '../fused-checks';
import { elementwiseFusedKernel } from './kernels/elementwise-fused';
import { softmaxCrossEntropyKernel } from './kernels/softmax-cross-entropy';
import { argReduceKernel } from './kernels/arg-reduce';
import { binaryKernel } from './kernels/binary';
import { castKernel } from './kernels/cast';
import { fillKernel } from './kernels/fill';
import { matmulEpilogueKernel, matmulKernel } from './kernels/matmul';
import { reduceKernel } from './kernels/reduce';
import { softmaxKernel } from './kernels/softmax';
import { stridedCopyKernel } from './kernels/strided-copy';
import { unaryKernel } from './kernels/unary';
import { gatherKernel, segmentSumKernel, selectKernel } from './kernels/gather';
import { checkGatherCall, checkSelectCall } from '../select-gather-checks';

const checks = createArgumentChecks(fail);

export class WebGpuBackend implements Backend {
  readonly name = 'webgpu';
  readonly capabilities: BackendCapabilities;
  private readonly live = new Set<WebGpuBuffer>();
  /** Programs already validated, by key: a steady step re-checks only buffers and strides. */
  private readonly checkedPrograms = new Set<string>();

  constructor(readonly ctx: GpuContext) {
    // Every element is 4 bytes on the device (bool as u32), and a tensor is bound whole.
    this.capabilities = {
      dtypes: DTYPES, sync: false, maxBufferElements: Math.floor(ctx.maxBufferBytes / 4),
      adapter: { description: ctx.description, software: ctx.software },
    };
  }

  /** Resolves with the reason once the device is lost; every call after that throws 'webgpu device lost: ...'. */
  get lost(): Promise<string> {
    return this.ctx.lost;
  }

  /** Submits the recorded work without waiting for it (read does this itself). */
  flush(): void {
    this.ctx.check('flush');
    this.ctx.flush();
  }

  // ---- buffers ----

  alloc(dtype: DType, size: number): BackendBuffer {
    this.ctx.check('alloc');
    if (!isDType(dtype)) fail('alloc', `unknown dtype '${String(dtype)}'`);
    checkCount('alloc', 'size', size);
    if (size > this.capabilities.maxBufferElements) {
      fail('alloc', `a buffer of ${size} elements (${size * 4} bytes) exceeds the device limit of ${this.capabilities.maxBufferElements} elements (${this.ctx.maxBufferBytes} bytes)`);
    }
    const buffer = new WebGpuBuffer(dtype, size, this.ctx.storage.take(size * 4, STORAGE_USAGE));
    this.live.add(buffer);
    return buffer;
  }

  free(buffer: BackendBuffer): void {
    const b = asWebGpuBuffer(buffer, 'free');
    const storage = b.release();
    this.live.delete(b);
    // Reusing it is safe: later queue writes flush first, and later kernels are recorded after this point.
    if (storage !== null && !this.ctx.isDisposed) this.ctx.storage.give(storage, STORAGE_USAGE);
  }

  write(buffer: BackendBuffer, data: TypedArray): void {
    this.ctx.check('write');
    const b = asWebGpuBuffer(buffer, 'write');
    if (data.length !== b.size) fail('write', `data has ${data.length} elements, buffer has ${b.size}`);
    // bool storage must hold exactly 0/1, widened to u32; the other dtypes are already 32-bit.
    const bytes = b.dtype === 'bool' ? Uint32Array.from(data, (v) => (v !== 0 ? 1 : 0)) : data;
    this.ctx.write(b.gpu('write'), bytes);
  }

  async read(buffer: BackendBuffer): Promise<TypedArray> {
    this.ctx.check('read');
    const b = asWebGpuBuffer(buffer, 'read');
    const bytes = await this.ctx.read(b.gpu('read'), b.bytes);
    if (b.dtype === 'float32') return new Float32Array(bytes);
    if (b.dtype === 'int32') return new Int32Array(bytes);
    return Uint8Array.from(new Uint32Array(bytes));
  }

  dispose(): void {
    for (const b of this.live) b.release();
    this.live.clear();
    this.ctx.dispose();
  }

  // ---- primitives ----

  fill(out: BackendBuffer, value: number): void {
    this.ctx.check('fill');
    fillKernel(this.ctx, asWebGpuBuffer(out, 'fill'), value);
  }

  cast(x: BackendBuffer, out: BackendBuffer): void {
    this.ctx.check('cast');
    checkSize('cast', 'out', out, x.size);
    castKernel(this.ctx, asWebGpuBuffer(x, 'cast'), asWebGpuBuffer(out, 'cast'));
  }

  unary(op: UnaryOp, x: BackendBuffer, out: BackendBuffer): void {
    this.ctx.check('unary');
    checkSize('unary', 'out', out, x.size);
    unaryKernel(this.ctx, op, asWebGpuBuffer(x, 'unary'), asWebGpuBuffer(out, 'unary'));
  }

  binary(op: BinaryOp, a: BackendBuffer, b: BackendBuffer, out: BackendBuffer, args: BinaryArgs): void {
    const method = `binary ${op}`;
    this.ctx.check(method);
    if (a.dtype !== b.dtype) fail(method, `operands must share a dtype, got ${a.dtype} and ${b.dtype}`);
    checkDtype(method, 'out', out, COMPARISON_OPS.has(op) ? 'bool' : a.dtype);
    checkSize(method, 'out', out, shapeSize(method, args.shape));
    if (out.size > 0) {
      checkStridedView(method, 'a', a, args.shape, args.aStrides, 0);
      checkStridedView(method, 'b', b, args.shape, args.bStrides, 0);
    }
    binaryKernel(this.ctx, op, asWebGpuBuffer(a, method), asWebGpuBuffer(b, method), asWebGpuBuffer(out, method), args);
  }

  reduce(op: ReduceOp, x: BackendBuffer, out: BackendBuffer, args: ReduceArgs): void {
    const method = `reduce ${op}`;
    this.checkReduceArgs(method, x, out, args);
    checkDtype(method, 'out', out, x.dtype);
    reduceKernel(this.ctx, op, asWebGpuBuffer(x, method), asWebGpuBuffer(out, method), args);
  }

  argReduce(op: ArgReduceOp, x: BackendBuffer, out: BackendBuffer, args: ReduceArgs): void {
    const method = `argReduce ${op}`;
    this.checkReduceArgs(method, x, out, args);
    checkDtype(method, 'out', out, 'int32');
    argReduceKernel(this.ctx, op, asWebGpuBuffer(x, method), asWebGpuBuffer(out, method), args);
  }

  matmul(a: BackendBuffer, b: BackendBuffer, out: BackendBuffer, args: MatMulArgs): void {
    this.ctx.check('matmul');
    const { batch, m, n, k, aBatchStride, bBatchStride } = args;
    for (const [name, value] of Object.entries({ batch, m, n, k, aBatchStride, bBatchStride })) checkCount('matmul', name, value);
    for (const [role, buffer] of [['a', a], ['b', b], ['out', out]] as const) checkDtype('matmul', role, buffer, 'float32');
    checkSize('matmul', 'out', out, batch * m * n);
    if (batch > 0) {
      checkAtLeast('matmul', 'a', a, (batch - 1) * aBatchStride + m * k);
      checkAtLeast('matmul', 'b', b, (batch - 1) * bBatchStride + k * n);
    }
    matmulKernel(this.ctx, asWebGpuBuffer(a, 'matmul'), asWebGpuBuffer(b, 'matmul'), asWebGpuBuffer(out, 'matmul'), args);
  }

  stridedCopy(x: BackendBuffer, out: BackendBuffer, args: StridedCopyArgs): void {
    const method = 'stridedCopy';
    this.ctx.check(method);
    if (x.dtype !== out.dtype) fail(method, `x is ${x.dtype} but out is ${out.dtype}`);
    const count = shapeSize(method, args.shape);
    if (args.outStrides === undefined) {
      checkSize(method, 'out', out, count);
      if (args.outOffset !== undefined && args.outOffset !== 0) fail(method, 'outOffset needs outStrides');
    }
    if (count > 0) {
      checkStridedView(method, 'x', x, args.shape, args.strides, args.offset);
      if (args.outStrides !== undefined) checkStridedView(method, 'out', out, args.shape, args.outStrides, args.outOffset ?? 0);
    }
    stridedCopyKernel(this.ctx, asWebGpuBuffer(x, method), asWebGpuBuffer(out, method), args);
  }

  select(cond: BackendBuffer, a: BackendBuffer, b: BackendBuffer, out: BackendBuffer, args: SelectArgs): void {
    this.ctx.check('select');
    checkSelectCall(checks, fail, cond, a, b, out, args);
    selectKernel(this.ctx, asWebGpuBuffer(cond, 'select'), asWebGpuBuffer(a, 'select'), asWebGpuBuffer(b, 'select'), asWebGpuBuffer(out, 'select'), args);
  }

  gather(params: BackendBuffer, indices: BackendBuffer, out: BackendBuffer, args: GatherArgs): void {
    this.ctx.check('gather');
    checkGatherCall(checks, fail, 'gather', params, indices, out, args);
    gatherKernel(this.ctx, asWebGpuBuffer(params, 'gather'), asWebGpuBuffer(indices, 'gather'), asWebGpuBuffer(out, 'gather'), args);
  }

  segmentSum(x: BackendBuffer, indices: BackendBuffer, out: BackendBuffer, args: GatherArgs): void {
    this.ctx.check('segmentSum');
    checkGatherCall(checks, fail, 'segmentSum', x, indices, out, args);
    segmentSumKernel(this.ctx, asWebGpuBuffer(x, 'segmentSum'), asWebGpuBuffer(indices, 'segmentSum'), asWebGpuBuffer(out, 'segmentSum'), args);
  }

  softmax(x: BackendBuffer, out: BackendBuffer, args: SoftmaxArgs): void {
    this.ctx.check('softmax');
    checkCount('softmax', 'rows', args.rows);
    checkCount('softmax', 'cols', args.cols);
    for (const [role, buffer] of [['x', x], ['out', out]] as const) {
      checkDtype('softmax', role, buffer, 'float32');
      checkSize('softmax', role, buffer, args.rows * args.cols);
    }
    softmaxKernel(this.ctx, asWebGpuBuffer(x, 'softmax'), asWebGpuBuffer(out, 'softmax'), args);
  }

  elementwise(inputs: readonly BackendBuffer[], out: BackendBuffer, args: ElementwiseArgs): void {
    const method = 'elementwise';
    this.ctx.check(method);
    const owned = inputs.map((input) => asWebGpuBuffer(input, method));
    checkElementwiseCall(checks, fail, inputs, out, args);
    if (!this.checkedPrograms.has(args.key)) {
      checkProgram(fail, args, inputs.length);
      this.checkedPrograms.add(args.key);
    }
    elementwiseFusedKernel(this.ctx, owned, asWebGpuBuffer(out, method), args);
  }

  matmulEpilogue(
    a: BackendBuffer, b: BackendBuffer, bias: BackendBuffer | null, out: BackendBuffer, args: MatMulArgs, epilogue: MatMulEpilogue,
  ): void {
    const method = 'matmulEpilogue';
    this.ctx.check(method);
    checkMatmulEpilogueCall(checks, fail, a, b, bias, out, args, epilogue.bias);
    if (epilogue.activation !== 'relu' && epilogue.activation !== 'none') fail(method, `unknown activation '${String(epilogue.activation)}'`);
    matmulEpilogueKernel(this.ctx, asWebGpuBuffer(a, method), asWebGpuBuffer(b, method),
      bias === null ? null : asWebGpuBuffer(bias, method), asWebGpuBuffer(out, method), args, epilogue);
  }

  softmaxCrossEntropy(
    logits: BackendBuffer, labels: BackendBuffer, loss: BackendBuffer, backprop: BackendBuffer, args: SoftmaxCrossEntropyArgs,
  ): void {
    const method = 'softmaxCrossEntropy';
    this.ctx.check(method);
    checkCrossEntropyCall(checks, logits, labels, loss, backprop, args);
    softmaxCrossEntropyKernel(this.ctx, asWebGpuBuffer(logits, method), asWebGpuBuffer(labels, method),
      asWebGpuBuffer(loss, method), asWebGpuBuffer(backprop, method), args);
  }

  private checkReduceArgs(method: string, x: BackendBuffer, out: BackendBuffer, args: ReduceArgs): void {
    this.ctx.check(method);
    checkCount(method, 'outer', args.outer);
    checkCount(method, 'reduce', args.reduce);
    checkCount(method, 'inner', args.inner);
    checkSize(method, 'x', x, args.outer * args.reduce * args.inner);
    checkSize(method, 'out', out, args.outer * args.inner);
  }
}
