import type { BackendBuffer, DType, TypedArray } from '../interface';
import { typedArrayFor } from '../../src-core/base/dtype';

const EMPTY = new Float32Array(0);

/** A host buffer: the typed array *is* the storage, so kernels read and write it directly. */
export class CpuBuffer implements BackendBuffer {
  readonly dtype: DType;
  readonly size: number;
  private storage: TypedArray;
  private freed = false;

  constructor(dtype: DType, size: number) {
    this.dtype = dtype;
    this.size = size;
    this.storage = typedArrayFor(dtype, size);
  }

  /** The storage; throws after `free` so a dangling handle fails loudly instead of reading zeros. */
  data(method: string): TypedArray {
    if (this.freed) throw new Error(`cpu ${method}: buffer (${this.dtype}[${this.size}]) used after free`);
    return this.storage;
  }

  release(): void {
    this.freed = true;
    // Drop the reference so the memory is reclaimable even while a stale handle survives.
    this.storage = EMPTY;
  }
}

/** Narrows a BackendBuffer handed in by the caller, rejecting buffers from another backend. */
export function cpuData(buffer: BackendBuffer, method: string): TypedArray {
  if (!(buffer instanceof CpuBuffer)) {
    throw new Error(`cpu ${method}: buffer was not allocated by the cpu backend`);
  }
  return buffer.data(method);
}
