/**
 * Large float32 matmuls on several threads. Each worker (Node worker_threads) instantiates the same
 * compiled kernels over the backend's shared WebAssembly.Memory, with its own stack and packing
 * space carved from the heap. A matmul's output rows (over batch x m) are split into contiguous
 * ranges: the calling thread posts the other ranges through an Int32Array over a SharedArrayBuffer
 * (Atomics.store + notify), computes the first range itself and then waits for the workers with
 * Atomics.wait, so the Backend API stays synchronous. A range no worker has claimed by then (its
 * worker had no core: the machine is busy) is taken back and computed by the caller, so a split never
 * waits for a thread that has not started. Every output element is computed by the same
 * instructions whichever thread computes its row (csrc/matmul.c), so results do not depend on the
 * thread count.
 *
 * Workers start lazily, on the first matmul big enough to split, and that call (and any until they
 * are ready) runs on the calling thread alone: starting one costs tens of milliseconds, which a
 * backend that only ever runs small products (or a probe) should never pay. They are unref'd, so
 * they never keep a process alive, and dispose() terminates them.
 *
 * Browsers get one thread: the backend would have to run in a dedicated worker of a cross-origin
 * isolated page (a page's main thread may not Atomics.wait) and spawn module workers the bundler
 * knows about; see README.md.
 */
import type { WasmHeap } from './heap';
import type { KernelExports } from './kernel-exports';
import type { KernelModule } from './loader';

/** Total threads (the caller included) used unless TINYFLOW_WASM_THREADS or the factory asks otherwise. */
const DEFAULT_MAX_THREADS = 4;
/** The most threads one may ask for. */
export const MAX_THREADS = 16;

/**
 * Products below this many multiply-adds (batch·m·n·k) stay on one thread: the hand-off (post,
 * wake-up, wait) costs tens of microseconds, more on a loaded machine. Measured on 2 cores: 128³
 * (2^21) lost to one thread, 256³ (2^24) gained 1.5x; the seed's 100×784×10 (7.8·10^5) and its
 * gradient stay single-threaded. Split by rows over two threads in a tight loop of one product (the
 * worker still spinning) they ran 1.7-1.8x faster on a quiet machine, but a whole seed step with
 * them split ran at 0.61-0.77x of its single-threaded speed, with 2.5x its CPU time (load average
 * 2): among a step's other kernels the hand-off (waking or spinning worker, waiting caller) costs
 * more than the half of a 40 µs product it saves.
 */
export const PARALLEL_MIN_MULTIPLY_ADDS = 2 ** 22;
/** Each thread's share is at least this many output rows (a few register tiles), else fewer threads run. */
const MIN_ROWS_PER_THREAD = 16;

/** Int32 words of the control block per worker: 128 bytes, so no two workers write one (or adjacent) cache lines. */
const SLOT_WORDS = 32;
const STATE = 0;
/** The latest job's sequence number, posted to wake the worker. */
const GO = 1;
/** The sequence number of the last job the worker finished. */
const DONE = 2;
const FAILED = 3;
/** The sequence number of a posted job nobody has claimed yet, else 0: the worker and the caller race to swap it for 0. */
const OPEN = 4;
/** The 12 arguments of matmul_f32_rows before its workspace: a, b, out, m, n, k, tA, tB, aBS, bBS, begin, end. */
const ARGS = 5;
const STARTING = 0;
const READY = 1;
const DEAD = -1;

const WORKER_STACK_BYTES = 64 * 1024;
/**
 * How long to poll before sleeping in Atomics.wait, in milliseconds: waking from a futex costs tens
 * of microseconds, about what the threads' shares of a split product differ by. Measured in time,
 * not iterations: an Atomics.load loop runs ~5 ns an iteration optimised but ~1 µs interpreted.
 * Kept short so an idle worker gives its core back quickly on a loaded machine.
 */
const WORKER_SPIN_MS = 0.05;
const CALLER_SPIN_MS = 0.03;

/**
 * The worker's program, plain JavaScript evaluated by worker_threads (eval: true): a separate file
 * would need a loader for TypeScript in Node and its own entry in every bundle. It only reads its
 * workerData and the control block; the protocol constants are spliced in from the ones above.
 */
const WORKER_SOURCE = `(function () {
  const { workerData, parentPort } = require('node:worker_threads');
  const { module, memory, control, slot, stackTop, workspace } = workerData;
  const ctl = new Int32Array(control);
  const base = slot * ${SLOT_WORDS};
  let rows;
  try {
    const instance = new WebAssembly.Instance(module, { env: { memory } });
    instance.exports.__stack_pointer.value = stackTop;
    rows = instance.exports.matmul_f32_rows;
  } catch (error) {
    Atomics.store(ctl, base + ${STATE}, ${DEAD});
    parentPort.postMessage({ ready: false, error: String(error && error.message ? error.message : error) });
    return;
  }
  Atomics.store(ctl, base + ${STATE}, ${READY});
  parentPort.postMessage({ ready: true });
  let seen = 0;
  for (;;) {
    let go = Atomics.load(ctl, base + ${GO});
    const spinUntil = performance.now() + ${WORKER_SPIN_MS};
    while (go === seen && performance.now() < spinUntil) {
      for (let i = 0; go === seen && i < 64; i++) go = Atomics.load(ctl, base + ${GO});
    }
    if (go === seen) {
      Atomics.wait(ctl, base + ${GO}, seen);
      continue;
    }
    seen = go;
    // The caller may have taken this range back; the arguments are this job's only once it is claimed.
    if (Atomics.compareExchange(ctl, base + ${OPEN}, go, 0) !== go) continue;
    const a = base + ${ARGS};
    try {
      rows(ctl[a], ctl[a + 1], ctl[a + 2], ctl[a + 3], ctl[a + 4], ctl[a + 5], ctl[a + 6], ctl[a + 7], ctl[a + 8],
        ctl[a + 9], ctl[a + 10], ctl[a + 11], workspace);
    } catch (error) {
      Atomics.store(ctl, base + ${FAILED}, 1);
    }
    Atomics.store(ctl, base + ${DONE}, go);
    Atomics.notify(ctl, base + ${DONE});
  }
})();`;

// The parts of node:worker_threads and node:os used here. They are reached through
// process.getBuiltinModule, never a static import, so browser bundles do not see node: modules.
interface NodeWorker {
  ref(): void;
  unref(): void;
  terminate(): Promise<number>;
  on(event: 'message' | 'error' | 'exit', listener: (value: unknown) => void): void;
}
interface WorkerOptions {
  eval: true;
  workerData: unknown;
  execArgv: string[];
}
interface WorkerThreadsModule {
  Worker: new (source: string, options: WorkerOptions) => NodeWorker;
}
interface OsModule {
  availableParallelism?: () => number;
  cpus(): unknown[];
}
interface NodeProcess {
  getBuiltinModule?: (id: string) => unknown;
  env?: Record<string, string | undefined>;
}

function nodeProcess(): NodeProcess | undefined {
  return (globalThis as { process?: NodeProcess }).process;
}

/** What a backend asked for and why it got what it got. */
export interface ThreadPlan {
  /** Threads a large matmul runs on, the calling thread included. */
  readonly threads: number;
  /** Why there is only one, where more were wanted. */
  readonly reason?: string;
  readonly workerThreads?: WorkerThreadsModule;
}

function checkThreads(value: number, source: string): number {
  if (!Number.isInteger(value) || value < 1 || value > MAX_THREADS) {
    throw new Error(`wasm backend: ${source} must be an integer from 1 to ${MAX_THREADS}, got ${String(value)}`);
  }
  return value;
}

/**
 * The thread count: `requested` (the factory option), else $TINYFLOW_WASM_THREADS, else the cores
 * up to DEFAULT_MAX_THREADS; one wherever workers or a shared memory are unavailable.
 */
export function planThreads(kernels: KernelModule, requested?: number): ThreadPlan {
  const env = nodeProcess()?.env?.TINYFLOW_WASM_THREADS;
  let wanted: number | undefined;
  if (requested !== undefined) wanted = checkThreads(requested, 'the threads option');
  else if (env !== undefined && env !== '') wanted = checkThreads(Number(env), 'TINYFLOW_WASM_THREADS');
  if (wanted === 1) return { threads: 1, reason: requested !== undefined ? 'one thread requested' : 'TINYFLOW_WASM_THREADS=1' };
  const getBuiltinModule = nodeProcess()?.getBuiltinModule;
  if (typeof getBuiltinModule !== 'function') return { threads: 1, reason: 'worker threads are only used in Node' };
  if (!kernels.shared) return { threads: 1, reason: 'this host cannot create a shared WebAssembly.Memory' };
  const workerThreads = getBuiltinModule('node:worker_threads') as WorkerThreadsModule | undefined;
  if (typeof workerThreads?.Worker !== 'function') return { threads: 1, reason: 'node:worker_threads is unavailable' };
  if (wanted === undefined) {
    const os = getBuiltinModule('node:os') as OsModule;
    const cores = typeof os.availableParallelism === 'function' ? os.availableParallelism() : os.cpus().length;
    wanted = Math.max(1, Math.min(DEFAULT_MAX_THREADS, cores));
    if (wanted === 1) return { threads: 1, reason: 'this machine has one core' };
  }
  return { threads: wanted, workerThreads };
}

interface WorkerSlot {
  readonly worker: NodeWorker;
  readonly ready: Promise<boolean>;
}

/** The arguments of one matmul_f32_rows call, less the row range and workspace. */
export interface RowsJob {
  readonly a: number;
  readonly b: number;
  readonly out: number;
  readonly batch: number;
  readonly m: number;
  readonly n: number;
  readonly k: number;
  readonly transposeA: boolean;
  readonly transposeB: boolean;
  readonly aBatchStride: number;
  readonly bBatchStride: number;
}

export class MatmulThreads {
  /** Threads a large matmul runs on, the calling thread included. */
  readonly threads: number;
  /** Whether the caller takes back ranges not yet claimed; tests turn it off so workers must compute theirs. */
  takeBack = true;
  private readonly control: Int32Array;
  private readonly slots: WorkerSlot[] = [];
  private readonly exits: Promise<void>[] = [];
  private readonly ready: number[] = [];
  private sequence = 0;
  private disposed = false;
  private started = false;
  private splits = 0;
  private takenBack = 0;
  /** whenReady() calls in flight: the workers are ref'd while there are any. */
  private waiting = 0;

  constructor(
    private readonly module: KernelModule,
    private readonly kernels: KernelExports,
    private readonly heap: WasmHeap,
    private readonly workerThreads: WorkerThreadsModule,
    threads: number,
  ) {
    this.threads = threads;
    this.control = new Int32Array(new SharedArrayBuffer((threads - 1) * SLOT_WORDS * 4));
  }

  /** How many matmuls ran split over threads (for tests and benchmarks). */
  get splitCalls(): number {
    return this.splits;
  }

  /** How many posted ranges the caller took back because their worker had not started them. */
  get rangesTakenBack(): number {
    return this.takenBack;
  }

  /** Whether a product of this size is worth splitting (batch·m·n·k multiply-adds, enough rows for two). */
  static worthSplitting(job: Pick<RowsJob, 'batch' | 'm' | 'n' | 'k'>): boolean {
    return job.batch * job.m * job.n * job.k >= PARALLEL_MIN_MULTIPLY_ADDS && job.batch * job.m >= 2 * MIN_ROWS_PER_THREAD;
  }

  /**
   * Runs the product on the caller and every ready worker; false (having done nothing) while no
   * worker is ready yet, starting them on the first call.
   */
  run(job: RowsJob): boolean {
    if (this.disposed) return false;
    this.start();
    const ready = this.readyWorkers();
    const rows = job.batch * job.m;
    const parts = Math.min(1 + ready.length, Math.floor(rows / MIN_ROWS_PER_THREAD));
    if (parts < 2) return false;
    // Whole batch entries where there are enough, else ranges of whole register tiles: 12 rows, a
    // multiple of both builds' tile height (csrc/matmul.c MR: 3 relaxed, 4 SIMD128).
    const unit = job.batch >= parts ? job.m : 12;
    const units = Math.ceil(rows / unit);
    const bound = (part: number): number => Math.min(rows, Math.floor((part * units) / parts) * unit);
    this.sequence = (this.sequence % 0x3fffffff) + 1;
    const sequence = this.sequence;
    const ctl = this.control;
    const { a, b, out, m, n, k, aBatchStride, bBatchStride } = job;
    const tA = job.transposeA ? 1 : 0;
    const tB = job.transposeB ? 1 : 0;
    for (let part = 1; part < parts; part++) {
      const base = ready[part - 1]! * SLOT_WORDS;
      // Pointers above 2^31 wrap to negative int32s and back to the same i32 in the worker's call.
      ctl[base + ARGS] = a;
      ctl[base + ARGS + 1] = b;
      ctl[base + ARGS + 2] = out;
      ctl[base + ARGS + 3] = m;
      ctl[base + ARGS + 4] = n;
      ctl[base + ARGS + 5] = k;
      ctl[base + ARGS + 6] = tA;
      ctl[base + ARGS + 7] = tB;
      ctl[base + ARGS + 8] = aBatchStride;
      ctl[base + ARGS + 9] = bBatchStride;
      ctl[base + ARGS + 10] = bound(part);
      ctl[base + ARGS + 11] = bound(part + 1);
      Atomics.store(ctl, base + OPEN, sequence); // publishes the plain stores above
      Atomics.store(ctl, base + GO, sequence);
      Atomics.notify(ctl, base + GO, 1);
    }
    const rowsKernel = this.kernels.matmul_f32_rows;
    rowsKernel(a, b, out, m, n, k, tA, tB, aBatchStride, bBatchStride, 0, bound(1), 0);
    let failed = false;
    const spinUntil = performance.now() + CALLER_SPIN_MS;
    for (let part = 1; part < parts; part++) {
      const base = ready[part - 1]! * SLOT_WORDS;
      if (this.takeBack && Atomics.compareExchange(ctl, base + OPEN, sequence, 0) === sequence) {
        rowsKernel(a, b, out, m, n, k, tA, tB, aBatchStride, bBatchStride, bound(part), bound(part + 1), 0);
        this.takenBack++;
        continue;
      }
      for (let polls = 1; ; polls++) {
        const done = Atomics.load(ctl, base + DONE);
        if (done === sequence) break;
        if (polls % 64 === 0 && performance.now() >= spinUntil) Atomics.wait(ctl, base + DONE, done);
      }
      if (Atomics.exchange(ctl, base + FAILED, 0) !== 0) failed = true;
    }
    if (failed) throw new Error('wasm matmul: a worker thread failed (trapped) computing its rows');
    this.splits++;
    return true;
  }

  /** Starts the workers if need be; resolves to the number of threads ready (the caller included). */
  async whenReady(): Promise<number> {
    this.start();
    // A pending start keeps the process alive only while someone waits for it.
    if (this.waiting++ === 0) for (const slot of this.slots) slot.worker.ref();
    try {
      const ready = await Promise.all(this.slots.map((slot) => slot.ready));
      return 1 + ready.filter(Boolean).length;
    } finally {
      if (--this.waiting === 0) for (const slot of this.slots) slot.worker.unref();
    }
  }

  /** Resolves once every started worker has exited (after dispose()). */
  get stopped(): Promise<void> {
    return Promise.all(this.exits).then(() => undefined);
  }

  dispose(): void {
    if (this.disposed) return;
    this.disposed = true;
    for (const slot of this.slots) void slot.worker.terminate();
  }

  private readyWorkers(): readonly number[] {
    if (this.ready.length < this.slots.length) {
      this.ready.length = 0;
      for (let i = 0; i < this.slots.length; i++) {
        if (Atomics.load(this.control, i * SLOT_WORDS + STATE) === READY) this.ready.push(i);
      }
    }
    return this.ready;
  }

  private start(): void {
    if (this.disposed || this.started) return;
    this.started = true;
    try {
      for (let slot = 0; slot < this.threads - 1; slot++) this.spawn(slot);
    } catch {
      // No memory for another worker's stack, or no thread for it: the ones that started still help,
      // and with none every matmul runs on the calling thread as before.
    }
  }

  private spawn(slot: number): void {
    const workspaceBytes = this.kernels.matmulWorkspaceBytes;
    const workspace = this.heap.allocateScratch(workspaceBytes + WORKER_STACK_BYTES);
    Atomics.store(this.control, slot * SLOT_WORDS + STATE, STARTING);
    const worker = new this.workerThreads.Worker(WORKER_SOURCE, {
      eval: true,
      // The parent's flags (a TypeScript loader, an inspector) are not needed by a plain script.
      execArgv: [],
      workerData: {
        module: this.module.module,
        memory: this.kernels.memory,
        control: this.control.buffer,
        slot,
        workspace,
        // The stack grows down from the end of its region, above the workspace.
        stackTop: workspace + workspaceBytes + WORKER_STACK_BYTES,
      },
    });
    worker.unref();
    const dead = (): void => {
      Atomics.store(this.control, slot * SLOT_WORDS + STATE, DEAD);
      this.ready.length = 0; // recomputed from the states at the next run
    };
    const ready = new Promise<boolean>((resolve) => {
      worker.on('message', (message) => resolve((message as { ready?: boolean }).ready === true));
      worker.on('error', () => {
        dead();
        resolve(false);
      });
    });
    const exited = new Promise<void>((resolve) => worker.on('exit', () => {
      dead();
      resolve();
    }));
    this.exits.push(exited);
    this.slots.push({ worker, ready: Promise.race([ready, exited.then(() => false)]) });
  }
}
