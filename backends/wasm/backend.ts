/**
 * The WebAssembly backend: buffers live in one WebAssembly.Memory managed by WasmHeap, and every
 * primitive is one call into kernels.wasm (C compiled with 128-bit SIMD, see csrc/). This file
 * validates arguments and dispatches; the per-primitive dispatchers live in ./kernels.
 */
import {
  COMPARISON_OPS,
  type ArgReduceOp,
  type Backend,
  type BackendBuffer,
  type BackendCapabilities,
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
import { checkAtLeast, checkCount, checkDtype, checkSize, checkStridedView, fail, shapeSize } from './checks';
import { createArgumentChecks } from '../argument-checks';
import { checkCrossEntropyCall, checkElementwiseCall, checkMatmulEpilogueCall, checkProgram } from '../fused-checks';
import { FusedElementwiseKernel } from './kernels/elementwise-fused';
import { WasmHeap, sizeClass, type HeapStats } from './heap';
import type { KernelExports } from './kernel-exports';
import type { KernelModule, WasmArtifact } from './loader';
import { MatmulThreads, planThreads } from './threads';
import { BYTES_PER_ELEMENT, WasmBuffer, viewOf } from './wasm-buffer';
import { argReduceKernel } from './kernels/arg-reduce';
import { binaryKernel } from './kernels/binary';
import { castKernel } from './kernels/cast';
import type { KernelContext } from './kernels/context';
import { fillKernel } from './kernels/fill';
import { matmulEpilogueKernel, matmulKernel } from './kernels/matmul';
import { reduceKernel } from './kernels/reduce';
import { softmaxKernel } from './kernels/softmax';
import { stridedCopyKernel } from './kernels/strided-copy';
import { unaryKernel } from './kernels/unary';
import { gatherKernel, segmentSumKernel, selectKernel } from './kernels/gather';
import { checkGatherCall, checkSelectCall } from '../select-gather-checks';

const checks = createArgumentChecks(fail);

/** 2 GiB of float32: well inside wasm32's 4 GiB, with room for the rest of a model. */
const MAX_BUFFER_ELEMENTS = 2 ** 29;

export interface WasmBackendOptions {
  /**
   * Threads for large matmuls, the calling thread included (1 to 16). Default:
   * $TINYFLOW_WASM_THREADS, else the cores up to 4. Hosts without worker threads or a shared
   * memory (browsers, for now) always get 1.
   */
  readonly threads?: number;
  /**
   * Which build of the kernels: 'relaxed-simd' (fused multiply-add; an error where the host lacks
   * relaxed SIMD) or 'simd128'. Default: $TINYFLOW_WASM_KERNELS, else relaxed SIMD where the host
   * has it.
   */
  readonly artifact?: WasmArtifact;
}

export interface WasmCapabilities extends BackendCapabilities {
  /** The kernels' build: 'relaxed-simd' (fused multiply-add) or 'simd128'. */
  readonly kernels: WasmArtifact;
  /** Why the SIMD128 build runs, where relaxed SIMD was not turned down on purpose. */
  readonly kernelsReason?: string;
  /** Threads a large matmul runs on, the calling thread included. */
  readonly threads: number;
  /** Why `threads` is 1, where it is. */
  readonly singleThreadReason?: string;
}

/** Workers of a backend that is garbage-collected without dispose() are terminated all the same. */
const abandonedThreads = new FinalizationRegistry<MatmulThreads>((threads) => threads.dispose());

export class WasmBackend implements Backend, KernelContext {
  readonly name = 'wasm';
  readonly capabilities: WasmCapabilities;
  readonly kernels: KernelExports;
  readonly heap: WasmHeap;
  readonly matmulThreads: MatmulThreads | null;
  private readonly live = new Set<WasmBuffer>();
  private disposed = false;
  private readonly fused = new FusedElementwiseKernel();
  /** Programs already validated, by key: a steady step re-checks only buffers and strides. */
  private readonly checkedPrograms = new Set<string>();
  /** The inputs as this backend's buffers, reused per call so a steady step allocates nothing. */
  private readonly fusedInputs: WasmBuffer[] = [];

  constructor(kernels: KernelExports, module: KernelModule, options: WasmBackendOptions = {}) {
    this.kernels = kernels;
    this.heap = new WasmHeap(kernels.memory, kernels.heapBase);
    const plan = planThreads(module, options.threads);
    this.matmulThreads =
      plan.workerThreads === undefined ? null : new MatmulThreads(module, kernels, this.heap, plan.workerThreads, plan.threads);
    if (this.matmulThreads !== null) abandonedThreads.register(this, this.matmulThreads, this);
    this.capabilities = {
      dtypes: DTYPES, sync: true, maxBufferElements: MAX_BUFFER_ELEMENTS, kernels: module.artifact,
      ...(module.fallbackReason === undefined ? {} : { kernelsReason: module.fallbackReason }),
      threads: plan.threads,
      ...(plan.reason === undefined ? {} : { singleThreadReason: plan.reason }),
    };
  }

  /**
   * Starts the matmul worker threads now (they otherwise start at the first large matmul, which
   * runs alone until they are up) and resolves to how many threads are ready, the caller included.
   */
  async threadsReady(): Promise<number> {
    return this.matmulThreads === null ? 1 : this.matmulThreads.whenReady();
  }

  /** The backend's one memory, for tests and tools (e.g. to confirm a step does not grow it). */
  get memory(): WebAssembly.Memory {
    return this.kernels.memory;
  }

  /** Grows the memory now so that `bytes` more can be allocated without growing it later. */
  reserve(bytes: number): void {
    this.checkUsable('reserve');
    this.heap.reserve(bytes);
  }

  /** Allocation counters and memory sizes: a steady-state training step leaves them unchanged. */
  memoryStats(): HeapStats {
    return this.heap.stats();
  }

  // ---- buffers ----

  alloc(dtype: DType, size: number): BackendBuffer {
    this.checkUsable('alloc');
    if (!isDType(dtype)) fail('alloc', `unknown dtype '${String(dtype)}'`);
    checkCount('alloc', 'size', size);
    if (size > MAX_BUFFER_ELEMENTS) fail('alloc', `size ${size} exceeds the limit of ${MAX_BUFFER_ELEMENTS} elements`);
    const bytes = size * BYTES_PER_ELEMENT[dtype];
    const capacity = bytes === 0 ? 0 : sizeClass(bytes);
    const offset = capacity === 0 ? 0 : this.heap.allocate(capacity);
    const buffer = new WasmBuffer(this, dtype, size, offset, capacity);
    this.live.add(buffer);
    return buffer;
  }

  free(buffer: BackendBuffer): void {
    const owned = this.own(buffer, 'free');
    if (!this.live.delete(owned)) return; // already freed (or freed by dispose): nothing to give back
    owned.markFreed();
    if (owned.capacity > 0) this.heap.release(owned.offset, owned.capacity);
  }

  write(buffer: BackendBuffer, data: TypedArray): void {
    const target = this.use(buffer, 'write');
    if (data.length !== target.size) fail('write', `data has ${data.length} elements, buffer has ${target.size}`);
    const view = viewOf(this.heap.u8.buffer as ArrayBuffer, target);
    if (target.dtype === 'bool' && !(data instanceof Uint8Array)) {
      for (let i = 0; i < data.length; i++) view[i] = data[i] !== 0 ? 1 : 0;
    } else {
      view.set(data); // converts like a typed-array store: fround for float32, ToInt32 for int32
    }
  }

  read(buffer: BackendBuffer): Promise<TypedArray> {
    try {
      return Promise.resolve(this.readSync(buffer));
    } catch (error) {
      return Promise.reject(error);
    }
  }

  readSync(buffer: BackendBuffer): TypedArray {
    return viewOf(this.heap.u8.buffer as ArrayBuffer, this.use(buffer, 'read')).slice();
  }

  /** Frees every buffer and terminates the worker threads. The memory itself is released when the backend is garbage-collected. */
  dispose(): void {
    for (const buffer of this.live) buffer.markFreed();
    this.live.clear();
    this.disposed = true;
    if (this.matmulThreads !== null) {
      this.matmulThreads.dispose();
      abandonedThreads.unregister(this);
    }
  }

  // ---- primitives ----

  fill(out: BackendBuffer, value: number): void {
    fillKernel(this, this.use(out, 'fill'), value);
  }

  cast(x: BackendBuffer, out: BackendBuffer): void {
    checkSize('cast', 'out', out, x.size);
    castKernel(this, this.use(x, 'cast'), this.use(out, 'cast'));
  }

  unary(op: UnaryOp, x: BackendBuffer, out: BackendBuffer): void {
    checkSize('unary', 'out', out, x.size);
    unaryKernel(this, op, this.use(x, 'unary'), this.use(out, 'unary'));
  }

  binary(op: BinaryOp, a: BackendBuffer, b: BackendBuffer, out: BackendBuffer, args: BinaryArgs): void {
    const method = `binary ${op}`;
    const [wa, wb, wo] = [this.use(a, method), this.use(b, method), this.use(out, method)];
    if (a.dtype !== b.dtype) fail(method, `operands must share a dtype, got ${a.dtype} and ${b.dtype}`);
    checkDtype(method, 'out', out, COMPARISON_OPS.has(op) ? 'bool' : a.dtype);
    checkSize(method, 'out', out, shapeSize(method, args.shape));
    if (out.size > 0) {
      checkStridedView(method, 'a', a, args.shape, args.aStrides, 0);
      checkStridedView(method, 'b', b, args.shape, args.bStrides, 0);
    }
    binaryKernel(this, op, wa, wb, wo, args);
  }

  reduce(op: ReduceOp, x: BackendBuffer, out: BackendBuffer, args: ReduceArgs): void {
    const method = `reduce ${op}`;
    this.checkReduceArgs(method, x, out, args);
    reduceKernel(this, op, this.use(x, method), this.use(out, method), args);
  }

  argReduce(op: ArgReduceOp, x: BackendBuffer, out: BackendBuffer, args: ReduceArgs): void {
    const method = `argReduce ${op}`;
    this.checkReduceArgs(method, x, out, args);
    checkDtype(method, 'out', out, 'int32');
    argReduceKernel(this, op, this.use(x, method), this.use(out, method), args);
  }

  matmul(a: BackendBuffer, b: BackendBuffer, out: BackendBuffer, args: MatMulArgs): void {
    const { batch, m, n, k, aBatchStride, bBatchStride } = args;
    for (const [name, value] of Object.entries({ batch, m, n, k, aBatchStride, bBatchStride })) {
      checkCount('matmul', name, value);
    }
    if (a.dtype !== b.dtype) fail('matmul', `operands must share a dtype, got ${a.dtype} and ${b.dtype}`);
    checkDtype('matmul', 'out', out, a.dtype);
    checkSize('matmul', 'out', out, batch * m * n);
    if (batch > 0) {
      checkAtLeast('matmul', 'a', a, (batch - 1) * aBatchStride + m * k);
      checkAtLeast('matmul', 'b', b, (batch - 1) * bBatchStride + k * n);
    }
    matmulKernel(this, this.use(a, 'matmul'), this.use(b, 'matmul'), this.use(out, 'matmul'), args);
  }

  stridedCopy(x: BackendBuffer, out: BackendBuffer, args: StridedCopyArgs): void {
    const method = 'stridedCopy';
    const [wx, wo] = [this.use(x, method), this.use(out, method)];
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
    stridedCopyKernel(this, wx, wo, args);
  }

  select(cond: BackendBuffer, a: BackendBuffer, b: BackendBuffer, out: BackendBuffer, args: SelectArgs): void {
    const [wc, wa, wb, wo] = [this.use(cond, 'select'), this.use(a, 'select'), this.use(b, 'select'), this.use(out, 'select')];
    checkSelectCall(checks, fail, cond, a, b, out, args);
    selectKernel(this, wc, wa, wb, wo, args);
  }

  gather(params: BackendBuffer, indices: BackendBuffer, out: BackendBuffer, args: GatherArgs): void {
    const [wp, wi, wo] = [this.use(params, 'gather'), this.use(indices, 'gather'), this.use(out, 'gather')];
    checkGatherCall(checks, fail, 'gather', params, indices, out, args);
    gatherKernel(this, wp, wi, wo, args);
  }

  segmentSum(x: BackendBuffer, indices: BackendBuffer, out: BackendBuffer, args: GatherArgs): void {
    const [wx, wi, wo] = [this.use(x, 'segmentSum'), this.use(indices, 'segmentSum'), this.use(out, 'segmentSum')];
    checkGatherCall(checks, fail, 'segmentSum', x, indices, out, args);
    segmentSumKernel(this, wx, wi, wo, args);
  }

  softmax(x: BackendBuffer, out: BackendBuffer, args: SoftmaxArgs): void {
    checkCount('softmax', 'rows', args.rows);
    checkCount('softmax', 'cols', args.cols);
    checkSize('softmax', 'x', x, args.rows * args.cols);
    checkSize('softmax', 'out', out, x.size);
    checkDtype('softmax', 'x', x, 'float32');
    checkDtype('softmax', 'out', out, 'float32');
    softmaxKernel(this, this.use(x, 'softmax'), this.use(out, 'softmax'), args);
  }

  // ---- fused kernels (csrc/fused.c) ----

  elementwise(inputs: readonly BackendBuffer[], out: BackendBuffer, args: ElementwiseArgs): void {
    const method = 'elementwise';
    const wo = this.use(out, method);
    const owned = this.fusedInputs;
    owned.length = inputs.length;
    for (let j = 0; j < inputs.length; j++) owned[j] = this.use(inputs[j], method);
    checkElementwiseCall(checks, fail, inputs, out, args);
    if (!this.checkedPrograms.has(args.key)) {
      checkProgram(fail, args, inputs.length);
      this.checkedPrograms.add(args.key);
    }
    this.fused.run(this, owned, wo, args);
  }

  matmulEpilogue(
    a: BackendBuffer, b: BackendBuffer, bias: BackendBuffer | null, out: BackendBuffer, args: MatMulArgs, epilogue: MatMulEpilogue,
  ): void {
    const method = 'matmulEpilogue';
    const [wa, wb, wo] = [this.use(a, method), this.use(b, method), this.use(out, method)];
    const wbias = bias === null ? null : this.use(bias, method);
    checkMatmulEpilogueCall(checks, fail, a, b, bias, out, args, epilogue.bias);
    if (epilogue.activation !== 'relu' && epilogue.activation !== 'none') fail(method, `unknown activation '${String(epilogue.activation)}'`);
    if (out.size === 0) return;
    const relu = epilogue.activation === 'relu';
    if (args.k > 0) {
      matmulEpilogueKernel(this, wa, wb, wbias, wo, args, relu);
      return;
    }
    this.kernels.fill32(wo.offset, out.size, 0);
    this.kernels.matmul_epilogue(wo.offset, wbias === null ? 0 : wbias.offset, args.batch * args.m, args.n, +relu);
  }

  softmaxCrossEntropy(
    logits: BackendBuffer, labels: BackendBuffer, loss: BackendBuffer, backprop: BackendBuffer, args: SoftmaxCrossEntropyArgs,
  ): void {
    const method = 'softmaxCrossEntropy';
    const [wx, wl, wloss, wback] = [this.use(logits, method), this.use(labels, method), this.use(loss, method), this.use(backprop, method)];
    checkCrossEntropyCall(checks, logits, labels, loss, backprop, args);
    if (args.rows === 0) return;
    this.kernels.softmax_cross_entropy(wx.offset, wl.offset, wloss.offset, wback.offset, args.rows, args.cols);
  }

  // ---- helpers ----

  private checkReduceArgs(method: string, x: BackendBuffer, out: BackendBuffer, args: ReduceArgs): void {
    checkCount(method, 'outer', args.outer);
    checkCount(method, 'reduce', args.reduce);
    checkCount(method, 'inner', args.inner);
    checkSize(method, 'x', x, args.outer * args.reduce * args.inner);
    checkSize(method, 'out', out, args.outer * args.inner);
  }

  private own(buffer: BackendBuffer, method: string): WasmBuffer {
    if (!(buffer instanceof WasmBuffer) || buffer.owner !== this) {
      fail(method, 'buffer was not allocated by this wasm backend');
    }
    return buffer;
  }

  /** The buffer as a WasmBuffer of this backend that is still live; fails loudly otherwise. */
  private use(buffer: BackendBuffer, method: string): WasmBuffer {
    const owned = this.own(buffer, method);
    if (owned.isFreed) fail(method, `buffer (${owned.dtype}[${owned.size}]) used after free`);
    return owned;
  }

  private checkUsable(method: string): void {
    if (this.disposed) fail(method, 'backend has been disposed');
  }
}
