/**
 * The primitive interface every compute backend implements: the plugin contract.
 *
 * High-level ops (src-core/ops) are lowered to these primitives at compile time, when every shape is
 * concrete, so a backend sees only flat buffers plus small precomputed descriptors (collapsed shapes,
 * strides, sizes). It never sees gradients, shape rules or the graph.
 *
 * Kernels are synchronous calls that may *enqueue* work (a GPU backend records commands); only `read`
 * is asynchronous. Outputs are always distinct from inputs unless a method says otherwise.
 */
import type { DType, TypedArray } from '../src-core/graph/dtype';

export type { DType, TypedArray };

/** An opaque device buffer of `size` elements of `dtype`. Backends extend it with their storage. */
export interface BackendBuffer {
  readonly size: number;
  readonly dtype: DType;
}

export type UnaryOp =
  | 'identity'
  | 'neg'
  | 'abs'
  | 'sign'
  | 'exp'
  | 'log'
  | 'sqrt'
  | 'rsqrt'
  | 'square'
  | 'reciprocal'
  | 'relu'
  | 'step' // 1 where x > 0, else 0 (relu's derivative)
  | 'sigmoid'
  | 'tanh'
  | 'floor'
  | 'ceil'
  | 'round'
  | 'logicalNot';

export type BinaryOp =
  | 'add'
  | 'sub'
  | 'mul'
  | 'div'
  | 'pow'
  | 'max'
  | 'min'
  | 'equal'
  | 'notEqual'
  | 'less'
  | 'lessEqual'
  | 'greater'
  | 'greaterEqual'
  | 'logicalAnd'
  | 'logicalOr';

export type ReduceOp = 'sum' | 'max' | 'min' | 'prod';
export type ArgReduceOp = 'argmax' | 'argmin';

export const UNARY_OPS: readonly UnaryOp[] = [
  'identity', 'neg', 'abs', 'sign', 'exp', 'log', 'sqrt', 'rsqrt', 'square', 'reciprocal', 'relu', 'step',
  'sigmoid', 'tanh', 'floor', 'ceil', 'round', 'logicalNot',
];
export const BINARY_OPS: readonly BinaryOp[] = [
  'add', 'sub', 'mul', 'div', 'pow', 'max', 'min', 'equal', 'notEqual', 'less', 'lessEqual', 'greater',
  'greaterEqual', 'logicalAnd', 'logicalOr',
];
export const COMPARISON_OPS: ReadonlySet<BinaryOp> = new Set([
  'equal', 'notEqual', 'less', 'lessEqual', 'greater', 'greaterEqual', 'logicalAnd', 'logicalOr',
]);

/**
 * Broadcasting elementwise binary op, already simplified by the compiler: `shape` is the output shape
 * with adjacent dims merged where possible (rank >= 1), and the input strides are in elements, 0 on a
 * broadcast axis. Element `i` of the output (row-major over `shape`) reads a[sum(idx*aStrides)].
 */
export interface BinaryArgs {
  readonly shape: readonly number[];
  readonly aStrides: readonly number[];
  readonly bStrides: readonly number[];
}

/**
 * A strided copy between two views: for every index idx of `shape`,
 *   out[outOffset + sum(idx_k * outStrides[k])] (+)= x[offset + sum(idx_k * strides[k])].
 * Without `outStrides` the output is written contiguously (row-major over `shape`). This one primitive
 * covers transpose, broadcast (stride 0), slicing, padding and concatenation (strided or offset
 * writes into a larger output), and with `accumulate` the adjoint scatter-adds of those (col2im).
 * Output positions written by one call never repeat, so accumulation is race-free per call.
 */
export interface StridedCopyArgs {
  readonly shape: readonly number[];
  readonly strides: readonly number[];
  readonly offset: number;
  readonly outStrides?: readonly number[];
  readonly outOffset?: number;
  /** Add into the output instead of overwriting it. */
  readonly accumulate?: boolean;
}

/**
 * Reduction of a [outer, reduce, inner] view of `x` over its middle axis into [outer, inner].
 * The compiler merges and orders axes so every reduction fits this form (in one or more calls).
 */
export interface ReduceArgs {
  readonly outer: number;
  readonly reduce: number;
  readonly inner: number;
}

/**
 * Batched matmul of row-major matrices: for each batch b, out[b] (m×n) = op(a[b]) · op(b[b]) where
 * op transposes when the flag is set. `a` is stored k×m when transposeA (else m×k), `b` n×k when
 * transposeB (else k×n). A batch stride of 0 broadcasts that operand over the batch.
 */
export interface MatMulArgs {
  readonly batch: number;
  readonly m: number;
  readonly n: number;
  readonly k: number;
  readonly transposeA: boolean;
  readonly transposeB: boolean;
  readonly aBatchStride: number;
  readonly bBatchStride: number;
}

/** Row-wise softmax over a [rows, cols] view; `log` gives log-softmax. */
export interface SoftmaxArgs {
  readonly rows: number;
  readonly cols: number;
  readonly log: boolean;
}

export interface BackendCapabilities {
  /** Element types this backend stores and computes. */
  readonly dtypes: readonly DType[];
  /** True when `readSync` exists, so `Session.runSync` works. */
  readonly sync: boolean;
  /** Largest buffer in elements, or Infinity. */
  readonly maxBufferElements: number;
}

export interface Backend {
  readonly name: string;
  readonly capabilities: BackendCapabilities;

  // ---- buffers ----
  alloc(dtype: DType, size: number): BackendBuffer;
  free(buffer: BackendBuffer): void;
  /** Copies host data into the buffer (data.length === buffer.size). */
  write(buffer: BackendBuffer, data: TypedArray): void;
  /** A fresh host copy of the buffer's contents, once all enqueued work has finished. */
  read(buffer: BackendBuffer): Promise<TypedArray>;
  readSync?(buffer: BackendBuffer): TypedArray;
  /** Frees everything this backend holds. */
  dispose(): void;

  // ---- required primitives ----
  fill(out: BackendBuffer, value: number): void;
  /** Element-wise conversion between dtypes (bool: non-zero is 1; int32: truncation). Same size. */
  cast(x: BackendBuffer, out: BackendBuffer): void;
  unary(op: UnaryOp, x: BackendBuffer, out: BackendBuffer): void;
  binary(op: BinaryOp, a: BackendBuffer, b: BackendBuffer, out: BackendBuffer, args: BinaryArgs): void;
  reduce(op: ReduceOp, x: BackendBuffer, out: BackendBuffer, args: ReduceArgs): void;
  /** Index (int32) of the max/min along the middle axis; the first one wins on ties. */
  argReduce(op: ArgReduceOp, x: BackendBuffer, out: BackendBuffer, args: ReduceArgs): void;
  matmul(a: BackendBuffer, b: BackendBuffer, out: BackendBuffer, args: MatMulArgs): void;
  stridedCopy(x: BackendBuffer, out: BackendBuffer, args: StridedCopyArgs): void;

  // ---- optional fused kernels: the compiler lowers to primitives where one is absent ----
  softmax?(x: BackendBuffer, out: BackendBuffer, args: SoftmaxArgs): void;
}

export type BackendFactory = () => Backend | Promise<Backend>;
