/**
 * The one WebAssembly.Memory every buffer lives in, and the allocator that carves it up.
 *
 * Buffers are byte ranges [offset, offset + capacity). Capacities are rounded up to size classes
 * (64-byte granules up to 1 KiB, then four classes per power of two, so at most 25% slack), and a
 * freed range goes onto its class's free list for the next allocation of that class. There is no
 * coalescing: a session's plans allocate their buffers once at compile time and reuse them every
 * step, so the same sizes come back and a steady-state step allocates nothing.
 *
 * When the bump pointer passes the end of memory, the memory grows. Growing detaches the old
 * ArrayBuffer, and with it every typed-array view over it, so views are only ever reached through
 * the getters below, which rebuild them after a grow. A shared memory (see loader.ts) is not
 * detached but its old SharedArrayBuffer keeps its old length, so the same refresh applies. Only
 * the thread that owns the heap grows the memory, and never while workers run a kernel.
 */

/** Every buffer starts on a cache line, which also keeps SIMD loads aligned. */
const ALIGNMENT = 64;
const PAGE_BYTES = 65536;
/** Grow by at least this much at a time, so a run of small allocations does not grow page by page. */
const MIN_GROW_BYTES = 1 << 20;
/** wasm32 addresses 4 GiB; leave the top page unused so no offset reaches 2^32 (build.mjs's --max-memory). */
const MAX_MEMORY_BYTES = 2 ** 32 - PAGE_BYTES;

export interface HeapStats {
  /** Allocations (of non-empty buffers) since the heap was created. */
  readonly allocations: number;
  readonly frees: number;
  /** How many times the memory grew. */
  readonly grows: number;
  /** Bytes in live buffers (their size-class capacity). */
  readonly bytesInUse: number;
  /** Bytes on free lists, ready for reuse. */
  readonly bytesFree: number;
  /** The memory's current size. */
  readonly memoryBytes: number;
}

function roundUp(value: number, multiple: number): number {
  return Math.ceil(value / multiple) * multiple;
}

/** The capacity actually reserved for a request of `bytes` (> 0). */
export function sizeClass(bytes: number): number {
  if (bytes <= 1024) return roundUp(bytes, ALIGNMENT);
  const magnitude = 2 ** (31 - Math.clz32(bytes - 1)); // magnitude < bytes <= 2 * magnitude (bytes < 2^32)
  return roundUp(bytes, Math.max(ALIGNMENT, magnitude / 4));
}

export class WasmHeap {
  private readonly memory: WebAssembly.Memory;
  private readonly freeLists = new Map<number, number[]>();
  private top: number;
  private buffer: ArrayBuffer;
  private f32View: Float32Array;
  private i32View: Int32Array;
  private u8View: Uint8Array;
  private allocations = 0;
  private frees = 0;
  private grows = 0;
  private bytesInUse = 0;
  private bytesFree = 0;

  constructor(memory: WebAssembly.Memory, heapBase: number) {
    this.memory = memory;
    this.top = roundUp(heapBase, ALIGNMENT);
    this.buffer = memory.buffer;
    this.f32View = new Float32Array(this.buffer);
    this.i32View = new Int32Array(this.buffer);
    this.u8View = new Uint8Array(this.buffer);
  }

  /** Float32 view of the whole memory; index = byteOffset / 4. Re-read it after any allocation. */
  get f32(): Float32Array {
    if (this.buffer !== this.memory.buffer) this.refreshViews();
    return this.f32View;
  }

  get i32(): Int32Array {
    if (this.buffer !== this.memory.buffer) this.refreshViews();
    return this.i32View;
  }

  get u8(): Uint8Array {
    if (this.buffer !== this.memory.buffer) this.refreshViews();
    return this.u8View;
  }

  /** Returns the byte offset of `capacity` zeroed bytes; `capacity` must come from sizeClass. */
  allocate(capacity: number): number {
    this.allocations++;
    this.bytesInUse += capacity;
    const reused = this.freeLists.get(capacity)?.pop();
    if (reused !== undefined) {
      this.bytesFree -= capacity;
      this.u8.fill(0, reused, reused + capacity);
      return reused;
    }
    const offset = this.top;
    this.ensureMemory(offset + capacity);
    this.top = offset + capacity; // fresh memory from a grow is already zero
    return offset;
  }

  /**
   * `bytes` (64-byte aligned) that live as long as the memory, for the threads' packing space and
   * stacks: not a buffer, so the allocation counters leave it out.
   */
  allocateScratch(bytes: number): number {
    const offset = this.top;
    const capacity = roundUp(bytes, ALIGNMENT);
    this.ensureMemory(offset + capacity);
    this.top = offset + capacity;
    return offset;
  }

  release(offset: number, capacity: number): void {
    this.frees++;
    this.bytesInUse -= capacity;
    this.bytesFree += capacity;
    let list = this.freeLists.get(capacity);
    if (list === undefined) {
      list = [];
      this.freeLists.set(capacity, list);
    }
    list.push(offset);
  }

  /** Grows the memory now so that `bytes` more can be bump-allocated without growing later. */
  reserve(bytes: number): void {
    if (!Number.isFinite(bytes) || bytes < 0) throw new Error(`wasm reserve: bytes must be a non-negative number, got ${bytes}`);
    this.ensureMemory(this.top + bytes);
  }

  stats(): HeapStats {
    return {
      allocations: this.allocations,
      frees: this.frees,
      grows: this.grows,
      bytesInUse: this.bytesInUse,
      bytesFree: this.bytesFree,
      memoryBytes: this.memory.buffer.byteLength,
    };
  }

  private ensureMemory(end: number): void {
    const current = this.memory.buffer.byteLength;
    if (end <= current) return;
    if (end > MAX_MEMORY_BYTES) {
      throw new Error(`wasm alloc: out of memory: ${end} bytes needed, WebAssembly memory is limited to ${MAX_MEMORY_BYTES}`);
    }
    const target = Math.min(MAX_MEMORY_BYTES, Math.max(end, current + MIN_GROW_BYTES));
    const pages = Math.ceil((target - current) / PAGE_BYTES);
    try {
      this.memory.grow(pages);
    } catch (error) {
      throw new Error(`wasm alloc: cannot grow the WebAssembly memory to ${current + pages * PAGE_BYTES} bytes: ${(error as Error).message}`);
    }
    this.grows++;
    this.refreshViews();
  }

  private refreshViews(): void {
    this.buffer = this.memory.buffer;
    this.f32View = new Float32Array(this.buffer);
    this.i32View = new Int32Array(this.buffer);
    this.u8View = new Uint8Array(this.buffer);
  }
}
