/**
 * The pure-TypeScript CPU backend: host typed arrays as buffers, synchronous kernels, no codegen (so
 * it runs under a strict Content-Security-Policy). Kernels live one primitive per file in ./kernels;
 * this file validates arguments and dispatches.
 */
import {
  COMPARISON_OPS,
  type ArgReduceOp,
  type Backend,
  type BackendBuffer,
  type BackendCapabilities,
  type BackendFactory,
  type BinaryArgs,
  type BinaryOp,
  type DType,
  type ElementwiseArgs,
  type GatherArgs,
  type MatMulArgs,
  type MatMulEpilogue,
  type ReduceArgs,
  type ReduceOp,
  type SelectArgs,
  type SoftmaxArgs,
  type SoftmaxCrossEntropyArgs,
  type StridedCopyArgs,
  type TypedArray,
  type UnaryOp,
} from '../interface';
import { DTYPES, isDType } from '../../src-core/base/dtype';
import { CpuBuffer, cpuData } from './cpu-buffer';
import { checkAtLeast, checkCount, checkDtype, checkSize, checkStridedView, fail, shapeSize } from './checks';
import { createArgumentChecks } from '../argument-checks';
import { checkCrossEntropyCall, checkElementwiseCall, checkMatmulEpilogueCall, checkProgram } from '../fused-checks';
import { FusedElementwise } from './kernels/elementwise-fused';
import { softmaxCrossEntropyKernel } from './kernels/softmax-cross-entropy';
import { argReduceKernel } from './kernels/arg-reduce';
import { binaryKernel } from './kernels/binary';
import { castKernel } from './kernels/cast';
import { fillKernel } from './kernels/fill';
import { matmulKernel } from './kernels/matmul';
import { reduceKernel } from './kernels/reduce';
import { softmaxKernel } from './kernels/softmax';
import { stridedCopyKernel } from './kernels/strided-copy';
import { unaryKernel } from './kernels/unary';
import { selectKernel } from './kernels/select';
import { gatherKernel, segmentSumKernel } from './kernels/gather';
import { checkGatherCall, checkSelectCall } from '../select-gather-checks';

export { CpuBuffer } from './cpu-buffer';

const MAX_BUFFER_ELEMENTS = 2 ** 31 - 1;
const checks = createArgumentChecks(fail);

class CpuBackend implements Backend {
  readonly name = 'cpu';
  readonly capabilities: BackendCapabilities = {
    dtypes: DTYPES,
    sync: true,
    maxBufferElements: MAX_BUFFER_ELEMENTS,
  };
  private readonly live = new Set<CpuBuffer>();
  private disposed = false;
  private readonly fused = new FusedElementwise();
  /** Programs already validated, by key: a steady step re-checks only buffers and strides. */
  private readonly checkedPrograms = new Set<string>();
  /** The inputs' storage, reused per call so a steady step allocates nothing. */
  private readonly inputData: TypedArray[] = [];

  // ---- buffers ----

  alloc(dtype: DType, size: number): BackendBuffer {
    this.checkUsable('alloc');
    if (!isDType(dtype)) fail('alloc', `unknown dtype '${String(dtype)}'`);
    checkCount('alloc', 'size', size);
    if (size > MAX_BUFFER_ELEMENTS) fail('alloc', `size ${size} exceeds the limit of ${MAX_BUFFER_ELEMENTS} elements`);
    const buffer = new CpuBuffer(dtype, size);
    this.live.add(buffer);
    return buffer;
  }

  free(buffer: BackendBuffer): void {
    if (!(buffer instanceof CpuBuffer)) fail('free', 'buffer was not allocated by the cpu backend');
    buffer.release();
    this.live.delete(buffer);
  }

  write(buffer: BackendBuffer, data: TypedArray): void {
    const storage = cpuData(buffer, 'write');
    if (data.length !== buffer.size) fail('write', `data has ${data.length} elements, buffer has ${buffer.size}`);
    // bool storage must hold exactly 0/1 (equal and logicalNot rely on it), whatever the host array holds.
    if (buffer.dtype === 'bool') castKernel(data, storage, 'bool');
    else storage.set(data);
  }

  read(buffer: BackendBuffer): Promise<TypedArray> {
    try {
      return Promise.resolve(this.readSync(buffer));
    } catch (error) {
      return Promise.reject(error);
    }
  }

  readSync(buffer: BackendBuffer): TypedArray {
    return cpuData(buffer, 'read').slice();
  }

  dispose(): void {
    for (const buffer of this.live) buffer.release();
    this.live.clear();
    this.disposed = true;
  }

  // ---- primitives ----

  fill(out: BackendBuffer, value: number): void {
    fillKernel(cpuData(out, 'fill'), out.dtype, value);
  }

  cast(x: BackendBuffer, out: BackendBuffer): void {
    checkSize('cast', 'out', out, x.size);
    castKernel(cpuData(x, 'cast'), cpuData(out, 'cast'), out.dtype);
  }

  unary(op: UnaryOp, x: BackendBuffer, out: BackendBuffer): void {
    checkSize('unary', 'out', out, x.size);
    unaryKernel(op, cpuData(x, 'unary'), cpuData(out, 'unary'), x.dtype);
  }

  binary(op: BinaryOp, a: BackendBuffer, b: BackendBuffer, out: BackendBuffer, args: BinaryArgs): void {
    const method = `binary ${op}`;
    if (a.dtype !== b.dtype) fail(method, `operands must share a dtype, got ${a.dtype} and ${b.dtype}`);
    if (COMPARISON_OPS.has(op)) checkDtype(method, 'out', out, 'bool');
    checkSize(method, 'out', out, shapeSize(method, args.shape));
    if (out.size > 0) {
      checkStridedView(method, 'a', a, args.shape, args.aStrides, 0);
      checkStridedView(method, 'b', b, args.shape, args.bStrides, 0);
    }
    binaryKernel(op, cpuData(a, method), cpuData(b, method), cpuData(out, method), a.dtype === 'int32', args);
  }

  reduce(op: ReduceOp, x: BackendBuffer, out: BackendBuffer, args: ReduceArgs): void {
    const method = `reduce ${op}`;
    this.checkReduceArgs(method, x, out, args);
    reduceKernel(op, cpuData(x, method), cpuData(out, method), x.dtype, out.dtype, args);
  }

  argReduce(op: ArgReduceOp, x: BackendBuffer, out: BackendBuffer, args: ReduceArgs): void {
    const method = `argReduce ${op}`;
    this.checkReduceArgs(method, x, out, args);
    checkDtype(method, 'out', out, 'int32');
    argReduceKernel(op, cpuData(x, method), cpuData(out, method) as Int32Array, args);
  }

  matmul(a: BackendBuffer, b: BackendBuffer, out: BackendBuffer, args: MatMulArgs): void {
    const { batch, m, n, k, aBatchStride, bBatchStride } = args;
    for (const [name, value] of Object.entries({ batch, m, n, k, aBatchStride, bBatchStride })) {
      checkCount('matmul', name, value);
    }
    checkSize('matmul', 'out', out, batch * m * n);
    if (batch > 0) {
      checkAtLeast('matmul', 'a', a, (batch - 1) * aBatchStride + m * k);
      checkAtLeast('matmul', 'b', b, (batch - 1) * bBatchStride + k * n);
    }
    matmulKernel(cpuData(a, 'matmul'), cpuData(b, 'matmul'), cpuData(out, 'matmul'), args);
  }

  stridedCopy(x: BackendBuffer, out: BackendBuffer, args: StridedCopyArgs): void {
    const method = 'stridedCopy';
    if (x.dtype !== out.dtype) fail(method, `x is ${x.dtype} but out is ${out.dtype}`);
    const count = shapeSize(method, args.shape);
    if (args.outStrides === undefined) {
      // A contiguous output is exactly the view's size; outOffset only makes sense with outStrides.
      checkSize(method, 'out', out, count);
      if (args.outOffset !== undefined && args.outOffset !== 0) fail(method, 'outOffset needs outStrides');
    }
    if (count > 0) {
      checkStridedView(method, 'x', x, args.shape, args.strides, args.offset);
      if (args.outStrides !== undefined) checkStridedView(method, 'out', out, args.shape, args.outStrides, args.outOffset ?? 0);
    }
    stridedCopyKernel(cpuData(x, method), cpuData(out, method), args);
  }

  select(cond: BackendBuffer, a: BackendBuffer, b: BackendBuffer, out: BackendBuffer, args: SelectArgs): void {
    checkSelectCall(checks, fail, cond, a, b, out, args);
    selectKernel(cpuData(cond, 'select') as Uint8Array, cpuData(a, 'select'), cpuData(b, 'select'), cpuData(out, 'select'), args);
  }

  gather(params: BackendBuffer, indices: BackendBuffer, out: BackendBuffer, args: GatherArgs): void {
    checkGatherCall(checks, fail, 'gather', params, indices, out, args);
    gatherKernel(cpuData(params, 'gather'), cpuData(indices, 'gather') as Int32Array, cpuData(out, 'gather'), args);
  }

  segmentSum(x: BackendBuffer, indices: BackendBuffer, out: BackendBuffer, args: GatherArgs): void {
    checkGatherCall(checks, fail, 'segmentSum', x, indices, out, args);
    segmentSumKernel(cpuData(x, 'segmentSum') as Float32Array | Int32Array, cpuData(indices, 'segmentSum') as Int32Array, cpuData(out, 'segmentSum') as Float32Array | Int32Array, args);
  }

  softmax(x: BackendBuffer, out: BackendBuffer, args: SoftmaxArgs): void {
    checkCount('softmax', 'rows', args.rows);
    checkCount('softmax', 'cols', args.cols);
    checkSize('softmax', 'x', x, args.rows * args.cols);
    checkSize('softmax', 'out', out, x.size);
    softmaxKernel(cpuData(x, 'softmax'), cpuData(out, 'softmax'), args);
  }

  softmaxCrossEntropy(
    logits: BackendBuffer, labels: BackendBuffer, loss: BackendBuffer, backprop: BackendBuffer, args: SoftmaxCrossEntropyArgs,
  ): void {
    const method = 'softmaxCrossEntropy';
    checkCrossEntropyCall(checks, logits, labels, loss, backprop, args);
    softmaxCrossEntropyKernel(cpuData(logits, method), cpuData(labels, method), cpuData(loss, method), cpuData(backprop, method), args);
  }

  elementwise(inputs: readonly BackendBuffer[], out: BackendBuffer, args: ElementwiseArgs): void {
    const method = 'elementwise';
    checkElementwiseCall(checks, fail, inputs, out, args);
    if (!this.checkedPrograms.has(args.key)) {
      checkProgram(fail, args, inputs.length);
      this.checkedPrograms.add(args.key);
    }
    const data = this.inputData;
    data.length = inputs.length;
    for (let j = 0; j < inputs.length; j++) data[j] = cpuData(inputs[j], method);
    this.fused.run(data, cpuData(out, method), args);
  }

  matmulEpilogue(
    a: BackendBuffer, b: BackendBuffer, bias: BackendBuffer | null, out: BackendBuffer, args: MatMulArgs, epilogue: MatMulEpilogue,
  ): void {
    const method = 'matmulEpilogue';
    checkMatmulEpilogueCall(checks, fail, a, b, bias, out, args, epilogue.bias);
    const relu = epilogue.activation === 'relu';
    if (!relu && epilogue.activation !== 'none') fail(method, `unknown activation '${String(epilogue.activation)}'`);
    matmulKernel(cpuData(a, method), cpuData(b, method), cpuData(out, method), args, {
      bias: bias === null ? null : cpuData(bias, method), relu,
    });
  }

  private checkReduceArgs(method: string, x: BackendBuffer, out: BackendBuffer, args: ReduceArgs): void {
    checkCount(method, 'outer', args.outer);
    checkCount(method, 'reduce', args.reduce);
    checkCount(method, 'inner', args.inner);
    checkSize(method, 'x', x, args.outer * args.reduce * args.inner);
    checkSize(method, 'out', out, args.outer * args.inner);
  }

  private checkUsable(method: string): void {
    if (this.disposed) fail(method, 'backend has been disposed');
  }
}

export function createCpuBackend(): Backend {
  return new CpuBackend();
}

export const cpuBackendFactory: BackendFactory = createCpuBackend;
