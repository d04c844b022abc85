/**
 * Argument checks a backend runs before a kernel touches memory, shared by the built-in backends so
 * every one words its errors the same way: `<backend> <method>: <what is wrong>`. All are O(rank).
 * (Why each backend needs them differs: typed arrays turn overruns into silent NaNs, one wasm memory
 * would corrupt a neighbouring buffer, a GPU clamps or drops out-of-range accesses.)
 */
import type { BackendBuffer, DType } from './interface';

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

export interface ArgumentChecks {
  checkSize(method: string, role: string, buffer: BackendBuffer, expected: number): void;
  checkAtLeast(method: string, role: string, buffer: BackendBuffer, needed: number): void;
  checkDtype(method: string, role: string, buffer: BackendBuffer, expected: DType): void;
  checkCount(method: string, name: string, value: number): void;
  shapeSize(method: string, shape: readonly number[]): number;
  /** Every element a strided view over `shape` touches must lie inside `buffer`. */
  checkStridedView(method: string, role: string, buffer: BackendBuffer, shape: readonly number[], strides: readonly number[], offset: number): void;
}

/** The checks, reporting through `fail` (each backend's own, so its name prefixes the message). */
export function createArgumentChecks(fail: (method: string, message: string) => never): ArgumentChecks {
  const checkCount = (method: string, name: string, value: number): void => {
    if (!Number.isInteger(value) || value < 0) fail(method, `${name} must be a non-negative integer, got ${value}`);
  };
  return {
    checkSize(method, role, buffer, expected) {
      if (buffer.size !== expected) fail(method, `${role} has ${buffer.size} elements, expected ${expected}`);
    },
    checkAtLeast(method, role, buffer, needed) {
      if (buffer.size < needed) fail(method, `${role} has ${buffer.size} elements, needs at least ${needed}`);
    },
    checkDtype(method, role, buffer, expected) {
      if (buffer.dtype !== expected) fail(method, `${role} is ${buffer.dtype}, expected ${expected}`);
    },
    checkCount,
    shapeSize(method, shape) {
      let size = 1;
      for (const d of shape) {
        checkCount(method, 'shape dim', d);
        size *= d;
      }
      return size;
    },
    checkStridedView(method, role, buffer, shape, strides, offset) {
      if (strides.length !== shape.length) fail(method, `${role} has ${strides.length} strides for a rank-${shape.length} shape`);
      for (const s of strides) if (!Number.isInteger(s)) fail(method, `${role} stride ${s} is not an integer`);
      if (!Number.isInteger(offset)) fail(method, `${role} offset ${offset} is not an integer`);
      const [lo, hi] = offsetRange(shape, strides, offset);
      if (lo < 0 || hi >= buffer.size) {
        fail(method, `${role} view reads elements ${lo}..${hi} of a buffer of ${buffer.size} elements (view shape [${shape.join(', ')}], strides [${strides.join(', ')}], offset ${offset})`);
      }
    },
  };
}
