/** A tensor on the GPU: 4 bytes per element for every dtype (bool is stored as u32 0/1). */
import type { BackendBuffer, DType } from '../interface';
import type { GpuBuffer } from './gpu-types';

export class WebGpuBuffer implements BackendBuffer {
  private storage: GpuBuffer | null;

  constructor(readonly dtype: DType, readonly size: number, storage: GpuBuffer) {
    this.storage = storage;
  }

  get bytes(): number {
    return this.size * 4;
  }

  /** The device buffer; throws after `free` so a dangling handle fails loudly. */
  gpu(method: string): GpuBuffer {
    if (this.storage === null) throw new Error(`webgpu ${method}: buffer (${this.dtype}[${this.size}]) used after free`);
    return this.storage;
  }

  /** Hands the device buffer back (to the pool) and invalidates the handle. */
  release(): GpuBuffer | null {
    const storage = this.storage;
    this.storage = null;
    return storage;
  }
}

export function asWebGpuBuffer(buffer: BackendBuffer, method: string): WebGpuBuffer {
  if (!(buffer instanceof WebGpuBuffer)) throw new Error(`webgpu ${method}: buffer was not allocated by the webgpu backend`);
  return buffer;
}
