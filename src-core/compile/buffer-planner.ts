/**
 * The static memory plan's allocator. Lowering walks the nodes in execution order; a buffer whose
 * last reader has been lowered goes back to a free list keyed by (dtype, size), and a later value of
 * the same size takes it instead of a new allocation. Every buffer is allocated once, when the plan is
 * compiled, so a running step allocates nothing. Exact sizes, not rounded classes: kernels read a
 * buffer's own size, and training graphs repeat the same few sizes (batch × width) anyway.
 */
import type { Backend, BackendBuffer } from '../../backends/interface';
import { byteWidth, type DType } from '../graph/dtype';

export interface BufferStats {
  /** Buffers the plan allocated, and their bytes: the plan's memory. */
  buffers: number;
  bytes: number;
  /** What the same plan would hold with one buffer per value and scratch (no reuse). */
  requestedBytes: number;
  requestedBuffers: number;
}

export class BufferPlanner {
  private readonly free = new Map<string, BackendBuffer[]>();
  private readonly ids = new Map<BackendBuffer, number>();
  private readonly stats: BufferStats = { buffers: 0, bytes: 0, requestedBytes: 0, requestedBuffers: 0 };

  constructor(
    private readonly backend: Backend,
    /** Buffers the plan owns (freed with it); the planner appends what it allocates. */
    private readonly owned: BackendBuffer[],
    /** Off: every request is a fresh buffer that is never shared (for debugging and measuring). */
    private readonly reuse: boolean,
  ) {}

  /** A buffer for a new value; `shared: false` for one that must never have held another value. */
  acquire(dtype: DType, size: number, { shared = true } = {}): BackendBuffer {
    this.stats.requestedBytes += size * byteWidth(dtype);
    this.stats.requestedBuffers++;
    const reusable = this.reuse && shared ? this.free.get(key(dtype, size))?.pop() : undefined;
    if (reusable) return reusable;
    const buffer = this.backend.alloc(dtype, size);
    this.owned.push(buffer);
    this.ids.set(buffer, this.ids.size);
    this.stats.buffers++;
    this.stats.bytes += size * byteWidth(dtype);
    return buffer;
  }

  /** The buffer's value is dead: later values may take it. */
  release(buffer: BackendBuffer): void {
    if (!this.reuse || !this.ids.has(buffer)) return;
    const k = key(buffer.dtype, buffer.size);
    const list = this.free.get(k);
    if (list) list.push(buffer);
    else this.free.set(k, [buffer]);
  }

  /** A small stable number for a plan buffer (for `explain`), or -1 for one it does not own. */
  idOf(buffer: BackendBuffer): number {
    return this.ids.get(buffer) ?? -1;
  }

  summary(): BufferStats {
    return { ...this.stats };
  }
}

function key(dtype: DType, size: number): string {
  return `${dtype}:${size}`;
}
