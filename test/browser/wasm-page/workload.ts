/**
 * The workload of the wasm-in-Chromium test, host-agnostic: it runs in the bundled page (main.ts) and,
 * for a timing baseline, in Node (the test imports it directly). Every result is cpu vs wasm on the
 * same inputs; nothing here may import Node modules or src-core/datasets (node:fs).
 */
import type { Backend, BackendBuffer, DType, TypedArray } from '../../../backends/interface';
import * as tf from '../../../src-core';

export interface PrimitiveResult {
  /** Largest |cpu - wasm| over the output. */
  readonly maxAbsDiff: number;
  /** Largest |cpu| over the output, to scale the tolerance. */
  readonly maxAbs: number;
  readonly cpuMs: number;
  readonly wasmMs: number;
}

export interface WorkloadResult {
  readonly userAgent: string;
  readonly simd: boolean;
  /** createWasmBackendAsync(): fetch + compile + instantiate. */
  readonly wasmInitMs: number;
  readonly matmul: PrimitiveResult;
  readonly broadcastAdd: PrimitiveResult;
  readonly softmax: PrimitiveResult;
  readonly reduceSum: PrimitiveResult;
  readonly training: {
    readonly steps: number;
    readonly maxAbsDiffW: number;
    readonly maxAbsW: number;
    readonly lossCpu: number;
    readonly lossWasm: number;
    readonly lossStart: number;
    readonly cpuMs: number;
    readonly wasmMs: number;
  };
}

export interface WorkloadBackends {
  readonly cpu: Backend;
  readonly wasm: Backend;
  readonly wasmInitMs: number;
  readonly simd: boolean;
}

/** mulberry32, the same generator the wasm backend's unit tests use. */
function makeRng(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

function randomFloats(rng: () => number, size: number, min = -2, max = 2): Float32Array {
  const out = new Float32Array(size);
  for (let i = 0; i < size; i++) out[i] = min + (max - min) * rng();
  return out;
}

function upload(backend: Backend, dtype: DType, values: TypedArray): BackendBuffer {
  const buffer = backend.alloc(dtype, values.length);
  backend.write(buffer, values);
  return buffer;
}

/** Runs `kernel` on both backends with the same inputs (3 warm-up calls, so wasm tiers up, then `reps` timed calls). */
async function compare(
  backends: WorkloadBackends,
  inputs: readonly Float32Array[],
  outSize: number,
  kernel: (backend: Backend, ins: BackendBuffer[], out: BackendBuffer) => void,
  reps = 20,
): Promise<PrimitiveResult> {
  const outputs: TypedArray[] = [];
  const times: number[] = [];
  for (const backend of [backends.cpu, backends.wasm]) {
    const ins = inputs.map((values) => upload(backend, 'float32', values));
    const out = backend.alloc('float32', outSize);
    for (let i = 0; i < 3; i++) kernel(backend, ins, out);
    const start = performance.now();
    for (let i = 0; i < reps; i++) kernel(backend, ins, out);
    outputs.push(await backend.read(out));
    times.push((performance.now() - start) / reps);
    for (const buffer of [...ins, out]) backend.free(buffer);
  }
  const [cpuOut, wasmOut] = outputs as [TypedArray, TypedArray];
  let maxAbsDiff = 0;
  let maxAbs = 0;
  for (let i = 0; i < cpuOut.length; i++) {
    const diff = Math.abs(cpuOut[i]! - wasmOut[i]!);
    // NaN anywhere must fail the comparison, not vanish in Math.max.
    maxAbsDiff = Number.isNaN(diff) ? Infinity : Math.max(maxAbsDiff, diff);
    maxAbs = Math.max(maxAbs, Math.abs(cpuOut[i]!));
  }
  return { maxAbsDiff, maxAbs, cpuMs: times[0]!, wasmMs: times[1]! };
}

const FEATURES = 784;
const CLASSES = 10;
const BATCH = 100;

/** The seed model: softmax regression trained with tf.gradients and tf.assign (as in backends/wasm/session.test.ts). */
function buildSeedModel() {
  tf.reset_default_graph();
  const x = tf.placeholder(tf.float32, [null, FEATURES]);
  const W = tf.Variable(tf.zeros([FEATURES, CLASSES]));
  const y = tf.nn.softmax(tf.matmul(x, W));
  const y_ = tf.placeholder(tf.float32, [null, CLASSES]);
  const crossEntropy = tf.reduce_mean(tf.negative(tf.reduce_sum(tf.multiply(y_, tf.log(y)), { reduction_indices: [1] })));
  const W_grad = tf.gradients(crossEntropy, [W])[0]!;
  const trainStep = tf.assign(W, tf.subtract(W, tf.multiply(0.5, W_grad)));
  return { x, y_, W, trainStep, crossEntropy };
}

/** Random inputs in [0, 1) labelled by a fixed random linear teacher, so there is something to learn. */
function makeBatches(steps: number): [tf.NDArray, tf.NDArray][] {
  const rng = makeRng(1234);
  const teacher = randomFloats(rng, FEATURES * CLASSES, -1, 1);
  const batches: [tf.NDArray, tf.NDArray][] = [];
  for (let s = 0; s < steps; s++) {
    const xs = randomFloats(rng, BATCH * FEATURES, 0, 1);
    const ys = new Float32Array(BATCH * CLASSES);
    for (let r = 0; r < BATCH; r++) {
      let best = 0;
      let bestScore = -Infinity;
      for (let c = 0; c < CLASSES; c++) {
        let score = 0;
        for (let f = 0; f < FEATURES; f++) score += xs[r * FEATURES + f]! * teacher[f * CLASSES + c]!;
        if (score > bestScore) [best, bestScore] = [c, score];
      }
      ys[r * CLASSES + best] = 1;
    }
    batches.push([new tf.NDArray(xs, [BATCH, FEATURES]), new tf.NDArray(ys, [BATCH, CLASSES])]);
  }
  return batches;
}

async function train(backends: WorkloadBackends, steps: number): Promise<WorkloadResult['training']> {
  const { x, y_, W, trainStep, crossEntropy } = buildSeedModel();
  const batches = makeBatches(steps);
  const evalFeed = { feed_dict: [[x, batches[0]![0]], [y_, batches[0]![1]]] as [tf.Tensor, tf.NDArray][] };
  const results: { w: tf.NDArray; loss: number; ms: number; lossStart: number }[] = [];
  for (const backend of [backends.cpu, backends.wasm]) {
    const sess = tf.Session({ backend });
    await sess.run(tf.initialize_all_variables());
    const lossStart = (await sess.run(crossEntropy, evalFeed)).item();
    const start = performance.now();
    for (const [xs, ys] of batches) await sess.run(trainStep, { feed_dict: [[x, xs], [y_, ys]] });
    const w = await sess.run(W);
    const ms = performance.now() - start;
    results.push({ w, loss: (await sess.run(crossEntropy, evalFeed)).item(), ms, lossStart });
    sess.close();
  }
  const [onCpu, onWasm] = results as [(typeof results)[0], (typeof results)[0]];
  let maxAbsDiffW = 0;
  let maxAbsW = 0;
  for (let i = 0; i < onCpu.w.size; i++) {
    const diff = Math.abs(onCpu.w.data[i]! - onWasm.w.data[i]!);
    maxAbsDiffW = Number.isNaN(diff) ? Infinity : Math.max(maxAbsDiffW, diff);
    maxAbsW = Math.max(maxAbsW, Math.abs(onWasm.w.data[i]!));
  }
  return {
    steps,
    maxAbsDiffW,
    maxAbsW,
    lossCpu: onCpu.loss,
    lossWasm: onWasm.loss,
    lossStart: onCpu.lossStart,
    cpuMs: onCpu.ms,
    wasmMs: onWasm.ms,
  };
}

export async function runWorkload(backends: WorkloadBackends, userAgent: string): Promise<WorkloadResult> {
  const rng = makeRng(42);
  // 64×48×32 matmul with transposeB: a is m×k = 64×32, b is stored n×k = 48×32, out m×n = 64×48.
  const [m, n, k] = [64, 48, 32];
  const matmul = await compare(backends, [randomFloats(rng, m * k), randomFloats(rng, n * k)], m * n, (be, [a, b], out) =>
    be.matmul(a!, b!, out, { batch: 1, m, n, k, transposeA: false, transposeB: true, aBatchStride: 0, bBatchStride: 0 }),
  );
  // [37, 53] + [53]: the row vector broadcast down the rows (stride 0 on axis 0).
  const [rows, cols] = [37, 53];
  const broadcastAdd = await compare(backends, [randomFloats(rng, rows * cols), randomFloats(rng, cols)], rows * cols, (be, [a, b], out) =>
    be.binary('add', a!, b!, out, { shape: [rows, cols], aStrides: [cols, 1], bStrides: [0, 1] }),
  );
  // Row softmax of [33, 129], through the fused kernel where the backend has one.
  const [sRows, sCols] = [33, 129];
  const softmax = await compare(backends, [randomFloats(rng, sRows * sCols, -8, 8)], sRows * sCols, (be, [a], out) => {
    if (!be.softmax) throw new Error(`backend ${be.name} has no fused softmax`);
    be.softmax(a!, out, { rows: sRows, cols: sCols, log: false });
  });
  // Sum over the middle axis of [6, 257, 5].
  const [outer, reduce, inner] = [6, 257, 5];
  const reduceSum = await compare(backends, [randomFloats(rng, outer * reduce * inner)], outer * inner, (be, [a], out) =>
    be.reduce('sum', a!, out, { outer, reduce, inner }),
  );
  const training = await train(backends, 20);
  return { userAgent, simd: backends.simd, wasmInitMs: backends.wasmInitMs, matmul, broadcastAdd, softmax, reduceSum, training };
}
