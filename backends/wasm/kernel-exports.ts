/**
 * The typed surface of kernels.wasm: what csrc/ exports, checked once at instantiation so the rest
 * of the backend calls plain typed functions. Pointers are byte offsets into the module's memory.
 */
export interface KernelExports {
  /** The memory the instance imports (shared where the host allows, see loader.ts). */
  readonly memory: WebAssembly.Memory;
  /** First byte after the module's stack and static data: where the JS allocator starts. */
  readonly heapBase: number;
  /** Bytes of packing space matmul_f32_rows needs per thread (matmul_workspace_bytes). */
  readonly matmulWorkspaceBytes: number;
  /** Byte offset of the int32 block kernels read shapes and strides from (csrc/kernels.h). */
  readonly argsBlock: number;
  fill32(out: number, n: number, bits: number): void;
  fill8(out: number, n: number, value: number): void;
  cast(x: number, out: number, n: number, from: number, to: number): void;
  // Kernels that take an op code return a status (kernels/status.ts): 0 when they ran.
  unary_f32(op: number, x: number, out: number, n: number): number;
  unary_i32(op: number, x: number, out: number, n: number): number;
  logical_not(x: number, out: number, n: number, dtype: number): void;
  binary(op: number, dtype: number, a: number, b: number, out: number): number;
  reduce(op: number, dtype: number, x: number, out: number, outer: number, reduce: number, inner: number): number;
  arg_reduce(isMax: number, dtype: number, x: number, out: number, outer: number, reduce: number, inner: number): void;
  softmax(x: number, out: number, rows: number, cols: number, log: number): void;
  strided_copy(dtype: number, x: number, out: number): void;
  matmul_f32(
    a: number, b: number, out: number, batch: number, m: number, n: number, k: number,
    transposeA: number, transposeB: number, aBatchStride: number, bBatchStride: number,
  ): void;
  /** Output rows [rowBegin, rowEnd) over batch x m, packing into `workspace` (0: this module's own). */
  matmul_f32_rows(
    a: number, b: number, out: number, m: number, n: number, k: number, transposeA: number, transposeB: number,
    aBatchStride: number, bBatchStride: number, rowBegin: number, rowEnd: number, workspace: number,
  ): void;
  /** matmul_f32, then + bias (0: none) and relu; the epilogue fused into the tiles' stores where n <= 16. */
  matmul_f32_epilogue(
    a: number, b: number, out: number, bias: number, batch: number, m: number, n: number, k: number,
    transposeA: number, transposeB: number, aBatchStride: number, bBatchStride: number, relu: number,
  ): void;
  matmul_i32(
    a: number, b: number, out: number, batch: number, m: number, n: number, k: number,
    transposeA: number, transposeB: number, aBatchStride: number, bBatchStride: number,
  ): void;
  // ---- fused kernels (csrc/fused.c) ----
  /** Byte offset of the block elementwise_f32 reads its program, shape and strides from (typed as every export is called). */
  fused_args_block(): number | undefined;
  elementwise_f32(out: number, total: number, flat: number): number;
  matmul_epilogue(out: number, bias: number, rows: number, n: number, relu: number): void;
  softmax_cross_entropy(logits: number, labels: number, loss: number, backprop: number, rows: number, cols: number): void;
  // ---- data-dependent selection (csrc/gather.c) ----
  select_values(dtype: number, cond: number, a: number, b: number, out: number): void;
  gather_rows(dtype: number, params: number, indices: number, out: number, outer: number, axis: number, inner: number, count: number): void;
  segment_sum(dtype: number, x: number, indices: number, out: number, outer: number, axis: number, inner: number, count: number): void;
}

type KernelName = Exclude<keyof KernelExports, 'memory' | 'heapBase' | 'matmulWorkspaceBytes' | 'argsBlock'>;

const KERNEL_NAMES: readonly KernelName[] = [
  'fill32', 'fill8', 'cast', 'unary_f32', 'unary_i32', 'logical_not', 'binary', 'reduce', 'arg_reduce',
  'softmax', 'strided_copy', 'matmul_f32', 'matmul_f32_rows', 'matmul_f32_epilogue', 'matmul_i32',
  'fused_args_block', 'elementwise_f32', 'matmul_epilogue', 'softmax_cross_entropy',
  'select_values', 'gather_rows', 'segment_sum',
];

// A void export returns undefined at run time; KernelExports types each export's real result.
type KernelFunction = (...args: number[]) => number;

function missing(name: string): Error {
  return new Error(`wasm: kernels.wasm does not export '${name}' (rebuild it: npm run build:wasm)`);
}

/** Narrows an instance's exports to KernelExports, failing with the first missing export's name. */
export function kernelExports(instance: WebAssembly.Instance, memory: WebAssembly.Memory): KernelExports {
  const raw = instance.exports;
  const heapBase = raw.__heap_base;
  if (!(heapBase instanceof WebAssembly.Global)) throw missing('__heap_base');
  // Worker instances point their own __stack_pointer at a stack of their own (threads.ts).
  if (!(raw.__stack_pointer instanceof WebAssembly.Global)) throw missing('__stack_pointer');
  const argsBlock = raw.args_block;
  if (typeof argsBlock !== 'function') throw missing('args_block');
  const workspaceBytes = raw.matmul_workspace_bytes;
  if (typeof workspaceBytes !== 'function') throw missing('matmul_workspace_bytes');
  const kernels: Partial<Record<KernelName, KernelFunction>> = {};
  for (const name of KERNEL_NAMES) {
    const fn = raw[name];
    if (typeof fn !== 'function') throw missing(name);
    kernels[name] = fn as KernelFunction;
  }
  return {
    ...(kernels as Record<KernelName, KernelFunction>),
    memory,
    heapBase: Number(heapBase.value),
    matmulWorkspaceBytes: Number((workspaceBytes as KernelFunction)()),
    argsBlock: Number((argsBlock as KernelFunction)()),
  };
}
