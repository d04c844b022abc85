/**
 * The multiply-add peak of the wasm kernels (Node only; the bench's "% of peak", not part of the
 * backend): csrc/peak.c's register-only loop on `threads` threads at once, the calling thread one of
 * them, each over its own instance of the same compiled artifact. What it reports is the rate of
 * floating-point work when nothing but the vector pipes limits it: relaxed_madd for the relaxed
 * artifact, a mul and an add for the SIMD128 one.
 */
import { Worker } from 'node:worker_threads';
import { kernelModuleSync, type KernelModule, type WasmArtifact } from './loader';

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
    throw new Error(`wasm peak: ${kernels.artifact} kernels do not export fma_peak (rebuild them: npm run build:wasm)`);
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

function median(values: readonly number[]): number {
  return [...values].sort((a, b) => a - b)[values.length >> 1]!;
}

const now = (): number => performance.timeOrigin + performance.now();

/** Measures the peak; rejects when `threads` or `repeats` is out of range. */
export async function measureFmaPeak(options: FmaPeakOptions = {}): Promise<FmaPeak> {
  const threads = options.threads ?? 2;
  const repeats = options.repeats ?? 5;
  const repeatMs = options.repeatMs ?? 200;
  if (!Number.isInteger(threads) || threads < 1 || threads > 16) throw new RangeError(`wasm peak: threads must be an integer from 1 to 16, got ${threads}`);
  if (!Number.isInteger(repeats) || repeats < 1) throw new RangeError(`wasm peak: repeats must be a positive integer, got ${repeats}`);
  if (!(repeatMs > 0)) throw new RangeError(`wasm peak: repeatMs must be positive, got ${repeatMs}`);
  const kernels = kernelModuleSync(options.artifact);
  const own = instantiate(kernels);
  const flopsPerIteration = own.fma_peak_flops_per_iteration();

  // Calibrate on this thread (after a warm-up, so the loop runs optimised): iterations for repeatMs.
  own.fma_peak(100_000, 0.5, 1);
  let iterations = 1_000_000;
  for (;;) {
    const t = performance.now();
    own.fma_peak(iterations, 0.5, 1);
    const ms = performance.now() - t;
    if (ms > 20 || iterations >= 2 ** 30) {
      iterations = Math.min(2 ** 31 - 1, Math.max(1, Math.round((iterations * repeatMs) / Math.max(ms, 1e-3))));
      break;
    }
    iterations *= 4;
  }

  const control = new SharedArrayBuffer(4);
  const go = new Int32Array(control);
  const workers = Array.from({ length: threads - 1 }, () => new Worker(WORKER_SOURCE, {
    eval: true,
    workerData: { module: kernels.module, initialPages: kernels.initialPages, maximumPages: kernels.maximumPages, shared: kernels.shared, control },
  }));
  try {
    await Promise.all(workers.map((w) => new Promise<void>((resolve, reject) => {
      w.once('message', () => resolve());
      w.once('error', reject);
    })));
    const samples: number[] = [];
    const perCore: number[] = [];
    for (let round = 1; round <= repeats; round++) {
      const answers = workers.map((w) => new Promise<Span>((resolve, reject) => {
        w.once('message', (span: Span) => resolve(span));
        w.once('error', reject);
      }));
      for (const w of workers) w.postMessage({ iterations, round });
      // Give the workers a moment to reach their wait, then start everyone together.
      await new Promise((resolve) => setTimeout(resolve, 5));
      const cpu = process.cpuUsage();
      Atomics.store(go, 0, round);
      Atomics.notify(go, 0);
      const start = now();
      own.fma_peak(iterations, 0.5, 1);
      const spans = [{ start, end: now() }, ...(await Promise.all(answers))];
      const used = process.cpuUsage(cpu);
      const wall = Math.max(...spans.map((s) => s.end)) - Math.min(...spans.map((s) => s.start));
      const flops = threads * iterations * flopsPerIteration;
      samples.push(flops / (wall * 1e6));
      perCore.push(flops / ((used.user + used.system) * 1e3));
    }
    return { artifact: kernels.artifact, threads, gflops: median(samples), samples, gflopsPerCore: median(perCore) };
  } finally {
    await Promise.all(workers.map((w) => w.terminate()));
  }
}
