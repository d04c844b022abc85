/**
 * The workloads in tinyflow, written as a user writes them: placeholders, tf.gradients and tf.assign
 * (the seed's own update rule, and what GradientDescentOptimizer builds), run step by step through
 * Session.runSync (or run, on an asynchronous backend). Matmul and dispatch go straight to the
 * backend's kernels, as tfjs's matMul and numpy's @ do, so they measure the kernel and not the session.
 */
import * as tf from '../../src-core';
import { resolveBackend, type Backend, type BackendBuffer, type BinaryArgs, type MatMulArgs } from '../../backends';
import type { Runner } from '../peers/harness';
import type { Optimizations, Skip, WorkloadPlan } from '../protocol';
import { CLASSES, PIXELS, batchAt, type Dataset } from '../data';
import { glorot, mulberry32 } from '../rng';
import { peakRunner } from './peak';

/** tf.gradients, where every variable must get a gradient (null means the graph is wrong). */
function gradientsOf(loss: tf.Tensor, vars: tf.Variable[]): tf.Tensor[] {
  return tf.gradients(loss, vars).map((g, i) => {
    if (g === null) throw new Error(`no gradient for ${vars[i].name}`);
    return g;
  });
}

/** `probe`: a small variable whose read waits for every queued step (asynchronous backends). */
type Graph = { train: tf.Tensor | tf.Operation; x: tf.Tensor; y: tf.Tensor; imageShape: number[]; probe: tf.Tensor };

/** The seed program, line by line (examples/mnist_softmax.ts). */
function seedGraph(plan: WorkloadPlan): Graph {
  const x = tf.placeholder(tf.float32, [null, 784]);
  const W = tf.Variable(tf.zeros([784, 10]));
  const y = tf.nn.softmax(tf.matmul(x, W));
  const y_ = tf.placeholder(tf.float32, [null, 10]);
  const cross_entropy = tf.reduce_mean(tf.negative(tf.reduce_sum(tf.multiply(y_, tf.log(y)), { reduction_indices: [1] })));
  const [W_grad] = gradientsOf(cross_entropy, [W]);
  const train = tf.assign(W, tf.subtract(W, tf.multiply(plan.learningRate, W_grad)));
  // 'seed': run as a target (its Operation), not fetched, as the TF.js peer's optimizer.minimize does;
  // both read W at the end of each repetition. 'seed-fetch': the seed program's own
  // sess.run(train_step), which brings the assigned W back to the host every step.
  return { train: plan.fetchAssign === true ? train : train.op, x, y: y_, imageShape: [plan.batch, PIXELS], probe: W };
}

function weight(shape: number[], fanIn: number, fanOut: number, seed: number): tf.Variable {
  return tf.Variable(new tf.NDArray(glorot(shape, fanIn, fanOut, seed), shape));
}

/** Plain SGD on every variable: one assign per variable, grouped into one op. */
function sgd(loss: tf.Tensor, vars: tf.Variable[], learningRate: number): tf.Operation {
  const grads = gradientsOf(loss, vars);
  return tf.group(vars.map((v, i) => tf.assign(v, tf.subtract(v, tf.multiply(learningRate, grads[i])))));
}

function meanCrossEntropy(logits: tf.Tensor, labels: tf.Tensor): tf.Tensor {
  return tf.reduce_mean(tf.nn.softmax_cross_entropy_with_logits({ labels, logits }));
}

function mlpGraph(plan: WorkloadPlan, seed: number): Graph {
  const x = tf.placeholder(tf.float32, [null, PIXELS]);
  const y = tf.placeholder(tf.float32, [null, CLASSES]);
  const W1 = weight([PIXELS, 128], PIXELS, 128, seed);
  const b1 = tf.Variable(tf.zeros([128]));
  const W2 = weight([128, CLASSES], 128, CLASSES, seed + 1);
  const b2 = tf.Variable(tf.zeros([CLASSES]));
  const hidden = tf.nn.relu(tf.add(tf.matmul(x, W1), b1));
  const logits = tf.add(tf.matmul(hidden, W2), b2);
  return { train: sgd(meanCrossEntropy(logits, y), [W1, b1, W2, b2], plan.learningRate), x, y, imageShape: [plan.batch, PIXELS], probe: b2 };
}

/** TF-1's "Deep MNIST for experts" network in TF-1's NHWC form. */
function lenetGraph(plan: WorkloadPlan, seed: number): Graph {
  const x = tf.placeholder(tf.float32, [null, 28, 28, 1]);
  const y = tf.placeholder(tf.float32, [null, CLASSES]);
  const convRelu = (input: tf.Tensor, filter: tf.Variable, bias: tf.Variable) =>
    tf.nn.relu(tf.add(tf.nn.conv2d(input, filter, [1, 1, 1, 1], 'SAME'), bias));
  const pool = (input: tf.Tensor) => tf.nn.max_pool(input, [1, 2, 2, 1], [1, 2, 2, 1], 'SAME');
  const Wc1 = weight([5, 5, 1, 32], 25, 25 * 32, seed);
  const bc1 = tf.Variable(tf.zeros([32]));
  const Wc2 = weight([5, 5, 32, 64], 25 * 32, 25 * 64, seed + 1);
  const bc2 = tf.Variable(tf.zeros([64]));
  const Wf1 = weight([7 * 7 * 64, 1024], 7 * 7 * 64, 1024, seed + 2);
  const bf1 = tf.Variable(tf.zeros([1024]));
  const Wf2 = weight([1024, CLASSES], 1024, CLASSES, seed + 3);
  const bf2 = tf.Variable(tf.zeros([CLASSES]));
  const p2 = pool(convRelu(pool(convRelu(x, Wc1, bc1)), Wc2, bc2));
  const flat = tf.reshape(p2, [plan.batch, 7 * 7 * 64]);
  const hidden = tf.nn.relu(tf.add(tf.matmul(flat, Wf1), bf1));
  const logits = tf.add(tf.matmul(hidden, Wf2), bf2);
  const vars = [Wc1, bc1, Wc2, bc2, Wf1, bf1, Wf2, bf2];
  return { train: sgd(meanCrossEntropy(logits, y), vars, plan.learningRate), x, y, imageShape: [plan.batch, 28, 28, 1], probe: bf2 };
}

/** Which backend a peer runs on: a registered name, or an instance it made itself (webgpu on any adapter). */
export type BackendChoice = string | Backend;

/** Session options with the compiler's pass switches (spelled out here so the bench type-checks whatever Session declares). */
type BenchSessionOptions = tf.SessionOptions & { optimizations?: Optimizations };

async function trainingRunner(plan: WorkloadPlan, backend: BackendChoice, data: Dataset, seed: number, optimizations?: Optimizations): Promise<Runner> {
  tf.reset_default_graph();
  const graph = plan.kind === 'seed' ? seedGraph(plan) : plan.kind === 'mlp' ? mlpGraph(plan, seed) : lenetGraph(plan, seed);
  // Batches are made up front (the data pipeline is timed for no peer) as views of the one dataset:
  // a session copies a feed into its backend buffer and never writes to it, so copies would only add
  // another dataset's worth (10 MB) to the peak RSS.
  const count = Math.floor(data.examples / plan.batch);
  const feeds = Array.from({ length: count }, (_, b) => {
    const { images, labels } = batchAt(data, plan.batch, b);
    const pairs: [tf.Tensor, tf.NDArray][] = [
      [graph.x, new tf.NDArray(images, graph.imageShape)],
      [graph.y, new tf.NDArray(labels, [plan.batch, CLASSES])],
    ];
    return pairs;
  });
  const options: BenchSessionOptions = { backend, ...(optimizations !== undefined ? { optimizations } : {}) };
  const sess = tf.Session(options);
  await sess.run(tf.initialize_all_variables());
  const sync = (await sess.backend()).readSync !== undefined;
  let next = 0;
  return {
    step: () => {
      const feed_dict = feeds[next++ % feeds.length];
      if (sync) sess.runSync(graph.train, { feed_dict });
      else return sess.run(graph.train, { feed_dict }).then(() => undefined);
    },
    // Like tfjs's sync: a step on an asynchronous backend (webgpu) may resolve with GPU work still
    // queued, so each repetition ends by reading a variable back, which waits for all of it.
    sync: () => (sync ? undefined : sess.run(graph.probe).then(() => undefined)),
    dispose: () => sess.close(),
  };
}

/** The backend itself for the kernel workloads, and whether the runner owns (and so disposes) it. */
async function kernelBackend(choice: BackendChoice): Promise<{ backend: Backend; owned: boolean }> {
  return typeof choice === 'string' ? { backend: await resolveBackend(choice), owned: true } : { backend: choice, owned: false };
}

async function matmulRunner(plan: WorkloadPlan, choice: BackendChoice, seed: number): Promise<Runner> {
  const { backend, owned } = await kernelBackend(choice);
  const n = plan.n;
  const next = mulberry32(seed);
  const [a, b, out] = [backend.alloc('float32', n * n), backend.alloc('float32', n * n), backend.alloc('float32', n * n)];
  backend.write(a, Float32Array.from({ length: n * n }, () => next() - 0.5));
  backend.write(b, Float32Array.from({ length: n * n }, () => next() - 0.5));
  const args: MatMulArgs = { batch: 1, m: n, n, k: n, transposeA: false, transposeB: false, aBatchStride: 0, bBatchStride: 0 };
  return {
    step: () => backend.matmul(a, b, out, args),
    // A synchronous backend has finished when matmul returns; an asynchronous one is done once a read resolves.
    sync: () => (backend.readSync ? undefined : backend.read(out).then(() => undefined)),
    dispose: () => {
      for (const buffer of [a, b, out]) backend.free(buffer);
      if (owned) backend.dispose();
    },
  };
}

/**
 * One tiny elementwise add per step: what a backend costs per op before any arithmetic (argument
 * checks, a WebAssembly call, a GPU command encoder and submit). With `readback` every step also reads
 * the result, so the difference between the two rows is the cost of a readback.
 */
async function dispatchRunner(plan: WorkloadPlan, choice: BackendChoice): Promise<Runner> {
  const { backend, owned } = await kernelBackend(choice);
  const n = plan.n;
  const buffers: BackendBuffer[] = [backend.alloc('float32', n), backend.alloc('float32', n), backend.alloc('float32', n)];
  const [a, b, out] = buffers;
  backend.write(a, Float32Array.from({ length: n }, (_, i) => i));
  backend.write(b, Float32Array.from({ length: n }, (_, i) => n - i));
  const args: BinaryArgs = { shape: [n], aStrides: [1], bStrides: [1] };
  const read = (): void | Promise<void> => {
    if (backend.readSync) backend.readSync(out);
    else return backend.read(out).then(() => undefined);
  };
  return {
    step: () => {
      backend.binary('add', a, b, out, args);
      if (plan.readback === true) return read();
    },
    sync: read,
    dispose: () => {
      for (const buffer of buffers) backend.free(buffer);
      if (owned) backend.dispose();
    },
  };
}

export async function buildTinyflow(plan: WorkloadPlan, backend: BackendChoice, data: Dataset, seed: number, optimizations?: Optimizations): Promise<Runner | Skip> {
  if (plan.kind === 'matmul') return matmulRunner(plan, backend, seed);
  if (plan.kind === 'dispatch') return dispatchRunner(plan, backend);
  if (plan.kind === 'peak') {
    const { backend: resolved, owned } = await kernelBackend(backend);
    return peakRunner(plan, resolved, () => owned && resolved.dispose());
  }
  if (plan.kind === 'lenet' && (typeof tf.nn.conv2d !== 'function' || typeof tf.nn.max_pool !== 'function')) {
    return { id: plan.id, reason: 'tf.nn.conv2d / tf.nn.max_pool are not in this build of tinyflow' };
  }
  return trainingRunner(plan, backend, data, seed, optimizations);
}
