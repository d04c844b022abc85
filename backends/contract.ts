/**
 * The method lists of the plugin contract, derived from `Backend` so they cannot drift from it: adding
 * a method to the interface without listing it here is a compile error. The registry uses them to
 * check what a factory returns and to report fused kernels; the conformance suite to pick its groups.
 */
import type { Backend } from './interface';

type OptionalKeys<T> = { [K in keyof T]-?: Record<never, never> extends Pick<T, K> ? K : never }[keyof T];
type MethodKeys<T> = { [K in keyof T]-?: NonNullable<T[K]> extends (...args: never[]) => unknown ? K : never }[keyof T];

/**
 * Optional data-dependent primitives (tf.where, tf.gather): not fusions, so listed apart; an op that
 * needs one fails to compile, naming it, on a backend without it.
 */
export type SelectionKernel = 'select' | 'gather' | 'segmentSum';
/** Optional kernels the compiler uses when present (readSync and lost are capabilities, not kernels). */
export type FusedKernel = Exclude<OptionalKeys<Backend>, 'readSync' | 'lost' | SelectionKernel>;
/** Methods every backend must have. */
export type RequiredMethod = Exclude<MethodKeys<Backend>, OptionalKeys<Backend>>;

const FUSED: Record<FusedKernel, true> = { softmax: true, softmaxCrossEntropy: true, elementwise: true, matmulEpilogue: true };
const SELECTION: Record<SelectionKernel, true> = { select: true, gather: true, segmentSum: true };
const REQUIRED: Record<RequiredMethod, true> = {
  alloc: true, free: true, write: true, read: true, dispose: true,
  fill: true, cast: true, unary: true, binary: true, reduce: true, argReduce: true, matmul: true, stridedCopy: true,
};

export const FUSED_KERNELS = Object.keys(FUSED) as FusedKernel[];
export const REQUIRED_METHODS = Object.keys(REQUIRED) as RequiredMethod[];
export const SELECTION_KERNELS = Object.keys(SELECTION) as SelectionKernel[];

/** The fused kernels a backend implements. */
export function fusedKernelsOf(backend: Backend): FusedKernel[] {
  return FUSED_KERNELS.filter((k) => typeof backend[k] === 'function');
}

/** What an object claiming to be a Backend lacks: required methods, name, capabilities. */
export function missingMethods(candidate: unknown): string[] {
  if (typeof candidate !== 'object' || candidate === null) return ['everything (it is not an object)'];
  const object = candidate as Record<string, unknown>;
  const missing: string[] = REQUIRED_METHODS.filter((m) => typeof object[m] !== 'function');
  if (typeof object.name !== 'string') missing.push('name');
  const caps = object.capabilities as Record<string, unknown> | undefined;
  if (typeof caps !== 'object' || caps === null || !Array.isArray(caps.dtypes) || typeof caps.sync !== 'boolean') {
    missing.push('capabilities');
  }
  return missing;
}
