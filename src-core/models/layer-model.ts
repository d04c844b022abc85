/**
 * The layer editor's file format as data: its types and limits, its checks, and each layer's output
 * shape and parameter count. Pure: the renderer shows shapes and errors from it as the user edits.
 */
import { InvalidArgumentError } from '../base/errors';

export type Activation = 'none' | 'relu' | 'tanh' | 'sigmoid';
export type LayerDef =
  | { type: 'dense'; units: number; activation: Activation }
  | { type: 'conv2d'; filters: number; kernel: number; stride: number; padding: 'same' | 'valid'; activation: Activation }
  | { type: 'max_pool' | 'avg_pool'; size: number; stride: number; padding: 'same' | 'valid' }
  /** 0 <= rate < 1, active only while training. */
  | { type: 'dropout'; rate: number }
  | { type: 'flatten' }
  /** tf.layers.batch_normalization semantics: batch statistics while training, moving ones otherwise. */
  | { type: 'batch_norm' };
export type LayerType = LayerDef['type'];

/**
 * The layer editor's file (saved as NAME.tfmodel.json). The last layer is the output: a dense layer with
 * activation 'none' whose units the studio sets to the data's class count.
 */
export interface LayerModel {
  format: 'tinyflow-layers';
  version: 1;
  name: string;
  /** One example's shape: [784] (flat pixels) or [H, W, 1] (a grayscale NHWC image). */
  input: number[];
  layers: LayerDef[];
}

export type UserModelSource =
  | { kind: 'zoo'; name: string }
  | { kind: 'layers'; model: LayerModel }
  /** A model file's text (.ts or .js), at most LAYER_MODEL_LIMITS.fileBytes. */
  | { kind: 'file'; fileName: string; source: string };

export const LAYER_MODEL_LIMITS = {
  units: { min: 1, max: 4096 },
  filters: { min: 1, max: 512 },
  kernel: { min: 1, max: 11 },
  stride: { min: 1, max: 4 },
  size: { min: 1, max: 8 },
  /** Dropout's rate: 0 ≤ rate ≤ 0.95 (1 would drop everything). */
  rate: { min: 0, max: 0.95 },
  layers: { min: 1, max: 64 },
  /** An image input's height and width. */
  side: { min: 8, max: 128 },
  /** The one flat input size: 28×28 pixels. */
  flat: 784,
  name: { maxLength: 100 },
  /** A model file's size in bytes. */
  fileBytes: 1024 * 1024,
  /**
   * Values one layer may output per example (128×128×64): a batch of 100 then needs 400 MB for that
   * layer's output, and as much again for its gradient.
   */
  layerOutput: 128 * 128 * 64,
  /** Parameters of the whole model (80 MB of float32; Adam keeps two more copies). */
  params: 20_000_000,
} as const;

export const ACTIVATIONS: readonly Activation[] = ['none', 'relu', 'tanh', 'sigmoid'];
export const LAYER_TYPES: readonly LayerType[] = ['dense', 'conv2d', 'max_pool', 'avg_pool', 'dropout', 'flatten', 'batch_norm'];

/**
 * A file or metadata that is not a valid model; the message names where, the field and what is allowed.
 * An InvalidArgumentError, so the CLI and the worker report it as the user's to fix, not as a bug.
 */
export class ModelDefinitionError extends InvalidArgumentError {}

// ---- parsing ----

type Json = Record<string, unknown>;

function isRecord(v: unknown): v is Json {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

function show(v: unknown): string {
  if (typeof v === 'string') return JSON.stringify(v.length > 40 ? `${v.slice(0, 40)}…` : v);
  if (v === undefined) return 'nothing';
  if (Array.isArray(v)) return `a list of ${v.length}`;
  if (typeof v === 'object') return v === null ? 'null' : 'an object';
  return String(v);
}

class Fields {
  constructor(
    private readonly where: string,
    private readonly obj: Json,
    private readonly path: string,
  ) {}

  fail(field: string, allowed: string): never {
    const name = this.path === '' ? field : `${this.path}.${field}`;
    throw new ModelDefinitionError(`${this.where}: ${name} must be ${allowed}, got ${show(this.obj[field])}`);
  }

  int(field: string, range: { min: number; max: number }): number {
    const v = this.obj[field];
    if (typeof v !== 'number' || !Number.isInteger(v) || v < range.min || v > range.max) this.fail(field, `an integer in ${range.min}–${range.max}`);
    return v;
  }

  oneOf<T extends string>(field: string, allowed: readonly T[]): T {
    const v = this.obj[field];
    if (typeof v !== 'string' || !(allowed as readonly string[]).includes(v)) this.fail(field, `one of ${allowed.map((a) => `'${a}'`).join(', ')}`);
    return v as T;
  }

  /** Rejects keys the format does not have, so a typo ('unit') is not silently ignored. */
  only(keys: readonly string[]): void {
    const extra = Object.keys(this.obj).filter((k) => !keys.includes(k));
    if (extra.length > 0) {
      const at = this.path === '' ? 'the model' : this.path;
      throw new ModelDefinitionError(`${this.where}: ${at} has unknown field ${extra.map((k) => `'${k}'`).join(', ')}; allowed: ${keys.join(', ')}`);
    }
  }
}

function parseLayer(where: string, raw: unknown, i: number): LayerDef {
  const path = `layers[${i}]`;
  if (!isRecord(raw)) throw new ModelDefinitionError(`${where}: ${path} must be an object with a 'type', got ${show(raw)}`);
  const f: Fields = new Fields(where, raw, path);
  const type = f.oneOf('type', LAYER_TYPES);
  switch (type) {
    case 'dense':
      f.only(['type', 'units', 'activation']);
      return { type, units: f.int('units', LAYER_MODEL_LIMITS.units), activation: f.oneOf('activation', ACTIVATIONS) };
    case 'conv2d':
      f.only(['type', 'filters', 'kernel', 'stride', 'padding', 'activation']);
      return {
        type,
        filters: f.int('filters', LAYER_MODEL_LIMITS.filters),
        kernel: f.int('kernel', LAYER_MODEL_LIMITS.kernel),
        stride: f.int('stride', LAYER_MODEL_LIMITS.stride),
        padding: f.oneOf('padding', ['same', 'valid'] as const),
        activation: f.oneOf('activation', ACTIVATIONS),
      };
    case 'max_pool':
    case 'avg_pool':
      f.only(['type', 'size', 'stride', 'padding']);
      return { type, size: f.int('size', LAYER_MODEL_LIMITS.size), stride: f.int('stride', LAYER_MODEL_LIMITS.stride), padding: f.oneOf('padding', ['same', 'valid'] as const) };
    case 'dropout': {
      f.only(['type', 'rate']);
      const rate = raw.rate;
      const { min, max } = LAYER_MODEL_LIMITS.rate;
      if (typeof rate !== 'number' || !Number.isFinite(rate) || rate < min || rate > max) f.fail('rate', `a number in ${min}–${max}`);
      return { type, rate };
    }
    case 'flatten':
    case 'batch_norm':
      f.only(['type']);
      return { type };
  }
}

/** Checks a layer model's one example shape; null when it is valid, else what is wrong. */
export function inputError(input: unknown): string | null {
  const { side, flat } = LAYER_MODEL_LIMITS;
  const allowed = `[${flat}] (flat pixels) or [H, W, 1] with H and W in ${side.min}–${side.max}`;
  if (!Array.isArray(input) || input.some((d) => typeof d !== 'number' || !Number.isInteger(d))) return `input must be ${allowed}, got ${show(input)}`;
  const dims = input as number[];
  if (dims.length === 1) return dims[0] === flat ? null : `input [${dims[0]}] is not a flat 28×28 image; input must be ${allowed}`;
  if (dims.length !== 3) return `input [${dims.join(', ')}] must be ${allowed}`;
  const [h, w, c] = dims;
  if (h < side.min || h > side.max || w < side.min || w > side.max) return `input [${dims.join(', ')}]: height and width must be in ${side.min}–${side.max}`;
  if (c !== 1) return `input [${dims.join(', ')}]: images are grayscale, so the channel count must be 1, got ${c}`;
  return null;
}

/**
 * Parses and checks a layer model file (JSON). Errors name the file, the field and its allowed range;
 * shape errors are not parse errors (the editor shows them on their layer: see summarizeLayerModel).
 */
export function parseLayerModel(text: string, fileName = 'the model'): LayerModel {
  let raw: unknown;
  try {
    raw = JSON.parse(text);
  } catch (e) {
    throw new ModelDefinitionError(`${fileName}: not JSON (${(e as Error).message})`);
  }
  return checkLayerModel(raw, fileName);
}

/** The checks of parseLayerModel on a value that is already parsed (checkpoint metadata, the wire). */
export function checkLayerModel(raw: unknown, where: string): LayerModel {
  if (!isRecord(raw)) throw new ModelDefinitionError(`${where}: a layer model must be a JSON object, got ${show(raw)}`);
  const f: Fields = new Fields(where, raw, '');
  if (raw.format !== 'tinyflow-layers') f.fail('format', "'tinyflow-layers'");
  if (raw.version !== 1) f.fail('version', '1');
  f.only(['format', 'version', 'name', 'input', 'layers']);
  const name = raw.name;
  if (typeof name !== 'string' || name.trim() === '' || name.length > LAYER_MODEL_LIMITS.name.maxLength) f.fail('name', `a non-empty string of at most ${LAYER_MODEL_LIMITS.name.maxLength} characters`);
  const bad = inputError(raw.input);
  if (bad !== null) throw new ModelDefinitionError(`${where}: ${bad}`);
  const layers = raw.layers;
  const { min, max } = LAYER_MODEL_LIMITS.layers;
  if (!Array.isArray(layers) || layers.length < min || layers.length > max) f.fail('layers', `a list of ${min}–${max} layers`);
  const parsed = layers.map((l, i) => parseLayer(where, l, i));
  const last = parsed[parsed.length - 1];
  if (last.type !== 'dense' || last.activation !== 'none') {
    throw new ModelDefinitionError(`${where}: the last layer (layers[${parsed.length - 1}], ${last.type}) must be the output: a dense layer with activation 'none' (its units become the class count)`);
  }
  return { format: 'tinyflow-layers', version: 1, name, input: [...(raw.input as number[])], layers: parsed };
}

// ---- shapes and parameters ----

export interface LayerSummary {
  /** One example's output shape (no batch dim), or null where this or an earlier layer has an error. */
  outputShape: number[] | null;
  /** Every parameter, as Keras counts them (batch_norm: 4·C, moving mean and variance included). */
  params: number;
  /** The trained ones (batch_norm: 2·C, gamma and beta). */
  trainableParams: number;
  error: string | null;
}

export interface LayerModelSummary {
  layers: LayerSummary[];
  totalParams: number;
  totalTrainableParams: number;
  /** The first error (input or a layer's), or null when the model builds. */
  error: string | null;
}

/** How a layer is named in messages: "layer 3 (max_pool 2)". Layers count from 1, as the editor shows them. */
export function layerLabel(layer: LayerDef, i: number): string {
  switch (layer.type) {
    case 'dense':
      return `layer ${i + 1} (dense ${layer.units})`;
    case 'conv2d':
      return `layer ${i + 1} (conv2d ${layer.filters} ${layer.kernel}×${layer.kernel})`;
    case 'max_pool':
    case 'avg_pool':
      return `layer ${i + 1} (${layer.type} ${layer.size})`;
    case 'dropout':
      return `layer ${i + 1} (dropout ${layer.rate})`;
    default:
      return `layer ${i + 1} (${layer.type})`;
  }
}

function dimsText(shape: number[]): string {
  return shape.length === 1 ? `flat [${shape[0]}]` : `${shape.join('×')}`;
}

/** Output length of a window sliding over `n` (TF's SAME / VALID arithmetic), or null when it does not fit. */
export function windowOut(n: number, window: number, stride: number, padding: 'same' | 'valid'): number | null {
  if (padding === 'same') return Math.ceil(n / stride);
  return n < window ? null : Math.floor((n - window) / stride) + 1;
}

type Step = { shape: number[]; params: number; trainable: number } | { error: string };

function step(layer: LayerDef, shape: number[], units: number): Step {
  switch (layer.type) {
    case 'dense': {
      if (shape.length !== 1) return { error: `the input is an image (${dimsText(shape)}); add a flatten layer before a dense layer` };
      const params = shape[0] * units + units;
      return { shape: [units], params, trainable: params };
    }
    case 'conv2d':
    case 'max_pool':
    case 'avg_pool': {
      if (shape.length !== 3) return { error: `${layer.type} needs an image [H, W, C], the input is ${dimsText(shape)}: use an image input such as [28, 28, 1] and no flatten or dense before it` };
      const [h, w, c] = shape;
      const window = layer.type === 'conv2d' ? layer.kernel : layer.size;
      const oh = windowOut(h, window, layer.stride, layer.padding);
      const ow = windowOut(w, window, layer.stride, layer.padding);
      if (oh === null || ow === null) return { error: `the input is ${h}×${w}, smaller than the ${window}×${window} window (padding 'valid'); use padding 'same' or a smaller window` };
      if (layer.type !== 'conv2d') return { shape: [oh, ow, c], params: 0, trainable: 0 };
      const params = window * window * c * layer.filters + layer.filters;
      return { shape: [oh, ow, layer.filters], params, trainable: params };
    }
    case 'flatten':
      return { shape: [shape.reduce((a, b) => a * b, 1)], params: 0, trainable: 0 };
    case 'dropout':
      return { shape, params: 0, trainable: 0 };
    case 'batch_norm': {
      const c = shape[shape.length - 1];
      return { shape, params: 4 * c, trainable: 2 * c };
    }
  }
}

/**
 * Each layer's output shape and parameters, the output layer sized for `numClasses`. Never throws: a
 * shape error goes on the layer that causes it and the layers after it have no shape.
 */
export function summarizeLayerModel(model: LayerModel, numClasses: number): LayerModelSummary {
  const layers: LayerSummary[] = [];
  let error = inputError(model.input);
  if (error === null && !(Number.isSafeInteger(numClasses) && numClasses >= 2)) error = `the class count must be an integer of at least 2, got ${String(numClasses)}`;
  let shape: number[] | null = error === null ? [...model.input] : null;
  let totalParams = 0;
  let totalTrainableParams = 0;
  model.layers.forEach((layer, i) => {
    if (shape === null) {
      layers.push({ outputShape: null, params: 0, trainableParams: 0, error: null });
      return;
    }
    const output = i === model.layers.length - 1 && layer.type === 'dense';
    const s = step(layer, shape, output ? numClasses : layer.type === 'dense' ? layer.units : 0);
    if ('error' in s) {
      const message = `${layerLabel(layer, i)}: ${s.error}`;
      error = message;
      shape = null;
      layers.push({ outputShape: null, params: 0, trainableParams: 0, error: message });
      return;
    }
    const size = s.shape.reduce((a, b) => a * b, 1);
    const tooBig =
      size > LAYER_MODEL_LIMITS.layerOutput
        ? `its output ${dimsText(s.shape)} has ${size} values per example, more than the ${LAYER_MODEL_LIMITS.layerOutput} allowed; use fewer filters, a stride or a pool before it`
        : totalParams + s.params > LAYER_MODEL_LIMITS.params
          ? `it brings the model to ${totalParams + s.params} parameters, more than the ${LAYER_MODEL_LIMITS.params} allowed; use fewer units or a pool before it`
          : null;
    if (tooBig !== null) {
      const message = `${layerLabel(layer, i)}: ${tooBig}`;
      error = message;
      shape = null;
      layers.push({ outputShape: null, params: 0, trainableParams: 0, error: message });
      return;
    }
    shape = s.shape;
    totalParams += s.params;
    totalTrainableParams += s.trainable;
    layers.push({ outputShape: [...s.shape], params: s.params, trainableParams: s.trainable, error: null });
  });
  if (error === null && model.layers.length === 0) error = 'the model has no layers; it needs at least the output dense layer';
  if (error === null) {
    const last = model.layers[model.layers.length - 1];
    if (last.type !== 'dense' || last.activation !== 'none') {
      error = `${layerLabel(last, model.layers.length - 1)}: the last layer must be the output, a dense layer with activation 'none'`;
      layers[layers.length - 1] = { ...layers[layers.length - 1], error };
    }
  }
  return { layers, totalParams, totalTrainableParams, error };
}

// ---- checkpoint metadata ----

/** The text stored under the checkpoint metadata key 'model_source'. */
export function modelSourceToMetadata(source: UserModelSource): string {
  return JSON.stringify(source);
}

/** Reads 'model_source' back; `where` names the checkpoint in errors. */
export function modelSourceFromMetadata(text: string, where: string): UserModelSource {
  let raw: unknown;
  try {
    raw = JSON.parse(text);
  } catch (e) {
    throw new ModelDefinitionError(`${where}: its model_source is not JSON (${(e as Error).message})`);
  }
  return checkModelSource(raw, `${where}: model_source`);
}

/** Checks a model source that came from outside (metadata, the wire). */
export function checkModelSource(raw: unknown, where: string): UserModelSource {
  if (!isRecord(raw)) throw new ModelDefinitionError(`${where} must be an object with a kind, got ${show(raw)}`);
  switch (raw.kind) {
    case 'zoo':
      if (typeof raw.name !== 'string' || raw.name === '') throw new ModelDefinitionError(`${where}.name must be a zoo model's name, got ${show(raw.name)}`);
      return { kind: 'zoo', name: raw.name };
    case 'layers':
      return { kind: 'layers', model: checkLayerModel(raw.model, where) };
    case 'file': {
      if (typeof raw.fileName !== 'string' || raw.fileName === '') throw new ModelDefinitionError(`${where}.fileName must be a file name, got ${show(raw.fileName)}`);
      if (typeof raw.source !== 'string') throw new ModelDefinitionError(`${where}.source must be the model file's text, got ${show(raw.source)}`);
      const bytes = new TextEncoder().encode(raw.source).length;
      if (bytes > LAYER_MODEL_LIMITS.fileBytes) throw new ModelDefinitionError(`${where}: model file ${raw.fileName} is ${bytes} bytes, more than the ${LAYER_MODEL_LIMITS.fileBytes} allowed`);
      return { kind: 'file', fileName: raw.fileName, source: raw.source };
    }
    default:
      throw new ModelDefinitionError(`${where}.kind must be one of 'zoo', 'layers', 'file', got ${show(raw.kind)}`);
  }
}
