/**
 * Speed check for the cpu matmul (not a test): `npx tsx backends/cpu/matmul-speed.ts`.
 * Prints GFLOP/s of the backend's matmul next to a naive triple loop, as medians over a few runs.
 */
import type { MatMulArgs } from '../interface';
import { createCpuBackend } from './index';

interface Case {
  readonly label: string;
  readonly m: number;
  readonly k: number;
  readonly n: number;
  readonly transposeA?: boolean;
  readonly transposeB?: boolean;
}

const CASES: readonly Case[] = [
  { label: '256^3', m: 256, k: 256, n: 256 },
  { label: '512^3', m: 512, k: 512, n: 512 },
  { label: '[100,784]x[784,10]', m: 100, k: 784, n: 10 },
  { label: '[784,100]^T x [100,10]', m: 784, k: 100, n: 10, transposeA: true },
  { label: '[100,10] x [784,10]^T', m: 100, k: 10, n: 784, transposeB: true },
];
const RUNS = 7;
/** Each timed run repeats the product until at least this long, so small shapes are measurable. */
const MIN_RUN_MS = 40;

/** The textbook i-j-p loop over float32 storage, honouring the same layouts. */
function naiveMatmul(a: Float32Array, b: Float32Array, out: Float32Array, args: MatMulArgs): void {
  const { m, n, k, transposeA, transposeB } = args;
  for (let i = 0; i < m; i++) {
    for (let j = 0; j < n; j++) {
      let sum = 0;
      for (let p = 0; p < k; p++) sum += a[transposeA ? p * m + i : i * k + p] * b[transposeB ? j * k + p : p * n + j];
      out[i * n + j] = sum;
    }
  }
}

/** GFLOP/s of one timed run, repeating `run` until MIN_RUN_MS has passed. */
function gflopsOfOneRun(flops: number, run: () => void): number {
  let reps = 0;
  const start = performance.now();
  let elapsed = 0;
  do {
    run();
    reps++;
    elapsed = performance.now() - start;
  } while (elapsed < MIN_RUN_MS);
  return (flops * reps) / (elapsed * 1e6);
}

/**
 * Medians for both implementations, alternating their runs so that load from other processes on
 * the machine hits both about equally and the speedup stays meaningful.
 */
function medianGflops(flops: number, implementations: readonly (() => void)[]): number[] {
  for (const run of implementations) run(); // warm up the JIT
  const rates = implementations.map((): number[] => []);
  for (let r = 0; r < RUNS; r++) implementations.forEach((run, i) => rates[i].push(gflopsOfOneRun(flops, run)));
  return rates.map((list) => list.sort((x, y) => x - y)[Math.floor(RUNS / 2)]);
}

function main(): void {
  const backend = createCpuBackend();
  console.log('shape                         cpu GFLOP/s   naive GFLOP/s   speedup');
  for (const c of CASES) {
    const args: MatMulArgs = {
      batch: 1, m: c.m, n: c.n, k: c.k, transposeA: c.transposeA ?? false, transposeB: c.transposeB ?? false,
      aBatchStride: 0, bBatchStride: 0,
    };
    const aData = Float32Array.from({ length: c.m * c.k }, () => Math.random() - 0.5);
    const bData = Float32Array.from({ length: c.k * c.n }, () => Math.random() - 0.5);
    const a = backend.alloc('float32', aData.length);
    const b = backend.alloc('float32', bData.length);
    const out = backend.alloc('float32', c.m * c.n);
    backend.write(a, aData);
    backend.write(b, bData);
    const naiveOut = new Float32Array(c.m * c.n);
    const flops = 2 * c.m * c.n * c.k;
    const [ours, naive] = medianGflops(flops, [
      () => backend.matmul(a, b, out, args),
      () => naiveMatmul(aData, bData, naiveOut, args),
    ]);
    console.log(
      `${c.label.padEnd(30)}${ours.toFixed(2).padStart(11)}${naive.toFixed(2).padStart(16)}${(ours / naive).toFixed(1).padStart(9)}x`,
    );
  }
  backend.dispose();
}

main();
