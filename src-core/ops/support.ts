/** Helpers shared by op declarations: errors that name the node, and float64 reference arrays. */
import { InvalidArgumentError } from '../errors';
import type { DType } from '../graph/dtype';
import { formatShape, numElements, normalizeAxis, type Shape } from '../graph/shape';
import type { NodeInfo, RefArray } from './op-def';

export function opError(node: NodeInfo, message: string): InvalidArgumentError {
  return new InvalidArgumentError(`${node.type} '${node.name}': ${message}`);
}

export function refArray(shape: readonly number[], dtype: DType, data?: Float64Array): RefArray {
  return { shape: [...shape], dtype, data: data ?? new Float64Array(numElements(shape)) };
}

let roundFloat32 = true;

/**
 * Runs `fn` with float32 results kept in full float64 precision. Central-difference gradient checks
 * need this: rounding every intermediate to float32 would drown a 1e-6 step in rounding noise.
 */
export function withFloat64References<T>(fn: () => T): T {
  const saved = roundFloat32;
  roundFloat32 = false;
  try {
    return fn();
  } finally {
    roundFloat32 = saved;
  }
}

/** Rounds a float64 value the way storing it in `dtype` would (float32 only outside exact mode). */
export function storeAs(dtype: DType, value: number): number {
  if (dtype === 'float32') return roundFloat32 ? Math.fround(value) : value;
  if (dtype === 'int32') return Math.trunc(value) | 0;
  return value !== 0 ? 1 : 0;
}

/** Normalises TF-1 axis arguments (number, list, or null for all) against a known rank. */
export function resolveAxes(node: NodeInfo, axes: readonly number[] | null, rank: number): number[] {
  if (axes === null) return Array.from({ length: rank }, (_, i) => i);
  const out: number[] = [];
  for (const a of axes) {
    const n = normalizeAxis(a, rank);
    if (n < 0) throw opError(node, `axis ${a} is out of range for a tensor of rank ${rank}`);
    if (!out.includes(n)) out.push(n);
  }
  return out.sort((x, y) => x - y);
}

export function describeShapes(label: string, shapes: Shape[]): string {
  return `${label} ${shapes.map(formatShape).join(' vs ')}`;
}

/** Multi-index iteration for reference kernels: calls fn with each row-major index of `shape`. */
export function forEachIndex(shape: readonly number[], fn: (index: number[], flat: number) => void): void {
  const n = numElements(shape);
  const index = new Array<number>(shape.length).fill(0);
  for (let flat = 0; flat < n; flat++) {
    fn(index, flat);
    for (let k = shape.length - 1; k >= 0; k--) {
      if (++index[k] < shape[k]) break;
      index[k] = 0;
    }
  }
}

/** Flat offset of a broadcast operand for an output index (reference kernels only). */
export function broadcastOffset(index: readonly number[], shape: readonly number[]): number {
  const skip = index.length - shape.length;
  let off = 0;
  for (let k = 0; k < shape.length; k++) {
    off = off * shape[k] + (shape[k] === 1 ? 0 : index[k + skip]);
  }
  return off;
}
