/**
 * A backend that wraps another and counts calls and wall time per primitive. Time is what the call
 * takes on the host: for a backend that enqueues work (a GPU) that is the enqueue cost, and the wait
 * shows up under `read`.
 */
import type {
  ArgReduceOp, Backend, BackendBuffer, BinaryArgs, BinaryOp, DType, MatMulArgs, ReduceArgs, ReduceOp, SoftmaxArgs,
  StridedCopyArgs, TypedArray, UnaryOp,
} from '../../../backends/interface';

export interface PrimitiveStats {
  calls: number;
  milliseconds: number;
}

export class TracingBackend implements Backend {
  readonly name: string;
  readonly capabilities: Backend['capabilities'];
  // Optional members mirror the inner backend's: present exactly when it has them, so the compiler
  // makes the same fused-or-lowered choice through the wrapper as without it.
  readonly readSync?: (buffer: BackendBuffer) => TypedArray;
  readonly softmax?: (x: BackendBuffer, out: BackendBuffer, args: SoftmaxArgs) => void;
  private readonly counters = new Map<string, PrimitiveStats>();

  constructor(readonly inner: Backend, name = 'tracing') {
    this.name = name;
    this.capabilities = inner.capabilities;
    const { readSync, softmax } = inner;
    if (readSync) this.readSync = (buffer) => this.timed('read', () => readSync.call(inner, buffer));
    if (softmax) this.softmax = (x, out, args) => this.timed('softmax', () => softmax.call(inner, x, out, args));
  }

  /** Calls and time so far, keyed by primitive ('binary add', 'matmul', ...), in first-call order. */
  stats(): Map<string, PrimitiveStats> {
    return new Map([...this.counters].map(([k, v]) => [k, { ...v }]));
  }

  reset(): void {
    this.counters.clear();
  }

  alloc(dtype: DType, size: number): BackendBuffer {
    return this.timed('alloc', () => this.inner.alloc(dtype, size));
  }
  free(buffer: BackendBuffer): void {
    this.timed('free', () => this.inner.free(buffer));
  }
  write(buffer: BackendBuffer, data: TypedArray): void {
    this.timed('write', () => this.inner.write(buffer, data));
  }
  async read(buffer: BackendBuffer): Promise<TypedArray> {
    const started = performance.now();
    try {
      return await this.inner.read(buffer);
    } finally {
      this.count('read', performance.now() - started);
    }
  }
  dispose(): void {
    this.inner.dispose();
  }
  fill(out: BackendBuffer, value: number): void {
    this.timed('fill', () => this.inner.fill(out, value));
  }
  cast(x: BackendBuffer, out: BackendBuffer): void {
    this.timed('cast', () => this.inner.cast(x, out));
  }
  unary(op: UnaryOp, x: BackendBuffer, out: BackendBuffer): void {
    this.timed(`unary ${op}`, () => this.inner.unary(op, x, out));
  }
  binary(op: BinaryOp, a: BackendBuffer, b: BackendBuffer, out: BackendBuffer, args: BinaryArgs): void {
    this.timed(`binary ${op}`, () => this.inner.binary(op, a, b, out, args));
  }
  reduce(op: ReduceOp, x: BackendBuffer, out: BackendBuffer, args: ReduceArgs): void {
    this.timed(`reduce ${op}`, () => this.inner.reduce(op, x, out, args));
  }
  argReduce(op: ArgReduceOp, x: BackendBuffer, out: BackendBuffer, args: ReduceArgs): void {
    this.timed(`argReduce ${op}`, () => this.inner.argReduce(op, x, out, args));
  }
  matmul(a: BackendBuffer, b: BackendBuffer, out: BackendBuffer, args: MatMulArgs): void {
    this.timed('matmul', () => this.inner.matmul(a, b, out, args));
  }
  stridedCopy(x: BackendBuffer, out: BackendBuffer, args: StridedCopyArgs): void {
    this.timed('stridedCopy', () => this.inner.stridedCopy(x, out, args));
  }

  private timed<T>(key: string, call: () => T): T {
    const started = performance.now();
    try {
      return call();
    } finally {
      this.count(key, performance.now() - started);
    }
  }

  private count(key: string, milliseconds: number): void {
    const entry = this.counters.get(key);
    if (entry) {
      entry.calls++;
      entry.milliseconds += milliseconds;
    } else {
      this.counters.set(key, { calls: 1, milliseconds });
    }
  }
}

/** The stats as an aligned table, most time first. */
export function formatStats(stats: Map<string, PrimitiveStats>): string {
  const rows = [...stats].sort((a, b) => b[1].milliseconds - a[1].milliseconds);
  const width = Math.max(9, ...rows.map(([k]) => k.length));
  const lines = rows.map(([k, s]) => `${k.padEnd(width)}  ${String(s.calls).padStart(8)}  ${s.milliseconds.toFixed(3).padStart(10)}`);
  return [`${'primitive'.padEnd(width)}  ${'calls'.padStart(8)}  ${'ms'.padStart(10)}`, ...lines].join('\n');
}
