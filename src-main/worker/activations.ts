/**
 * One image through the model, layer by layer, as ConvNetJS's MNIST demo shows it: every layer's output
 * as channel maps (image-shaped outputs) or a vector, and each conv layer's kernels. Maps are sent
 * quantized to 0..255 over their own range, and every part of the answer is capped (inspect-schemas.ts),
 * so the payload stays small whatever the model's width.
 */
import type { DataSet } from '../../src-core/datasets/dataset';
import type { NDArray } from '../../src-core';
import type { Operation } from '../../src-core/graph/operation';
import type { Tensor } from '../../src-core/graph/tensor';
import type { BuiltModel, ModelLayer } from '../../src-core/models/model';
import type { TrainableModel } from '../../src-core/training/trainable';
import {
  MAX_ACTIVATION_VALUES,
  MAX_FILTERS_PER_LAYER,
  MAX_KERNEL_SIDE,
  MAX_LAYERS,
  MAX_MAP_SIDE,
  MAX_MAPS_PER_LAYER,
  MAX_VECTOR,
  type Activations,
  type LayerActivation,
  type ValueMap,
} from '../../src-app-api/inspect-schemas';

/** A test image by index, or given pixels (the drawn digit): exactly one of the two. */
export type ActivationSource = { testIndex?: number; pixels?: number[] };
/** What activationsOf needs of a runtime: the app's ModelRuntime has it, and so does any graph with a session. */
export type ActivationRuntime = Pick<TrainableModel<unknown>, 'name' | 'model' | 'session' | 'shapeImages' | 'inferenceFeeds'>;

/** Forward ops that make a layer's output when the model does not list its layers (a model file's bare graph). */
const LAYER_OPS: Record<string, string> = {
  Conv2D: 'conv', MaxPool: 'pool', AvgPool: 'pool', MatMul: 'dense', Relu: 'relu', Tanh: 'tanh', Sigmoid: 'sigmoid', Elu: 'elu', Softmax: 'softmax',
};

/** The model's own layers, or the forward graph's layer-making ops between `x` and the logits, in creation order. */
export function modelLayers(model: BuiltModel): { from: 'layers' | 'graph'; layers: ModelLayer[] } {
  if (model.layers !== undefined && model.layers.length > 0) return { from: 'layers', layers: model.layers };
  const onPath = forwardOps(model.x, model.logits);
  const seen = new Map<string, number>();
  const layers = onPath
    .filter((op) => Object.hasOwn(LAYER_OPS, op.type) && op.outputs.length > 0)
    .map((op): ModelLayer => {
      const kind = LAYER_OPS[op.type];
      const n = (seen.get(kind) ?? 0) + 1;
      seen.set(kind, n);
      const weights = op.inputs.filter((t) => t.op.type === 'VariableV2');
      const format = (op.attrs as { data_format?: unknown }).data_format;
      return { name: op.name || `${kind}${n}`, kind, output: op.outputs[0], weights, dataFormat: format === 'NCHW' ? 'NCHW' : 'NHWC' };
    });
  return { from: 'graph', layers };
}

/** Ops that depend on `from` and that `to` depends on, by creation order. */
function forwardOps(from: Tensor, to: Tensor): Operation[] {
  const ancestors = new Set<Operation>();
  const stack: Operation[] = [to.op];
  while (stack.length > 0) {
    const op = stack.pop() as Operation;
    if (ancestors.has(op)) continue;
    ancestors.add(op);
    for (const input of op.inputs) stack.push(input.op);
  }
  const reaches = new Map<Operation, boolean>();
  const fromX = (op: Operation): boolean => {
    const known = reaches.get(op);
    if (known !== undefined) return known;
    reaches.set(op, false);
    const r = op === from.op || op.inputs.some((t) => fromX(t.op));
    reaches.set(op, r);
    return r;
  };
  return [...ancestors].filter((op) => op !== from.op && fromX(op)).sort((a, b) => a.id - b.id);
}

/** Finite min and max of `values` (0, 0 when none is finite). */
function rangeOf(values: ArrayLike<number>): { min: number; max: number } {
  let min = Infinity;
  let max = -Infinity;
  for (let i = 0; i < values.length; i++) {
    const v = values[i];
    if (v < min) min = v;
    if (v > max) max = v;
  }
  return Number.isFinite(min) && Number.isFinite(max) ? { min, max } : finiteRange(values);
}

function finiteRange(values: ArrayLike<number>): { min: number; max: number } {
  let min = Infinity;
  let max = -Infinity;
  for (let i = 0; i < values.length; i++) {
    const v = values[i];
    if (!Number.isFinite(v)) continue;
    if (v < min) min = v;
    if (v > max) max = v;
  }
  return min <= max ? { min, max } : { min: 0, max: 0 };
}

/** `count` values read through `at`, quantized over their own finite range (a non-finite value reads as lo). */
export function quantize(count: number, at: (i: number) => number): ValueMap {
  const values = new Float64Array(count);
  for (let i = 0; i < count; i++) values[i] = at(i);
  const { min: lo, max: hi } = rangeOf(values);
  const span = hi - lo;
  const q = new Array<number>(count);
  for (let i = 0; i < count; i++) {
    const v = values[i];
    q[i] = span > 0 && Number.isFinite(v) ? Math.round(((v - lo) / span) * 255) : 0;
  }
  return { lo, hi, q };
}

interface Budget {
  left: number;
}

function mapsOf(layer: ModelLayer, data: Float32Array, shape: number[], budget: Budget, notes: string[]): LayerActivation['maps'] {
  const [c, h, w] = layer.dataFormat === 'NCHW' ? [shape[0], shape[1], shape[2]] : [shape[2], shape[0], shape[1]];
  const stride = Math.max(1, Math.ceil(Math.max(h, w) / MAX_MAP_SIDE));
  const mh = Math.ceil(h / stride);
  const mw = Math.ceil(w / stride);
  const shown = Math.max(0, Math.min(c, MAX_MAPS_PER_LAYER, Math.floor(budget.left / (mh * mw))));
  budget.left -= shown * mh * mw;
  if (stride > 1) notes.push(`maps subsampled: every ${stride}th row and column of ${h}×${w}`);
  if (shown < c) notes.push(`${shown} of ${c} channels shown`);
  const at = layer.dataFormat === 'NCHW' ? (ch: number, y: number, x: number) => data[(ch * h + y) * w + x] : (ch: number, y: number, x: number) => data[(y * w + x) * c + ch];
  const list = Array.from({ length: shown }, (_, ch) => quantize(mh * mw, (i) => at(ch, Math.floor(i / mw) * stride, (i % mw) * stride)));
  return { channels: c, height: mh, width: mw, stride, list };
}

function vectorOf(data: Float32Array, budget: Budget, notes: string[]): LayerActivation['vector'] {
  const shown = Math.max(0, Math.min(data.length, MAX_VECTOR, budget.left));
  budget.left -= shown;
  if (shown < data.length) notes.push(`${shown} of ${data.length} values shown`);
  return { length: data.length, values: quantize(shown, (i) => data[i]) };
}

/**
 * A conv layer's kernels from its HWIO weight (the input channel when there is one, else the mean over
 * them), or a dense layer's templates from its [784, units] weight (a [28, 28, 1, units] kernel).
 */
function filtersOf(weight: NDArray, budget: Budget, notes: string[]): LayerActivation['filters'] {
  const dense = weight.shape.length === 2;
  const [kh, kw, cin, cout] = dense ? [28, 28, 1, weight.shape[1]] : weight.shape;
  const data = weight.data as Float32Array;
  const fh = Math.min(kh, MAX_KERNEL_SIDE);
  const fw = Math.min(kw, MAX_KERNEL_SIDE);
  const oy = Math.floor((kh - fh) / 2);
  const ox = Math.floor((kw - fw) / 2);
  const shown = Math.max(0, Math.min(cout, MAX_FILTERS_PER_LAYER, Math.floor(budget.left / (fh * fw))));
  budget.left -= shown * fh * fw;
  if (shown < cout) notes.push(`${shown} of ${cout} filters shown`);
  if (fh < kh || fw < kw) notes.push(`kernels cropped to their central ${fh}×${fw}`);
  const mean = (f: number, y: number, x: number): number => {
    let sum = 0;
    for (let c = 0; c < cin; c++) sum += data[((y * kw + x) * cin + c) * cout + f];
    return sum / cin;
  };
  const list = Array.from({ length: shown }, (_, f) => quantize(fh * fw, (i) => mean(f, oy + Math.floor(i / fw), ox + (i % fw))));
  const { min, max } = rangeOf(data);
  const over = dense ? 'weights per input pixel' : cin === 1 ? 'input channel' : `mean over ${cin} input channels`;
  return { count: cout, over, height: fh, width: fw, min, max, list };
}

function argmax(values: ArrayLike<number>, offset = 0, size = values.length): number {
  let best = 0;
  for (let k = 1; k < size; k++) if (values[offset + k] > values[offset + best]) best = k;
  return best;
}

/** The source's 784 pixels and, for a test image, its index and label; a bad index is an error naming the range. */
function inputOf(source: ActivationSource, test: DataSet): { pixels: Float32Array; test: Activations['test'] } {
  if (source.pixels !== undefined) return { pixels: Float32Array.from(source.pixels), test: null };
  const n = test.num_examples;
  const index = source.testIndex;
  if (index === undefined) throw new RangeError('inspect:activations: give either testIndex (a test image) or pixels (a drawing)');
  if (!Number.isInteger(index) || index < 0 || index >= n) {
    throw new RangeError(n === 0 ? 'inspect:activations: the test split is empty; draw a digit instead' : `inspect:activations: Test image must be between 0 and ${n - 1} (the test split has ${n} images), got ${index}`);
  }
  const pixels = (test.images.data as Float32Array).slice(index * 784, (index + 1) * 784);
  const width = test.labels.shape[1] ?? 1;
  return { pixels, test: { index, label: argmax(test.labels.data as Float32Array, index * width, width), size: n } };
}

/** Runs the image through `runtime`'s model and lays out every layer (call it under the worker's lock). */
export async function activationsOf(runtime: ActivationRuntime, test: DataSet, source: ActivationSource, step: number): Promise<Activations> {
  const { pixels, test: testInfo } = inputOf(source, test);
  const { model } = runtime;
  const { from, layers: all } = modelLayers(model);
  const layers = all.slice(0, MAX_LAYERS);
  const filterWeights = layers.map((l) => l.weights.find((w) => w.shape?.length === 4 || (w.shape?.length === 2 && w.shape[0] === 784)) ?? null);
  const fetched = await runtime.session.run(
    { outputs: layers.map((l) => l.output), filters: filterWeights.filter((w): w is Tensor => w !== null), probabilities: model.probabilities },
    [[model.x, runtime.shapeImages(pixels, 1)], ...runtime.inferenceFeeds()],
  );
  const budget: Budget = { left: MAX_ACTIVATION_VALUES };
  let filterIndex = 0;
  const out: LayerActivation[] = [];
  for (const [i, layer] of layers.entries()) {
    const value = fetched.outputs[i];
    const weight = filterWeights[i] === null ? null : fetched.filters[filterIndex++];
    if (budget.left <= 0) break;
    const shape = value.shape.slice(1);
    const data = value.data as Float32Array;
    const notes: string[] = [];
    const imageShaped = shape.length === 3;
    const { min, max } = rangeOf(data);
    out.push({
      name: layer.name,
      kind: layer.kind,
      shape,
      min,
      max,
      maps: imageShaped ? mapsOf(layer, data, shape, budget, notes) : null,
      vector: imageShaped ? null : vectorOf(data, budget, notes),
      filters: weight === null ? null : filtersOf(weight, budget, notes),
      note: notes.length > 0 ? notes.join('; ') : null,
    });
  }
  const probabilities = Array.from(fetched.probabilities.data as Float32Array);
  return {
    step,
    model: runtime.name,
    test: testInfo,
    testSize: test.num_examples,
    input: Array.from(pixels, (v) => Math.min(1, Math.max(0, v))),
    probabilities,
    predicted: argmax(probabilities),
    layersFrom: from,
    layers: out,
    layersLeftOut: all.length - out.length,
  };
}
