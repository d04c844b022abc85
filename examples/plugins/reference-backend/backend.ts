/**
 * The reference backend: every buffer a Float64Array, every kernel a plain loop over the contract's
 * formula. It is slow and that is fine: it exists to show what a backend must do, and to give an
 * independent answer the conformance suite can hold other backends to.
 */
import type {
  ArgReduceOp, Backend, BackendBuffer, BackendCapabilities, BinaryArgs, BinaryOp, DType, MatMulArgs, ReduceArgs,
  ReduceOp, SoftmaxArgs, StridedCopyArgs, TypedArray, UnaryOp,
} from '../../../backends/interface';
import { RefBuffer, store } from './kernels/buffer';
import { binary, cast, fill, unary } from './kernels/elementwise';
import { argReduce, reduce } from './kernels/reduce';
import { matmul } from './kernels/matmul';
import { stridedCopy } from './kernels/strided-copy';
import { softmax } from './kernels/softmax';

/** 2^28 float64s (2 GiB) per buffer: beyond that a plain Float64Array is unwise anyway. */
const MAX_ELEMENTS = 2 ** 28;

export interface ReferenceOptions {
  /** Offer the fused softmax kernel (default true); without it the compiler lowers softmax to primitives. */
  fusedSoftmax?: boolean;
}

export class ReferenceBackend implements Backend {
  readonly name = 'reference';
  readonly capabilities: BackendCapabilities = { dtypes: ['float32', 'int32', 'bool'], sync: true, maxBufferElements: MAX_ELEMENTS };
  readonly softmax?: (x: BackendBuffer, out: BackendBuffer, args: SoftmaxArgs) => void;
  private live = new Set<RefBuffer>();
  private disposed = false;

  constructor(options: ReferenceOptions = {}) {
    // An optional kernel is present or absent as a whole method: the compiler tests `backend.softmax`.
    if (options.fusedSoftmax ?? true) this.softmax = (x, out, args) => softmax(this.buf(x, 'softmax'), this.buf(out, 'softmax'), args);
  }

  alloc(dtype: DType, size: number): BackendBuffer {
    if (this.disposed) throw new Error('reference alloc: the backend has been disposed');
    if (!Number.isInteger(size) || size < 0 || size > MAX_ELEMENTS) throw new Error(`reference alloc: bad size ${size}`);
    const buffer = new RefBuffer(dtype, size);
    this.live.add(buffer);
    return buffer;
  }

  free(buffer: BackendBuffer): void {
    this.live.delete(this.buf(buffer, 'free'));
  }

  write(buffer: BackendBuffer, data: TypedArray): void {
    const b = this.buf(buffer, 'write');
    if (data.length !== b.size) throw new Error(`reference write: ${data.length} values for a buffer of ${b.size}`);
    for (let i = 0; i < data.length; i++) b.data[i] = store(b.dtype, data[i]);
  }

  read(buffer: BackendBuffer): Promise<TypedArray> {
    try {
      return Promise.resolve(this.readSync(buffer));
    } catch (e) {
      return Promise.reject(e);
    }
  }

  /** Converting to the dtype's typed array is where float32 values are rounded, once. */
  readSync(buffer: BackendBuffer): TypedArray {
    const b = this.buf(buffer, 'read');
    if (b.dtype === 'float32') return Float32Array.from(b.data);
    return b.dtype === 'int32' ? Int32Array.from(b.data) : Uint8Array.from(b.data);
  }

  dispose(): void {
    this.live.clear();
    this.disposed = true;
  }

  fill(out: BackendBuffer, value: number): void {
    fill(this.buf(out, 'fill'), value);
  }

  cast(x: BackendBuffer, out: BackendBuffer): void {
    cast(this.buf(x, 'cast'), this.buf(out, 'cast'));
  }

  unary(op: UnaryOp, x: BackendBuffer, out: BackendBuffer): void {
    unary(op, this.buf(x, 'unary'), this.buf(out, 'unary'));
  }

  binary(op: BinaryOp, a: BackendBuffer, b: BackendBuffer, out: BackendBuffer, args: BinaryArgs): void {
    binary(op, this.buf(a, 'binary'), this.buf(b, 'binary'), this.buf(out, 'binary'), args);
  }

  reduce(op: ReduceOp, x: BackendBuffer, out: BackendBuffer, args: ReduceArgs): void {
    reduce(op, this.buf(x, 'reduce'), this.buf(out, 'reduce'), args);
  }

  argReduce(op: ArgReduceOp, x: BackendBuffer, out: BackendBuffer, args: ReduceArgs): void {
    argReduce(op, this.buf(x, 'argReduce'), this.buf(out, 'argReduce'), args);
  }

  matmul(a: BackendBuffer, b: BackendBuffer, out: BackendBuffer, args: MatMulArgs): void {
    matmul(this.buf(a, 'matmul'), this.buf(b, 'matmul'), this.buf(out, 'matmul'), args);
  }

  stridedCopy(x: BackendBuffer, out: BackendBuffer, args: StridedCopyArgs): void {
    stridedCopy(this.buf(x, 'stridedCopy'), this.buf(out, 'stridedCopy'), args);
  }

  /** Narrows a caller's buffer to ours; a freed or foreign buffer fails loudly rather than reading zeros. */
  private buf(buffer: BackendBuffer, method: string): RefBuffer {
    if (!(buffer instanceof RefBuffer) || !this.live.has(buffer)) {
      throw new Error(`reference ${method}: buffer (${buffer.dtype}[${buffer.size}]) is freed or not from this backend`);
    }
    return buffer;
  }
}
