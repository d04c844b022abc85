import type { BackendBuffer, DType, TypedArray } from '../interface';

/** Bytes per element of each dtype's storage (bool is one byte, 0 or 1). */
export const BYTES_PER_ELEMENT: Readonly<Record<DType, number>> = { float32: 4, int32: 4, bool: 1 };

/** Kernel-side dtype codes (csrc/kernels.h). */
export const DTYPE_CODE: Readonly<Record<DType, number>> = { float32: 0, int32: 1, bool: 2 };

/**
 * A buffer of the wasm backend: `size` elements at byte `offset` of the backend's one memory, in a
 * block of `capacity` bytes (its allocator size class). The handle holds no view: views of the
 * memory die when it grows, so they are taken fresh from the heap at each use.
 */
export class WasmBuffer implements BackendBuffer {
  private freed = false;

  constructor(
    readonly owner: object,
    readonly dtype: DType,
    readonly size: number,
    readonly offset: number,
    readonly capacity: number,
  ) {}

  get isFreed(): boolean {
    return this.freed;
  }

  markFreed(): void {
    this.freed = true;
  }
}

/** A typed array over `buffer`'s elements in `memory` (valid until the memory next grows). */
export function viewOf(memory: ArrayBuffer, buffer: WasmBuffer): TypedArray {
  switch (buffer.dtype) {
    case 'float32':
      return new Float32Array(memory, buffer.offset, buffer.size);
    case 'int32':
      return new Int32Array(memory, buffer.offset, buffer.size);
    case 'bool':
      return new Uint8Array(memory, buffer.offset, buffer.size);
  }
}
