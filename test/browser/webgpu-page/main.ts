/**
 * The browser entry of test/browser/webgpu-in-chromium.test.ts (bundled by Vite there). Trains the
 * seed's softmax regression (with a bias, through GradientDescentOptimizer.minimize) on the MNIST rows
 * the test serves, once on the cpu backend and once on `tf.Session({backend: 'webgpu'})`, whose device
 * comes from navigator.gpu through the same backends/webgpu code Node uses. Publishes the result on
 * window.__result, or an exception on window.__error.
 */
import * as tf from '../../../src-core';
import { backendInfo, registerBackend, unregisterBackend } from '../../../backends';
import { WebGpuBackend, webgpuBackendFactory } from '../../../backends/webgpu';
import type { Gpu } from '../../../backends/webgpu/gpu-types';
import type { AdapterReport, TrainingRun, WebGpuPageResult } from './result';

/** Where the test reads the outcome; a local view of window, since the wasm page types the same names differently. */
const page = window as unknown as { __result?: WebGpuPageResult; __error?: string };

const FEATURES = 784;
const CLASSES = 10;

interface Batches {
  readonly steps: number;
  readonly batchSize: number;
  readonly xs: tf.NDArray[];
  readonly ys: tf.NDArray[];
}

/** The test writes the rows as raw little-endian float32: x [steps·batch, 784] and one-hot y [steps·batch, 10]. */
async function loadBatches(): Promise<Batches> {
  const fetchFloats = async (name: string): Promise<Float32Array> => {
    const response = await fetch(name);
    if (!response.ok) throw new Error(`${name}: HTTP ${response.status}`);
    return new Float32Array(await response.arrayBuffer());
  };
  const meta = (await (await fetch('mnist-meta.json')).json()) as { steps: number; batchSize: number };
  const [x, y] = await Promise.all([fetchFloats('mnist-x.f32'), fetchFloats('mnist-y.f32')]);
  const { steps, batchSize } = meta;
  const xs: tf.NDArray[] = [];
  const ys: tf.NDArray[] = [];
  for (let s = 0; s < steps; s++) {
    xs.push(new tf.NDArray(x.slice(s * batchSize * FEATURES, (s + 1) * batchSize * FEATURES), [batchSize, FEATURES]));
    ys.push(new tf.NDArray(y.slice(s * batchSize * CLASSES, (s + 1) * batchSize * CLASSES), [batchSize, CLASSES]));
  }
  return { steps, batchSize, xs, ys };
}

/** The seed program plus a bias, trained by the optimizer API rather than a hand-written assign. */
function buildModel() {
  const graph = new tf.Graph();
  return graph.as_default(() => {
    const x = tf.placeholder(tf.float32, [null, FEATURES]);
    const W = tf.Variable(tf.zeros([FEATURES, CLASSES]));
    const b = tf.Variable(tf.zeros([CLASSES]));
    const y = tf.nn.softmax(tf.add(tf.matmul(x, W), b));
    const y_ = tf.placeholder(tf.float32, [null, CLASSES]);
    const loss = tf.reduce_mean(tf.negative(tf.reduce_sum(tf.multiply(y_, tf.log(y)), { reduction_indices: [1] })));
    const trainStep = tf.train.GradientDescentOptimizer(0.5).minimize(loss);
    return { graph, x, y_, W, b, loss, trainStep, init: tf.global_variables_initializer() };
  });
}

async function train(session: (graph: tf.Graph) => tf.Session, data: Batches): Promise<TrainingRun> {
  const model = buildModel();
  const sess = session(model.graph);
  try {
    await sess.run(model.init);
    const evalFeed: [tf.Tensor, tf.NDArray][] = [[model.x, data.xs[0]!], [model.y_, data.ys[0]!]];
    const evalLossBefore = (await sess.run(model.loss, evalFeed)).item();
    const losses: number[] = [];
    const stepMs: number[] = [];
    for (let s = 0; s < data.steps; s++) {
      const start = performance.now();
      // Fetching the loss makes every step wait for the device, so the time is the whole step.
      const out = await sess.run({ train: model.trainStep, loss: model.loss }, [[model.x, data.xs[s]!], [model.y_, data.ys[s]!]]);
      stepMs.push(performance.now() - start);
      losses.push(out.loss.item());
    }
    const evalLossAfter = (await sess.run(model.loss, evalFeed)).item();
    const [W, b] = await sess.run([model.W, model.b]);
    // Then the same batches again fetching nothing, and one read at the end: throughput, not latency,
    // since webgpu records a step without waiting for the previous one.
    const start = performance.now();
    for (let s = 0; s < data.steps; s++) await sess.run(model.trainStep, [[model.x, data.xs[s]!], [model.y_, data.ys[s]!]]);
    await sess.run(model.loss, evalFeed);
    const pipelinedStepMs = (performance.now() - start) / data.steps;
    const rest = stepMs.slice(1);
    return {
      losses, evalLossBefore, evalLossAfter,
      W: Array.from(W!.data), b: Array.from(b!.data),
      firstStepMs: stepMs[0] ?? 0,
      stepMs: rest.length > 0 ? rest.reduce((a, v) => a + v, 0) / rest.length : 0,
      pipelinedStepMs,
    };
  } finally {
    sess.close();
  }
}

/** Asks navigator.gpu directly, so a missing adapter is reported with the page's own view of why. */
async function probeAdapter(): Promise<AdapterReport | string> {
  if (!isSecureContext) return 'the page is not a secure context, so navigator.gpu is hidden';
  // Typed by our own slice of the API (gpu-types.ts), as backends/webgpu/device.ts sees it.
  const gpu = (navigator as unknown as { gpu?: Gpu }).gpu;
  if (gpu === undefined) return 'navigator.gpu is undefined: WebGPU is disabled in this Chromium (launch with --enable-unsafe-webgpu)';
  const adapter = (await gpu.requestAdapter()) ?? (await gpu.requestAdapter({ featureLevel: 'compatibility' }));
  if (adapter === null) return 'navigator.gpu.requestAdapter() returned null (no GPU and no SwiftShader fallback enabled)';
  const info = adapter.info;
  return {
    vendor: info?.vendor ?? '', architecture: info?.architecture ?? '', device: info?.device ?? '', description: info?.description ?? '',
    isFallbackAdapter: info?.isFallbackAdapter ?? null,
    maxBufferSize: adapter.limits.maxBufferSize, maxStorageBufferBindingSize: adapter.limits.maxStorageBufferBindingSize,
  };
}

async function main(): Promise<WebGpuPageResult> {
  const adapter = await probeAdapter();
  if (typeof adapter === 'string') {
    return { ok: false, userAgent: navigator.userAgent, isSecureContext, hasNavigatorGpu: 'gpu' in navigator, reason: adapter };
  }
  // The built-in registration takes hardware adapters only; report what it says about this one.
  const builtin = await backendInfo('webgpu');
  // Then register the any-adapter factory under the same name, so the session below asks for 'webgpu' by name.
  unregisterBackend('webgpu');
  registerBackend('webgpu', webgpuBackendFactory, { priority: 20 });

  const data = await loadBatches();
  const cpu = await train((graph) => tf.Session({ backend: 'cpu', graph }), data);
  let backendName = '';
  let backendAdapter: { description: string; software: boolean } | null = null;
  let stats: WebGpuBackend['ctx']['stats'] | null = null;
  const webgpu = await train((graph) => {
    const sess = tf.Session({ backend: 'webgpu', graph });
    void sess.backend().then((b) => {
      backendName = b.name;
      backendAdapter = b.capabilities.adapter ?? null;
      if (b instanceof WebGpuBackend) stats = b.ctx.stats;
    }, () => undefined);
    return sess;
  }, data);
  return {
    ok: true, userAgent: navigator.userAgent, adapter,
    registered: { available: builtin.available, reason: builtin.reason ?? null },
    backendAdapter, backendName, webgpuStats: stats === null ? null : { ...(stats as WebGpuBackend['ctx']['stats']) }, steps: data.steps, batchSize: data.batchSize, cpu, webgpu,
  };
}

const out = document.getElementById('out');
main().then(
  (result) => {
    page.__result = result;
    if (out) out.textContent = JSON.stringify({ ...result, ...(result.ok ? { cpu: '…', webgpu: '…' } : {}) }, null, 2);
  },
  (error: unknown) => {
    page.__error = error instanceof Error ? `${error.name}: ${error.message}\n${error.stack ?? ''}` : String(error);
    if (out) out.textContent = page.__error;
  },
);
