/**
 * The multiply-add peak of the wasm kernels (Node only; the bench's peak workload, not part of the
 * backend): csrc/peak.c's register-only loop on `threads` threads at once, the calling thread one of
 * them, each over its own instance of the same compiled artifact. What it reports is the rate of
 * floating-point work when nothing but the vector pipes limits it: relaxed_madd for the relaxed
 * artifact, a mul and an add for the SIMD128 one.
 */
import { Worker } from 'node:worker_threads';
import { kernelModuleSync, type KernelModule, type WasmArtifact } from './loader';

/** Flops of one iteration of csrc/peak.c's loop (12 chains of a 4-lane multiply-add); checked against the module. */
export const PEAK_FLOPS_PER_ITERATION = 96;

export interface FmaPeakOptions {
  /** Which build to measure; default: the one a backend would load here. */
  readonly artifact?: WasmArtifact;
  /** Threads running at once, the caller included (1 to 16). Default 2. */
  readonly threads?: number;
  /** Timed repetitions (odd, so the median is one of them). Default 5. */
  readonly repeats?: number;
  /** About how long one repetition runs. Default 200 ms. */
  readonly repeatMs?: number;
}

export interface FmaPeak {
  readonly artifact: WasmArtifact;
  readonly threads: number;
  /** Median over the repetitions of all threads' flops over the wall time from the first start to the last end. */
  readonly gflops: number;
  /** Every repetition's GFLOP/s, in order. */
  readonly samples: readonly number[];
  /**
   * Median GFLOP/s per CPU-second of this process (all its threads): one core's rate, which other
   * processes' load does not dilute as it does the wall-clock figure. Times `threads` it is the
   * figure an idle machine would show.
   */
  readonly gflopsPerCore: number;
}

interface PeakExports {
  fma_peak(iterations: number, m: number, c: number): number;
  fma_peak_flops_per_iteration(): number;
}

function instantiate(kernels: KernelModule): PeakExports {
  const memory = new WebAssembly.Memory({ initial: kernels.initialPages, maximum: kernels.maximumPages, shared: kernels.shared });
  const exports = new WebAssembly.Instance(kernels.module, { env: { memory } }).exports as Partial<PeakExports>;
  if (typeof exports.fma_peak !== 'function' || typeof exports.fma_peak_flops_per_iteration !== 'function') {
    throw new Error(`wasm peak: the ${kernels.artifact} kernels do not export fma_peak (rebuild them: npm run build:wasm)`);
  }
  if (exports.fma_peak_flops_per_iteration() !== PEAK_FLOPS_PER_ITERATION) {
    throw new Error(`wasm peak: fma_peak does ${exports.fma_peak_flops_per_iteration()} flops an iteration, PEAK_FLOPS_PER_ITERATION says ${PEAK_FLOPS_PER_ITERATION}`);
  }
  return exports as PeakExports;
}

/**
 * A worker: instantiates the module, then per job waits on the go word and runs fma_peak, reporting
 * its start and end on the shared clock (timeOrigin + now, so all threads' times compare).
 */
const WORKER_SOURCE = `
const { parentPort, workerData } = require('node:worker_threads');
const { module, initialPages, maximumPages, shared, control } = workerData;
const memory = new WebAssembly.Memory({ initial: initialPages, maximum: maximumPages, shared });
const peak = new WebAssembly.Instance(module, { env: { memory } }).exports.fma_peak;
const go = new Int32Array(control);
parentPort.on('message', ({ iterations, round }) => {
  Atomics.wait(go, 0, round - 1);
  const start = performance.timeOrigin + performance.now();
  const sink = peak(iterations, 0.5, 1);
  parentPort.postMessage({ start, end: performance.timeOrigin + performance.now(), sink });
});
parentPort.postMessage('ready');
`;

interface Span {
  start: number;
  end: number;
}

const now = (): number => performance.timeOrigin + performance.now();

function median(values: readonly number[]): number {
  return [...values].sort((a, b) => a - b)[values.length >> 1]!;
}

/** One round's timing: wall milliseconds from the first thread's start to the last one's end, and this process's CPU milliseconds. */
export interface PeakRound {
  readonly wallMs: number;
  readonly cpuMs: number;
}

/** The loop on `threads` threads, ready to run rounds; dispose() ends its workers. */
export class FmaPeakThreads {
  readonly artifact: WasmArtifact;
  private readonly own: PeakExports;
  private readonly workers: Worker[];
  private readonly go = new Int32Array(new SharedArrayBuffer(4));
  private round = 0;
  private readonly started: Promise<void>;

  constructor(readonly threads: number, artifact?: WasmArtifact) {
    if (!Number.isInteger(threads) || threads < 1 || threads > 16) throw new RangeError(`wasm peak: threads must be an integer from 1 to 16, got ${threads}`);
    const kernels = kernelModuleSync(artifact);
    this.artifact = kernels.artifact;
    this.own = instantiate(kernels);
    const workerData = { module: kernels.module, initialPages: kernels.initialPages, maximumPages: kernels.maximumPages, shared: kernels.shared, control: this.go.buffer };
    this.workers = Array.from({ length: threads - 1 }, () => new Worker(WORKER_SOURCE, { eval: true, workerData }));
    this.started = Promise.all(this.workers.map((w) => new Promise<void>((resolve, reject) => {
      w.once('message', () => resolve());
      w.once('error', reject);
    }))).then(() => undefined);
    this.started.catch(() => undefined); // reported by the first run()
  }

  /** Runs `iterations` of the loop on this thread alone, and returns how long it took in milliseconds (for calibration). */
  runHere(iterations: number): number {
    const t = performance.now();
    this.own.fma_peak(iterations, 0.5, 1);
    return performance.now() - t;
  }

  /** Every thread runs `iterations` of the loop, started together. */
  async run(iterations: number): Promise<PeakRound> {
    await this.started;
    const round = ++this.round;
    const answers = this.workers.map((w) => new Promise<Span>((resolve, reject) => {
      w.once('message', (span: Span) => resolve(span));
      w.once('error', reject);
    }));
    for (const w of this.workers) w.postMessage({ iterations, round });
    // Give the workers a moment to reach their wait, then start everyone together.
    if (this.workers.length > 0) await new Promise((resolve) => setTimeout(resolve, 2));
    const cpu = process.cpuUsage();
    Atomics.store(this.go, 0, round);
    Atomics.notify(this.go, 0);
    const start = now();
    this.own.fma_peak(iterations, 0.5, 1);
    const spans = [{ start, end: now() }, ...(await Promise.all(answers))];
    const used = process.cpuUsage(cpu);
    return { wallMs: Math.max(...spans.map((s) => s.end)) - Math.min(...spans.map((s) => s.start)), cpuMs: (used.user + used.system) / 1000 };
  }

  async dispose(): Promise<void> {
    await Promise.all(this.workers.map((w) => w.terminate()));
  }
}

/** Measures the peak; rejects when `threads`, `repeats` or `repeatMs` is out of range. */
export async function measureFmaPeak(options: FmaPeakOptions = {}): Promise<FmaPeak> {
  const repeats = options.repeats ?? 5;
  const repeatMs = options.repeatMs ?? 200;
  if (!Number.isInteger(repeats) || repeats < 1) throw new RangeError(`wasm peak: repeats must be a positive integer, got ${repeats}`);
  if (!(repeatMs > 0)) throw new RangeError(`wasm peak: repeatMs must be positive, got ${repeatMs}`);
  const peak = new FmaPeakThreads(options.threads ?? 2, options.artifact);
  try {
    // Calibrate on this thread (after a warm-up, so the loop runs optimised): iterations for repeatMs.
    peak.runHere(100_000);
    let iterations = 1_000_000;
    for (;;) {
      const ms = peak.runHere(iterations);
      if (ms > 20 || iterations >= 2 ** 30) {
        iterations = Math.min(2 ** 31 - 1, Math.max(1, Math.round((iterations * repeatMs) / Math.max(ms, 1e-3))));
        break;
      }
      iterations *= 4;
    }
    const samples: number[] = [];
    const perCore: number[] = [];
    const flops = peak.threads * iterations * PEAK_FLOPS_PER_ITERATION;
    for (let r = 0; r < repeats; r++) {
      const { wallMs, cpuMs } = await peak.run(iterations);
      samples.push(flops / (wallMs * 1e6));
      perCore.push(flops / (cpuMs * 1e6));
    }
    return { artifact: peak.artifact, threads: peak.threads, gflops: median(samples), samples, gflopsPerCore: median(perCore) };
  } finally {
    await peak.dispose();
  }
}
