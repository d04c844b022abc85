/**
 * Argument checks run before recording a kernel. They matter more here than on cpu: an out-of-range
 * index on the GPU is clamped or dropped silently, so a bad descriptor would surface much later as
 * wrong numbers. All are O(rank).
 */
import type { BackendBuffer, DType } from '../interface';

export function fail(method: string, message: string): never {
  throw new Error(`webgpu ${method}: ${message}`);
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

/** Every element a strided view over `shape` touches must lie inside `buffer`. */
export function checkStridedView(
  method: string, role: string, buffer: BackendBuffer, shape: readonly number[], strides: readonly number[], offset: number,
): void {
  if (strides.length !== shape.length) fail(method, `${role} has ${strides.length} strides for a rank-${shape.length} shape`);
  if (!strides.every(Number.isInteger) || !Number.isInteger(offset)) fail(method, `${role} strides and offset must be integers`);
  let lo = offset;
  let hi = offset;
  shape.forEach((d, k) => {
    const span = (d - 1) * strides[k];
    if (span < 0) lo += span;
    else hi += span;
  });
  if (lo < 0 || hi >= buffer.size) fail(method, `${role} view reads elements ${lo}..${hi} of a buffer of ${buffer.size} elements`);
}
