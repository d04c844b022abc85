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
import type { DType, TypedArray } from '../src-core/base/dtype';
import type { ArgReduceOp, BinaryOp, EpilogueActivation, ReduceOp, UnaryOp } from './primitive-ops';

export type { DType, TypedArray };

/** An opaque device buffer of `size` elements of `dtype`. Backends extend it with their storage. */
export interface BackendBuffer {
  readonly size: number;
  readonly dtype: DType;
}

// The op lists and their types live in primitive-ops.ts (one source, also for the wasm C enums).
export {
  UNARY_OPS, BINARY_OPS, COMPARISON_OPS, REDUCE_OPS, ARG_REDUCE_OPS, EPILOGUE_ACTIVATIONS,
  isUnaryOp, isBinaryOp, isReduceOp, isArgReduceOp, unknownOp,
} from './primitive-ops';
export type { UnaryOp, BinaryOp, ComparisonOp, ReduceOp, ArgReduceOp, EpilogueActivation } from './primitive-ops';

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

/**
 * Elementwise selection with broadcasting: element `i` of the output (row-major over `shape`) is
 * a[i·aStrides] where cond[i·condStrides] (bool) is non-zero, else b[i·bStrides]. Exact: the value not
 * chosen is never read into the result (a NaN or Inf there cannot leak, as it would through
 * cond·a + (1 - cond)·b). Strides are in elements, 0 on a broadcast axis.
 */
export interface SelectArgs {
  readonly shape: readonly number[];
  readonly condStrides: readonly number[];
  readonly aStrides: readonly number[];
  readonly bStrides: readonly number[];
}

/**
 * Rows picked by int32 indices: `params` is viewed as [outer, axis, inner] and `indices` holds `count`
 * entries. gather: out[o, j, i] = params[o, indices[j], i], and 0 where indices[j] is outside
 * [0, axis) (the graph checks indices when it can; a kernel never reads out of bounds).
 * segmentSum, its adjoint: out[o, s, i] = the sum of x[o, j, i] over the j with indices[j] = s, for
 * out viewed as [outer, axis, inner] and x as [outer, count, inner]; out-of-range indices add nothing.
 */
export interface GatherArgs {
  readonly outer: number;
  readonly axis: number;
  readonly inner: number;
  readonly count: number;
}

/** Row-wise softmax over a [rows, cols] view; `log` gives log-softmax. */
export interface SoftmaxArgs {
  readonly rows: number;
  readonly cols: number;
  readonly log: boolean;
}

/** Softmax cross-entropy over a [rows, cols] view of float32 logits and dense labels. */
export interface SoftmaxCrossEntropyArgs {
  readonly rows: number;
  readonly cols: number;
}

/**
 * One instruction of a fused elementwise program. Register i holds instruction i's result; operands
 * name earlier registers. Everything is float32; comparisons give 1 or 0, and `unary`/`binary` mean
 * exactly what the `unary`/`binary` primitives mean for float32.
 */
export type ElementwiseInstr =
  | { readonly kind: 'input'; readonly input: number }
  | { readonly kind: 'const'; readonly value: number }
  | { readonly kind: 'unary'; readonly op: UnaryOp; readonly a: number }
  | { readonly kind: 'binary'; readonly op: BinaryOp; readonly a: number; readonly b: number };

/**
 * A chain of elementwise ops fused by the compiler into one pass over the output. Element `i` of the
 * output (row-major over `shape`) loads input j at sum(idx * inputStrides[j]) and runs `program`; the
 * last instruction's register is stored. `out` may be the same buffer as an input whose strides are
 * the output's own contiguous strides (an in-place update): a kernel reads an element's inputs
 * before it writes that element.
 */
export interface ElementwiseArgs {
  /** Output shape with adjacent dims merged where every input allows it (rank >= 1). */
  readonly shape: readonly number[];
  /** Per input, its strides over `shape` in elements (0 on a broadcast axis). */
  readonly inputStrides: readonly (readonly number[])[];
  /** At most 64 instructions over at most 8 inputs. */
  readonly program: readonly ElementwiseInstr[];
  /** A canonical text of the program alone (not the shapes), for caching compiled kernels. */
  readonly key: string;
}

/** What a fused matmul applies to its output before storing it: out = act(a·b + bias). */
export interface MatMulEpilogue {
  /** A float32 vector of length n added to every row (batch × m rows). */
  readonly bias: boolean;
  readonly activation: EpilogueActivation;
}

export interface BackendCapabilities {
  /** Element types this backend stores and computes. */
  readonly dtypes: readonly DType[];
  /** True when `readSync` exists, so `Session.runSync` works. */
  readonly sync: boolean;
  /** Largest buffer in elements, or Infinity. */
  readonly maxBufferElements: number;
  /**
   * The device behind a GPU backend: reported so a user can tell a software (fallback) adapter, which
   * is correct but slower than the cpu backend, from real hardware. Absent for host-memory backends.
   */
  readonly adapter?: BackendAdapter;
}

export interface BackendAdapter {
  /** How the adapter was found and what it calls itself, e.g. "navigator.gpu (google swiftshader)". */
  readonly description: string;
  /** A fallback or CPU rasteriser adapter (SwiftShader, llvmpipe, lavapipe). */
  readonly software: boolean;
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
  /**
   * Resolves with the reason if the device behind the backend is lost (a GPU reset, a driver crash):
   * every buffer is gone and every later call fails. Absent where that cannot happen (cpu, wasm).
   */
  readonly lost?: Promise<string>;

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
  /**
   * Forward and backward of softmax cross-entropy in one pass: loss[r] = -sum_c labels[r,c] *
   * logsoftmax(logits)[r,c] (rows values) and backprop[r,c] = softmax(logits)[r,c] - labels[r,c].
   */
  softmaxCrossEntropy?(logits: BackendBuffer, labels: BackendBuffer, loss: BackendBuffer, backprop: BackendBuffer, args: SoftmaxCrossEntropyArgs): void;
  /** A fused elementwise chain over float32 buffers (see ElementwiseArgs). */
  elementwise?(inputs: readonly BackendBuffer[], out: BackendBuffer, args: ElementwiseArgs): void;
  /** matmul with a bias and activation applied to its output in the same call; `bias` is null without one. */
  matmulEpilogue?(a: BackendBuffer, b: BackendBuffer, bias: BackendBuffer | null, out: BackendBuffer, args: MatMulArgs, epilogue: MatMulEpilogue): void;

  // ---- data-dependent selection (tf.where, tf.gather and its gradient); the built-in backends have
  // them, and an op that needs one fails to compile, naming it, on a backend without it ----
  /** See SelectArgs; a, b and out share a dtype, cond is bool. */
  select?(cond: BackendBuffer, a: BackendBuffer, b: BackendBuffer, out: BackendBuffer, args: SelectArgs): void;
  /** See GatherArgs; indices are int32, params and out share a dtype. */
  gather?(params: BackendBuffer, indices: BackendBuffer, out: BackendBuffer, args: GatherArgs): void;
  /** See GatherArgs; float32 or int32, indices int32. */
  segmentSum?(x: BackendBuffer, indices: BackendBuffer, out: BackendBuffer, args: GatherArgs): void;
}

export type BackendFactory = () => Backend | Promise<Backend>;
