import type { KernelExports } from '../kernel-exports';
import type { WasmHeap } from '../heap';
import type { MatmulThreads } from '../threads';

/** What a dispatcher needs: the module's kernels, the heap its buffers live in, and the matmul threads (if any). */
export interface KernelContext {
  readonly kernels: KernelExports;
  readonly heap: WasmHeap;
  readonly matmulThreads: MatmulThreads | null;
}

/** Words in the kernels' argument block (csrc/kernels.h ARGS_WORDS) and the largest rank it holds. */
export const ARGS_WORDS = 4 * 32 + 16;
export const MAX_RANK = 32;

/** Copies a prepared descriptor into the argument block the next kernel call reads. */
export function writeArgs(ctx: KernelContext, words: Int32Array): void {
  ctx.heap.i32.set(words, ctx.kernels.argsBlock >> 2);
}

/**
 * Descriptors are derived from the args objects the compiler builds once per plan, so they are
 * cached by object identity: a steady-state step re-uses them instead of re-collapsing shapes.
 */
export function memoize<K extends object, V>(cache: WeakMap<K, V>, key: K, make: (key: K) => V): V {
  let value = cache.get(key);
  if (value === undefined) {
    value = make(key);
    cache.set(key, value);
  }
  return value;
}
