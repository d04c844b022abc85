/**
 * Buffer pools by size class. Creating and destroying GPU buffers every step is slow (and on some
 * drivers fragments memory), while a training loop allocates the same sizes over and over, so freed
 * buffers wait in a free list per (usage, power-of-two byte size) and are handed out again.
 */
import type { GpuBuffer } from './gpu-types';

/** The smallest buffer made: zero-element tensors still need something to bind. */
export const MIN_BYTES = 16;

/**
 * The power of two at or above `bytes`; where that would pass `maxBytes` (a device limit that is not a
 * power of two), `bytes` itself rounded up to 4, so rounding never refuses a buffer that fits.
 */
export function sizeClass(bytes: number, maxBytes = Infinity): number {
  let size = MIN_BYTES;
  while (size < bytes) size *= 2;
  return size <= maxBytes ? size : Math.max(MIN_BYTES, Math.ceil(bytes / 4) * 4);
}

export class BufferPool {
  private readonly free = new Map<string, GpuBuffer[]>();
  /** How many `take`s were served from the free list: the pool tests read it. */
  reused = 0;
  created = 0;

  /** `maxBytes`: the device's per-buffer limit, which a size class must not round past. */
  constructor(private readonly create: (bytes: number, usage: number) => GpuBuffer, private readonly maxBytes = Infinity) {}

  take(bytes: number, usage: number): GpuBuffer {
    const size = sizeClass(bytes, this.maxBytes);
    const list = this.free.get(`${usage}:${size}`);
    const pooled = list?.pop();
    if (pooled !== undefined) {
      this.reused++;
      return pooled;
    }
    this.created++;
    return this.create(size, usage);
  }

  give(buffer: GpuBuffer, usage: number): void {
    const key = `${usage}:${buffer.size}`;
    const list = this.free.get(key);
    if (list === undefined) this.free.set(key, [buffer]);
    else list.push(buffer);
  }

  destroyAll(): void {
    for (const list of this.free.values()) for (const b of list) b.destroy();
    this.free.clear();
  }
}
