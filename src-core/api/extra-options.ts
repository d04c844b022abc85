/**
 * Argument parsing shared by the extra TF-1 ops: a trailing options object whose first key may also be
 * given positionally (`tf.split(x, 3, 1)` or `tf.split(x, 3, {axis: 1})`), per ../shared/API.md.
 */
import { InvalidArgumentError } from '../errors';
import { Tensor } from '../graph/tensor';
import { formatShape } from '../graph/shape';
import { NDArray } from '../ndarray';
import { checkKeys, guarded } from './options';

/** A plain options object (not a Tensor, NDArray or array). */
export function isOptionsObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v) && !(v instanceof Tensor) && !(v instanceof NDArray);
}

/**
 * Merges `first` (the first optional argument given positionally, or an options object) with
 * `options`; unknown keys are refused, and a key given both ways is an error.
 */
export function mergeOptions<T extends object>(fn: string, key: keyof T & string, first: unknown, options: T | undefined, allowed: readonly string[]): T {
  let merged: Record<string, unknown>;
  if (isOptionsObject(first)) {
    merged = { ...first, ...(options ?? {}) };
  } else {
    merged = { ...(options ?? {}) };
    if (first !== undefined) {
      if (merged[key] !== undefined) throw new InvalidArgumentError(`${fn}: ${key} given both positionally and as an option`);
      merged[key] = first;
    }
  }
  checkKeys(fn, merged, allowed);
  return merged as T;
}

export function checkInteger(fn: string, what: string, v: unknown): number {
  if (typeof v !== 'number' || !Number.isInteger(v)) throw new InvalidArgumentError(`${fn}: ${what} must be an integer, got ${describe(v)}`);
  return v;
}

/** A tensor as errors name it: its name, shape and dtype. */
export function tensorDesc(t: Tensor): string {
  return `'${t.name}' ${formatShape(t.shape)} ${t.dtype}`;
}

export function describe(v: unknown): string {
  if (v instanceof Tensor) return tensorDesc(v);
  if (Array.isArray(v)) return JSON.stringify(v);
  return typeof v === 'string' ? `'${v}'` : String(v);
}

/** The static rank of `t`, required by an op that needs it while the graph is built. */
export function knownRank(fn: string, t: Tensor): number {
  if (t.shape === null) throw new InvalidArgumentError(`${fn}: the input ${tensorDesc(t)} needs a known rank`);
  return t.shape.length;
}

/** `axis` in [-rank, rank) normalised to [0, rank). */
export function resolveAxis(fn: string, axis: number, rank: number, what = 'axis'): number {
  checkInteger(fn, what, axis);
  if (axis < -rank || axis >= rank) throw new InvalidArgumentError(`${fn}: ${what} ${axis} is out of range for a tensor of rank ${rank}`);
  return axis < 0 ? axis + rank : axis;
}

/**
 * A public op whose every failure is a tf.errors.* naming it (options.ts `guarded`), typed to keep
 * the wrapped function's overloads.
 */
export function namedOp<F extends (...args: never[]) => unknown>(fn: string, f: F): F {
  return guarded(fn, f as unknown as (...args: unknown[]) => unknown) as unknown as F;
}
