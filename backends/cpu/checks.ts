/**
 * Cheap argument checks run before a kernel touches memory. Typed arrays cannot overrun, but an
 * out-of-range index reads `undefined` (NaN) and an out-of-range write is silently dropped, so a
 * size mismatch would otherwise surface much later as wrong numbers. All checks are O(rank).
 */
import type { BackendBuffer, DType } from '../interface';
import { offsetRange } from './kernels/collapse';

export function fail(method: string, message: string): never {
  throw new Error(`cpu ${method}: ${message}`);
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

/** Every element a strided view over `shape` reads must lie inside `buffer`. */
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
