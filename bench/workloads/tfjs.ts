/**
 * The workloads in TensorFlow.js (whichever backend the peer selected): the same models, sizes,
 * initial weights and batches as tinyflow's, trained with tfjs's SGD optimizer. tfjs's layout is
 * NHWC, like TF-1's and our LeNet graph's. On the wasm backend, which has no Conv2DBackpropFilter
 * kernel, LeNet's convolutions take their filter gradient from conv2dCustomFilterGrad (below).
 */
import * as tfjs from '@tensorflow/tfjs';
import type { Runner } from '../peers/harness';
import type { Skip, WorkloadPlan } from '../protocol';
import { CLASSES, PIXELS, batchAt, type Dataset } from '../data';
import { glorot, mulberry32 } from '../rng';

type Model = (x: tfjs.Tensor) => tfjs.Tensor2D;
type Conv2d = (x: tfjs.Tensor4D, filter: tfjs.Tensor4D, stride: number, pad: 'same' | 'valid') => tfjs.Tensor4D;

/** The padding tfjs (and TF) applies before a window of `k` at `stride` over `size`: [before, after]. */
function padding(size: number, k: number, stride: number, pad: 'same' | 'valid'): [number, number] {
  if (pad === 'valid') return [0, 0];
  const out = Math.ceil(size / stride);
  const total = Math.max((out - 1) * stride + k - size, 0);
  return [Math.floor(total / 2), total - Math.floor(total / 2)];
}

/**
 * d(loss)/d(filter) of conv2d(x, filter) given dy, from ops the wasm backend has, the way TF's
 * Conv2DBackpropFilter is defined: dW[i, j, c, o] = sum over batch and output positions of
 * x[b, p*s + i - padTop, q*s + j - padLeft, c] * dy[b, p, q, o]. That is itself a convolution:
 * x with batch and channels swapped ([C, H, W, B]) convolved with dy as the filter ([OH, OW, B, O]),
 * the forward stride becoming the dilation, giving [C, KH, KW, O] (sliced: 'valid' with a stride can
 * leave extra rows), transposed back to [KH, KW, C, O].
 */
export function conv2dFilterGradient(x: tfjs.Tensor4D, dy: tfjs.Tensor4D, filterShape: readonly number[], stride: number, pad: 'same' | 'valid'): tfjs.Tensor4D {
  return tfjs.tidy(() => {
    const [kh, kw, channels, outChannels] = filterShape;
    const [, height, width] = x.shape;
    const [top, bottom] = padding(height, kh, stride, pad);
    const [left, right] = padding(width, kw, stride, pad);
    const xT = tfjs.transpose(x, [3, 1, 2, 0]);
    const dyT = tfjs.transpose(dy, [1, 2, 0, 3]);
    const explicit: [[number, number], [number, number], [number, number], [number, number]] = [[0, 0], [top, bottom], [left, right], [0, 0]];
    const full = tfjs.conv2d(xT, dyT, 1, explicit, 'NHWC', stride);
    const cut = tfjs.slice(full, [0, 0, 0, 0], [channels, kh, kw, outChannels]);
    return tfjs.transpose(cut, [1, 2, 0, 3]);
  });
}

/** conv2d whose filter gradient is conv2dFilterGradient, and input gradient tfjs's own (Conv2DBackpropInput, which wasm has). */
export const conv2dCustomFilterGrad: Conv2d = (x, filter, stride, pad) => {
  const op = tfjs.customGrad((...args: (tfjs.Tensor | tfjs.GradSaveFunc)[]) => {
    const [xi, wi, save] = args as [tfjs.Tensor4D, tfjs.Tensor4D, tfjs.GradSaveFunc];
    save([xi, wi]);
    return {
      value: tfjs.conv2d(xi, wi, stride, pad),
      gradFunc: (dy: tfjs.Tensor4D, saved: tfjs.Tensor[]) => {
        const [xs, ws] = saved as [tfjs.Tensor4D, tfjs.Tensor4D];
        return [tfjs.conv2dTranspose(dy, ws, xs.shape, stride, pad), conv2dFilterGradient(xs, dy, ws.shape, stride, pad)];
      },
    };
  });
  return op(x, filter);
};

const plainConv2d: Conv2d = (x, filter, stride, pad) => tfjs.conv2d(x, filter, stride, pad);

/** tfjs-backend-wasm registers Conv2D and Conv2DBackpropInput but not Conv2DBackpropFilter. */
function needsCustomFilterGrad(): boolean {
  return tfjs.getBackend() === 'wasm';
}
type Loss = (output: tfjs.Tensor2D, labels: tfjs.Tensor2D) => tfjs.Scalar;
/** A model, its variables, and its loss when it is not the usual mean softmax cross-entropy of logits. */
interface Built {
  model: Model;
  vars: tfjs.Variable[];
  loss?: Loss;
}

const meanCrossEntropy: Loss = (logits, labels) => tfjs.losses.softmaxCrossEntropy(labels, logits) as tfjs.Scalar;

function weight(shape: number[], fanIn: number, fanOut: number, seed: number): tfjs.Variable {
  return tfjs.variable(tfjs.tensor(glorot(shape, fanIn, fanOut, seed), shape));
}

function mlp(seed: number): Built {
  const W1 = weight([PIXELS, 128], PIXELS, 128, seed);
  const b1 = tfjs.variable(tfjs.zeros([128]));
  const W2 = weight([128, CLASSES], 128, CLASSES, seed + 1);
  const b2 = tfjs.variable(tfjs.zeros([CLASSES]));
  const model: Model = (x) => tfjs.add(tfjs.matMul(tfjs.relu(tfjs.add(tfjs.matMul(x as tfjs.Tensor2D, W1), b1)), W2), b2);
  return { model, vars: [W1, b1, W2, b2] };
}

function lenet(batch: number, seed: number, conv: Conv2d): Built {
  const Wc1 = weight([5, 5, 1, 32], 25, 25 * 32, seed);
  const bc1 = tfjs.variable(tfjs.zeros([32]));
  const Wc2 = weight([5, 5, 32, 64], 25 * 32, 25 * 64, seed + 1);
  const bc2 = tfjs.variable(tfjs.zeros([64]));
  const Wf1 = weight([7 * 7 * 64, 1024], 7 * 7 * 64, 1024, seed + 2);
  const bf1 = tfjs.variable(tfjs.zeros([1024]));
  const Wf2 = weight([1024, CLASSES], 1024, CLASSES, seed + 3);
  const bf2 = tfjs.variable(tfjs.zeros([CLASSES]));
  const convRelu = (x: tfjs.Tensor4D, W: tfjs.Variable, b: tfjs.Variable) => tfjs.relu(tfjs.add(conv(x, W as tfjs.Variable<tfjs.Rank.R4>, 1, 'same'), b)) as tfjs.Tensor4D;
  const pool = (x: tfjs.Tensor4D) => tfjs.maxPool(x, 2, 2, 'same');
  const model: Model = (x) => {
    const p2 = pool(convRelu(pool(convRelu(x as tfjs.Tensor4D, Wc1, bc1)), Wc2, bc2));
    const hidden = tfjs.relu(tfjs.add(tfjs.matMul(tfjs.reshape(p2, [batch, 7 * 7 * 64]), Wf1), bf1));
    return tfjs.add(tfjs.matMul(hidden, Wf2), bf2);
  };
  return { model, vars: [Wc1, bc1, Wc2, bc2, Wf1, bf1, Wf2, bf2] };
}

/** The seed program: softmax(x·W) and its mean cross-entropy spelled out, as in the seed. */
function seed(): Built {
  const W = tfjs.variable(tfjs.zeros([PIXELS, CLASSES]));
  return {
    model: (x) => tfjs.softmax(tfjs.matMul(x as tfjs.Tensor2D, W)) as tfjs.Tensor2D,
    vars: [W],
    loss: (p, y) => tfjs.mean(tfjs.neg(tfjs.sum(tfjs.mul(y, tfjs.log(p)), 1))),
  };
}

function trainingRunner(plan: WorkloadPlan, data: Dataset, initSeed: number): Runner {
  const imageShape = plan.kind === 'lenet' ? [plan.batch, 28, 28, 1] : [plan.batch, PIXELS];
  const count = Math.floor(data.examples / plan.batch);
  const batches = Array.from({ length: count }, (_, b) => {
    const { images, labels } = batchAt(data, plan.batch, b);
    return { x: tfjs.tensor(images.slice(), imageShape), y: tfjs.tensor2d(labels.slice(), [plan.batch, CLASSES]) };
  });
  const custom = plan.kind === 'lenet' && needsCustomFilterGrad();
  const built = plan.kind === 'seed' ? seed() : plan.kind === 'mlp' ? mlp(initSeed) : lenet(plan.batch, initSeed, custom ? conv2dCustomFilterGrad : plainConv2d);
  const loss = built.loss ?? meanCrossEntropy;
  const optimizer = tfjs.train.sgd(plan.learningRate);
  let next = 0;
  return {
    step: () => {
      const { x, y } = batches[next++ % batches.length];
      optimizer.minimize(() => loss(built.model(x), y), false, built.vars);
      // 'seed-fetch': W back on the host every step, as the seed program's sess.run(train_step) does.
      if (plan.fetchAssign === true) built.vars[0].dataSync();
    },
    // Like sess.run(train_step): done when the weights are readable on the host.
    sync: () => built.vars[0].data().then(() => undefined),
    dispose: () => {
      for (const t of [...built.vars, ...batches.flatMap((b) => [b.x, b.y])]) t.dispose();
      optimizer.dispose();
    },
    ...(custom ? { note: 'custom conv filter gradient' } : {}),
  };
}

function matmulRunner(plan: WorkloadPlan, initSeed: number): Runner {
  const next = mulberry32(initSeed);
  const n = plan.n;
  const a = tfjs.tensor2d(Float32Array.from({ length: n * n }, () => next() - 0.5), [n, n]);
  const b = tfjs.tensor2d(Float32Array.from({ length: n * n }, () => next() - 0.5), [n, n]);
  let last: tfjs.Tensor | undefined;
  return {
    // cpu and wasm compute when the op is called; the previous product is freed so memory stays flat.
    step: () => {
      last?.dispose();
      last = tfjs.matMul(a, b);
    },
    sync: () => last?.data().then(() => undefined),
    dispose: () => {
      for (const t of [a, b, last]) t?.dispose();
    },
  };
}

/**
 * One tiny add per step, the counterpart of ours' dispatch workload. tfjs has no public layer below
 * its ops, so this includes its engine's per-op bookkeeping (a tensor made and disposed each step),
 * which is what a tfjs user pays per op.
 */
function dispatchRunner(plan: WorkloadPlan): Runner {
  const n = plan.n;
  const a = tfjs.tensor1d(Float32Array.from({ length: n }, (_, i) => i));
  const b = tfjs.tensor1d(Float32Array.from({ length: n }, (_, i) => n - i));
  let last: tfjs.Tensor | undefined;
  const read = () => last?.data().then(() => undefined);
  return {
    step: () => {
      last?.dispose();
      last = tfjs.add(a, b);
      if (plan.readback === true) return read();
    },
    sync: read,
    dispose: () => {
      for (const t of [a, b, last]) t?.dispose();
    },
  };
}

export async function buildTfjs(plan: WorkloadPlan, data: Dataset, initSeed: number): Promise<Runner | Skip> {
  if (plan.kind === 'matmul') return matmulRunner(plan, initSeed);
  if (plan.kind === 'dispatch') return dispatchRunner(plan);
  if (plan.kind === 'peak') return { id: plan.id, reason: 'the multiply-add peak is measured for our wasm kernels only' };
  return trainingRunner(plan, data, initSeed);
}
