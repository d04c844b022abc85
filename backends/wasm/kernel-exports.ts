/**
 * The typed surface of kernels.wasm: what csrc/ exports, checked once at instantiation so the rest
 * of the backend calls plain typed functions. Pointers are byte offsets into the module's memory.
 */
export interface KernelExports {
  readonly memory: WebAssembly.Memory;
  /** First byte after the module's stack and static data: where the JS allocator starts. */
  readonly heapBase: number;
  /** Byte offset of the int32 block kernels read shapes and strides from (csrc/kernels.h). */
  readonly argsBlock: number;
  fill32(out: number, n: number, bits: number): void;
  fill8(out: number, n: number, value: number): void;
  cast(x: number, out: number, n: number, from: number, to: number): void;
  unary_f32(op: number, x: number, out: number, n: number): void;
  unary_i32(op: number, x: number, out: number, n: number): void;
  logical_not(x: number, out: number, n: number, dtype: number): void;
  binary(op: number, dtype: number, a: number, b: number, out: number): void;
  reduce(op: number, dtype: number, x: number, out: number, outer: number, reduce: number, inner: number): void;
  arg_reduce(isMax: number, dtype: number, x: number, out: number, outer: number, reduce: number, inner: number): void;
  softmax(x: number, out: number, rows: number, cols: number, log: number): void;
  strided_copy(dtype: number, x: number, out: number): void;
  matmul_f32(
    a: number, b: number, out: number, batch: number, m: number, n: number, k: number,
    transposeA: number, transposeB: number, aBatchStride: number, bBatchStride: number,
  ): void;
  matmul_i32(
    a: number, b: number, out: number, batch: number, m: number, n: number, k: number,
    transposeA: number, transposeB: number, aBatchStride: number, bBatchStride: number,
  ): void;
}

type KernelName = Exclude<keyof KernelExports, 'memory' | 'heapBase' | 'argsBlock'>;

const KERNEL_NAMES: readonly KernelName[] = [
  'fill32', 'fill8', 'cast', 'unary_f32', 'unary_i32', 'logical_not', 'binary', 'reduce', 'arg_reduce',
  'softmax', 'strided_copy', 'matmul_f32', 'matmul_i32',
];

type KernelFunction = (...args: number[]) => number | undefined;

function missing(name: string): Error {
  return new Error(`wasm: kernels.wasm does not export '${name}' (rebuild it: npm run build:wasm)`);
}

/** Narrows an instance's exports to KernelExports, failing with the first missing export's name. */
export function kernelExports(instance: WebAssembly.Instance): KernelExports {
  const raw = instance.exports;
  const memory = raw.memory;
  if (!(memory instanceof WebAssembly.Memory)) throw missing('memory');
  const heapBase = raw.__heap_base;
  if (!(heapBase instanceof WebAssembly.Global)) throw missing('__heap_base');
  const argsBlock = raw.args_block;
  if (typeof argsBlock !== 'function') throw missing('args_block');
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
    argsBlock: Number((argsBlock as KernelFunction)()),
  };
}
