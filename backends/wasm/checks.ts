/**
 * Argument checks run before a kernel touches memory. They matter more here than on the cpu: every
 * buffer lives in one linear memory, so an out-of-range index would silently read or corrupt a
 * neighbouring buffer instead of failing. All checks are O(rank).
 */
import type { BackendBuffer, DType } from '../interface';

export function fail(method: string, message: string): never {
  throw new Error(`wasm ${method}: ${message}`);
}

export function checkSize(method: string, role: string, buffer: BackendBuffer, expected: number): void {
  if (buffer.size !== expected) fail(method, `${role} has ${buffer.size} elements, expected ${expected}`);
}

export function checkAtLeast(method: string, role: string, buffer: BackendBuffer, needed: number): void {
  if (buffer.size < needed) fail(method, `${role} has ${buffer.size} elements, needs at least ${needed}`);
}

export function checkDtype(method: string, role: string, buffer: BackendBuffer, expected: DType): void {
  if (buffer.dtype !== expected) fail(method, `${role} is ${buffer.dtype}, expected ${expected}`);
}

export function checkCount(method: string, name: string, value: number): void {
  if (!Number.isInteger(value) || value < 0) fail(method, `${name} must be a non-negative integer, got ${value}`);
}

export function shapeSize(method: string, shape: readonly number[]): number {
  let size = 1;
  for (const d of shape) {
    checkCount(method, 'shape dim', d);
    size *= d;
  }
  return size;
}

/** Smallest and largest element offset a strided view touches. */
export function offsetRange(shape: readonly number[], strides: readonly number[], offset: number): [number, number] {
  let lo = offset;
  let hi = offset;
  for (let d = 0; d < shape.length; d++) {
    const span = (shape[d] - 1) * strides[d];
    if (span < 0) lo += span;
    else hi += span;
  }
  return [lo, hi];
}

/** Every element a strided view over `shape` touches must lie inside `buffer`. */
export function checkStridedView(
  method: string,
  role: string,
  buffer: BackendBuffer,
  shape: readonly number[],
  strides: readonly number[],
  offset: number,
): void {
  if (strides.length !== shape.length) {
    fail(method, `${role} has ${strides.length} strides for a rank-${shape.length} shape`);
  }
  for (const s of strides) if (!Number.isInteger(s)) fail(method, `${role} stride ${s} is not an integer`);
  if (!Number.isInteger(offset)) fail(method, `${role} offset ${offset} is not an integer`);
  const [lo, hi] = offsetRange(shape, strides, offset);
  if (lo < 0 || hi >= buffer.size) {
    fail(method, `${role} view reads elements ${lo}..${hi} of a buffer of ${buffer.size} elements`);
  }
}
