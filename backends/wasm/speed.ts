/**
 * Speed comparison (not a test): `npx tsx backends/wasm/speed.ts [--quick]`.
 *
 * Prints medians over several runs of
 *   - matmul GFLOP/s for 256³, 512³ and 1024³ on our wasm backend, our cpu backend and
 *     @tensorflow/tfjs with @tensorflow/tfjs-backend-wasm (single-threaded, SIMD);
 *   - the seed workload in steps/s: 1000 steps of batch 100 of softmax regression (lr 0.5, mean
 *     cross-entropy) on the bundled MNIST digits, through tf.Session on wasm and cpu, and through
 *     tfjs's optimizer.minimize on tfjs-wasm. The same batches are fed to all three, prepared up
 *     front so the data pipeline is timed for none of them.
 *
 * Implementations are measured in interleaved rounds so that load from other processes on a shared
 * machine hits them alike. Each result shows the wall-clock median and, in parentheses, the median
 * measured in this process's CPU time, which time-slicing by other processes does not inflate.
 * Our wasm splits large matmuls over worker threads (threads.ts); the CPU time sums every thread,
 * so for it the parenthesised number is work per core-second. TINYFLOW_WASM_THREADS=1 compares one.
 */
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { pathToFileURL } from 'node:url';
import * as tfjs from '@tensorflow/tfjs';
import { setWasmPaths } from '@tensorflow/tfjs-backend-wasm';
import type { Backend, MatMulArgs } from '../interface';
import * as tf from '../../src-core';
import { get_mnist } from '../../src-core/datasets';
import { createCpuBackend } from '../cpu';
import { createWasmBackend } from './index';

const QUICK = process.argv.includes('--quick');
const MATMUL_SIZES = [256, 512, 1024];
const MATMUL_ROUNDS = QUICK ? 3 : 7;
/** Each matmul sample repeats the product until at least this long, so small sizes are measurable. */
const MATMUL_SAMPLE_MS = 250;
const SEED_STEPS = 1000;
const SEED_ROUNDS = QUICK ? 1 : 3;
const BATCH = 100;
const LEARNING_RATE = 0.5;
const DISTINCT_BATCHES = 50;

interface Sample {
  wall: number;
  cpu: number;
}

/** Runs `body`, which returns how much work it did, and reports work per second by wall clock and CPU time. */
async function timed(body: () => number | Promise<number>): Promise<Sample> {
  const cpuStart = process.cpuUsage();
  const wallStart = performance.now();
  const work = await body();
  const wallSeconds = (performance.now() - wallStart) / 1000;
  const used = process.cpuUsage(cpuStart);
  return { wall: work / wallSeconds, cpu: work / ((used.user + used.system) / 1e6) };
}

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = sorted.length >> 1;
  return sorted.length % 2 === 1 ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2;
}

function summarize(samples: Sample[]): Sample {
  return { wall: median(samples.map((s) => s.wall)), cpu: median(samples.map((s) => s.cpu)) };
}

function format(sample: Sample, digits: number): string {
  return `${sample.wall.toFixed(digits)} (${sample.cpu.toFixed(digits)})`;
}

async function setUpTfjs(): Promise<void> {
  const require = createRequire(import.meta.url);
  const dist = join(dirname(require.resolve('@tensorflow/tfjs-backend-wasm/package.json')), 'dist');
  setWasmPaths(`${pathToFileURL(dist).href}/`);
  await tfjs.setBackend('wasm');
  await tfjs.ready();
  if (tfjs.getBackend() !== 'wasm') throw new Error(`tfjs backend is ${tfjs.getBackend()}, expected wasm`);
}

// ---------------------------------------------------------------- matmul

type MatmulRunner = () => void;

function ourMatmul(backend: Backend, n: number, a: Float32Array, b: Float32Array): MatmulRunner {
  const [ab, bb, out] = [backend.alloc('float32', n * n), backend.alloc('float32', n * n), backend.alloc('float32', n * n)];
  backend.write(ab, a);
  backend.write(bb, b);
  const args: MatMulArgs = { batch: 1, m: n, n, k: n, transposeA: false, transposeB: false, aBatchStride: 0, bBatchStride: 0 };
  return () => backend.matmul(ab, bb, out, args);
}

function tfjsMatmul(n: number, a: Float32Array, b: Float32Array): MatmulRunner {
  const at = tfjs.tensor2d(a, [n, n]);
  const bt = tfjs.tensor2d(b, [n, n]);
  // The wasm backend computes synchronously when the op is called; disposing frees the output.
  return () => tfjs.matMul(at, bt).dispose();
}

async function timeMatmul(flops: number, run: MatmulRunner): Promise<Sample> {
  run(); // warm up (compiles, tiers up, sizes scratch)
  const result = await timed(() => {
    let reps = 0;
    const start = performance.now();
    do {
      run();
      reps++;
    } while (performance.now() - start < MATMUL_SAMPLE_MS);
    return reps * flops;
  });
  return { wall: result.wall / 1e9, cpu: result.cpu / 1e9 };
}

async function benchmarkMatmul(wasm: Backend, cpu: Backend): Promise<void> {
  console.log(`\nmatmul GFLOP/s, n×n·n×n float32, median of ${MATMUL_ROUNDS} (CPU-time median in parentheses)`);
  console.log('n      ours wasm          tfjs-wasm          ours cpu           wasm/tfjs   wasm/cpu');
  for (const n of MATMUL_SIZES) {
    const a = Float32Array.from({ length: n * n }, () => Math.random() - 0.5);
    const b = Float32Array.from({ length: n * n }, () => Math.random() - 0.5);
    const runners: Record<string, MatmulRunner> = {
      wasm: ourMatmul(wasm, n, a, b),
      tfjs: tfjsMatmul(n, a, b),
      cpu: ourMatmul(cpu, n, a, b),
    };
    const samples: Record<string, Sample[]> = { wasm: [], tfjs: [], cpu: [] };
    for (let round = 0; round < MATMUL_ROUNDS; round++) {
      for (const name of Object.keys(runners)) samples[name].push(await timeMatmul(2 * n ** 3, runners[name]));
    }
    const [w, t, c] = [summarize(samples.wasm), summarize(samples.tfjs), summarize(samples.cpu)];
    console.log(
      `${String(n).padEnd(7)}${format(w, 1).padEnd(19)}${format(t, 1).padEnd(19)}${format(c, 1).padEnd(19)}` +
        `${(w.wall / t.wall).toFixed(2).padEnd(12)}${(w.wall / c.wall).toFixed(1)}`,
    );
  }
}

// ---------------------------------------------------------------- seed workload

interface Batch {
  xs: tf.NDArray;
  ys: tf.NDArray;
}

function seedBatches(): Batch[] {
  const mnist = get_mnist({ flatten: true, onehot: true });
  return Array.from({ length: DISTINCT_BATCHES }, () => {
    const [xs, ys] = mnist.train.next_batch(BATCH);
    return { xs, ys };
  });
}

/** The seed program on a tinyflow backend; returns a function that runs `steps` training steps. */
async function tinyflowSeed(backend: Backend, batches: Batch[]): Promise<(steps: number) => Promise<void>> {
  tf.reset_default_graph();
  const x = tf.placeholder(tf.float32, [null, 784]);
  const W = tf.Variable(tf.zeros([784, 10]));
  const y = tf.nn.softmax(tf.matmul(x, W));
  const y_ = tf.placeholder(tf.float32, [null, 10]);
  const crossEntropy = tf.reduce_mean(tf.negative(tf.reduce_sum(tf.multiply(y_, tf.log(y)), { reduction_indices: [1] })));
  const W_grad = tf.gradients(crossEntropy, [W])[0]!;
  const trainStep = tf.assign(W, tf.subtract(W, tf.multiply(LEARNING_RATE, W_grad)));
  const sess = tf.Session({ backend });
  await sess.run(tf.initialize_all_variables());
  let next = 0;
  return async (steps) => {
    for (let i = 0; i < steps; i++) {
      const { xs, ys } = batches[next++ % batches.length];
      await sess.run(trainStep, { feed_dict: [[x, xs], [y_, ys]] });
    }
  };
}

/** The same model in tfjs: softmax(x·W), mean cross-entropy, SGD with the same learning rate. */
function tfjsSeed(batches: Batch[]): (steps: number) => Promise<void> {
  const tensors = batches.map(({ xs, ys }) => ({
    xs: tfjs.tensor2d(xs.data as Float32Array, [BATCH, 784]),
    ys: tfjs.tensor2d(ys.data as Float32Array, [BATCH, 10]),
  }));
  const W = tfjs.variable(tfjs.zeros([784, 10]));
  const optimizer = tfjs.train.sgd(LEARNING_RATE);
  let next = 0;
  return async (steps) => {
    for (let i = 0; i < steps; i++) {
      const { xs, ys } = tensors[next++ % tensors.length];
      optimizer.minimize(() => {
        const probabilities = tfjs.softmax(tfjs.matMul(xs, W));
        return tfjs.mean(tfjs.neg(tfjs.sum(tfjs.mul(ys, tfjs.log(probabilities)), 1)));
      });
    }
    await W.data(); // like sess.run(train_step), finish with the weights readable on the host
  };
}

async function benchmarkSeed(wasm: Backend, cpu: Backend): Promise<void> {
  const batches = seedBatches();
  const runners: Record<string, (steps: number) => Promise<void>> = {
    wasm: await tinyflowSeed(wasm, batches),
    tfjs: tfjsSeed(batches),
    cpu: await tinyflowSeed(cpu, batches),
  };
  for (const run of Object.values(runners)) await run(100); // warm up: compile plans, tier up JIT and wasm
  const samples: Record<string, Sample[]> = { wasm: [], tfjs: [], cpu: [] };
  for (let round = 0; round < SEED_ROUNDS; round++) {
    for (const [name, run] of Object.entries(runners)) {
      samples[name].push(
        await timed(async () => {
          await run(SEED_STEPS);
          return SEED_STEPS;
        }),
      );
    }
  }
  const [w, t, c] = [summarize(samples.wasm), summarize(samples.tfjs), summarize(samples.cpu)];
  console.log(`\nseed workload steps/s (${SEED_STEPS} steps of batch ${BATCH}), median of ${SEED_ROUNDS} (CPU-time median in parentheses)`);
  console.log('ours wasm          tfjs-wasm          ours cpu           wasm/tfjs   wasm/cpu');
  console.log(
    `${format(w, 0).padEnd(19)}${format(t, 0).padEnd(19)}${format(c, 0).padEnd(19)}` +
      `${(w.wall / t.wall).toFixed(2).padEnd(12)}${(w.wall / c.wall).toFixed(1)}`,
  );
}

async function main(): Promise<void> {
  await setUpTfjs();
  const wasm = createWasmBackend();
  const cpu = createCpuBackend();
  const threads = await wasm.threadsReady(); // start the matmul workers before timing, not during the first sample
  console.log(
    `tinyflow wasm (${threads} thread${threads === 1 ? '' : 's'} for large matmuls) vs tfjs ${tfjs.version.tfjs} ` +
      `(backend ${tfjs.getBackend()}, SIMD ${String(tfjs.env().getBool('WASM_HAS_SIMD_SUPPORT'))}) on node ${process.version}`,
  );
  await benchmarkMatmul(wasm, cpu);
  await benchmarkSeed(wasm, cpu);
}

await main();
