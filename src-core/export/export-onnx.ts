/**
 * ONNX export of a graph's inference path: from one input placeholder to the chosen outputs (logits,
 * probabilities), with each Variable as an initializer holding the given values. Labels, the loss and
 * the optimizer never enter (the graph is pruned to the outputs, stopping at the input); TF-1 dropout
 * (x / keep * floor(keep + uniform)) becomes an Identity, as at inference, and a Select on a training
 * flag fixed in `constants` keeps only the branch the flag picks (tf.layers' dropout and batch
 * normalization: the moving statistics at inference). Returns the model's bytes:
 * writing the file is the caller's job, so this module runs in a browser as well as in Node.
 */
import { InvalidArgumentError, UnimplementedError } from '../base/errors';
import type { Operation } from '../graph/operation';
import type { Tensor } from '../graph/tensor';
import type { NDArray } from '../ndarray';
import { OnnxGraphBuilder } from './onnx-graph';
import { mapOp } from './op-map';
import { onnxModelType, OnnxDType } from './onnx/schema';

/** The lowest opset the op mappings are written for (Softmax on one axis, Reshape's allowzero). */
export const MIN_OPSET = 17;
/** IR version 8 is what opset 17 came with: the oldest runtime that reads the opset reads the file. */
const IR_VERSION = 8;

export interface OnnxExportOptions {
  /** The input placeholder; its name in the file is its op name. */
  input: Tensor;
  /** The graph outputs by the names they get in the file, e.g. { logits, probabilities }. */
  outputs: Readonly<Record<string, Tensor>>;
  /** Every Variable the outputs read, by its op name (what Saver writes). */
  variables: ReadonlyMap<string, NDArray>;
  /**
   * Other placeholders the outputs read (a keep_prob, a training flag), fixed to these values; also a
   * placeholder_with_default (an Identity of a Const, as user models' `training` flag).
   */
  constants?: ReadonlyArray<readonly [Tensor, NDArray]>;
  /** Default MIN_OPSET. */
  opset?: number;
  graphName?: string;
  producerVersion?: string;
}

interface DropoutMatch {
  kept: Tensor;
}

/** TF-1 dropout as tf.nn.dropout builds it: Mul(Div(x, keep), Floor(Add(keep, Random*))). */
function matchDropout(op: Operation): DropoutMatch | null {
  if (op.type !== 'Mul') return null;
  const [scaled, mask] = op.inputs;
  if (scaled.op.type !== 'Div' || mask.op.type !== 'Floor') return null;
  const sum = mask.op.inputs[0];
  if (sum.op.type !== 'Add' || !sum.op.inputs.some((t) => t.op.type.startsWith('Random'))) return null;
  return { kept: scaled.op.inputs[0] };
}

/** A Select whose condition is a fixed scalar bool: the branch it picks, else null. */
function foldedSelect(op: Operation, fixed: ReadonlyMap<Operation, NDArray>): Tensor | null {
  if (op.type !== 'Select') return null;
  const [condition, whenTrue, whenFalse] = op.inputs;
  const value = fixed.get(condition.op);
  if (value === undefined || value.dtype !== 'bool' || value.size !== 1) return null;
  return value.data[0] ? whenTrue : whenFalse;
}

/**
 * The ops the outputs need, in creation order (a topological order), stopping at the input, at dropout
 * masks and at the branch a fixed flag does not pick.
 */
function inferenceOps(outputs: readonly Tensor[], stops: ReadonlySet<Tensor>, fixed: ReadonlyMap<Operation, NDArray>): Operation[] {
  const needed = new Set<Operation>();
  const stack = outputs.filter((t) => !stops.has(t)).map((t) => t.op);
  while (stack.length > 0) {
    const op = stack.pop() as Operation;
    if (needed.has(op)) continue;
    needed.add(op);
    const dropout = matchDropout(op);
    const picked = foldedSelect(op, fixed);
    const deps = dropout !== null ? [dropout.kept] : picked !== null ? [picked] : fixed.has(op) ? [] : op.inputs;
    for (const t of deps) if (!stops.has(t)) stack.push(t.op);
  }
  return [...needed].sort((a, b) => a.id - b.id);
}

/** A placeholder_with_default: an Identity of a Const, fed like a placeholder. */
function isDefaulted(op: Operation): boolean {
  return op.type === 'Identity' && op.inputs[0]?.op.type === 'Const';
}

function valueInfo(name: string, shape: readonly (number | null)[] | null, elemType: number): object {
  const dims = shape === null ? undefined : { dim: shape.map((d, i) => (d === null ? { dim_param: i === 0 ? 'batch' : `d${i}` } : { dim_value: d })) };
  return { name, type: { tensor_type: { elem_type: elemType, shape: dims } } };
}

function floatData(what: string, value: NDArray, expected: readonly (number | null)[] | null): Float32Array {
  if (value.dtype !== 'float32') throw new InvalidArgumentError(`ONNX export: ${what} must be float32, got ${value.dtype}`);
  checkShape(what, value, expected);
  return value.data as Float32Array;
}

function checkShape(what: string, value: NDArray, expected: readonly (number | null)[] | null): void {
  if (expected !== null && (expected.length !== value.shape.length || expected.some((d, i) => d !== null && d !== value.shape[i]))) {
    throw new InvalidArgumentError(`ONNX export: ${what} has shape [${value.shape.join(', ')}], the graph wants [${expected.map((d) => d ?? '?').join(', ')}]`);
  }
}

/** A placeholder's given value (float32, or bool for a training flag) as an initializer. */
function constantInitializer(op: Operation, value: NDArray, b: OnnxGraphBuilder): string {
  const what = `the value of placeholder '${op.name}'`;
  const wanted = op.outputs[0];
  if (wanted.dtype === 'bool' && value.dtype === 'bool') {
    checkShape(what, value, wanted.shape);
    return b.boolInitializer(op.name, value.shape, value.data);
  }
  if (wanted.dtype !== 'float32') throw new UnimplementedError(`ONNX export: ${what} is ${wanted.dtype}; only float32 and bool placeholders can be fixed`);
  return b.floatInitializer(op.name, value.shape, floatData(what, value, wanted.shape));
}

function constValue(op: Operation, b: OnnxGraphBuilder): string {
  const a = op.attrs as unknown as { dtype: string; shape: number[]; values: ArrayLike<number> };
  if (a.dtype === 'bool') return b.boolInitializer(op.name, a.shape, a.values);
  if (a.dtype !== 'float32') {
    throw new UnimplementedError(`ONNX export: Const node '${op.name}' is ${a.dtype}; only float32 and bool constants are exported`);
  }
  return b.floatInitializer(op.name, a.shape, Float32Array.from(a.values));
}

/** The ONNX model of the inference path from `input` to `outputs`, as bytes. */
export function exportOnnx(options: OnnxExportOptions): Uint8Array {
  const opset = options.opset ?? MIN_OPSET;
  if (!Number.isInteger(opset) || opset < MIN_OPSET) throw new InvalidArgumentError(`ONNX export: opset must be an integer >= ${MIN_OPSET}, got ${opset}`);
  const { input } = options;
  if (input.op.type !== 'Placeholder') throw new InvalidArgumentError(`ONNX export: the input must be a placeholder, got '${input.name}' (${input.op.type})`);
  if (input.dtype !== 'float32') throw new InvalidArgumentError(`ONNX export: the input '${input.name}' must be float32, got ${input.dtype}`);
  const outputNames = Object.keys(options.outputs);
  if (outputNames.length === 0) throw new InvalidArgumentError('ONNX export: give at least one output');

  const b = new OnnxGraphBuilder(opset);
  const inputName = input.op.name;
  b.reserve(inputName);
  for (const n of outputNames) {
    if (n === inputName) throw new InvalidArgumentError(`ONNX export: output name '${n}' is the input's name`);
    b.reserve(n);
  }
  const names = new Map<Tensor, string>([[input, inputName]]);
  const constants = new Map<Operation, NDArray>();
  for (const [t, value] of options.constants ?? []) {
    if (t.op.type !== 'Placeholder' && !isDefaulted(t.op)) throw new InvalidArgumentError(`ONNX export: constants are for placeholders; '${t.name}' is a ${t.op.type}`);
    constants.set(t.op, value);
  }

  for (const op of inferenceOps(Object.values(options.outputs), new Set(names.keys()), constants)) {
    let outs: string[];
    const dropout = matchDropout(op);
    const picked = foldedSelect(op, constants);
    if (dropout !== null) {
      outs = [b.node('Identity', [names.get(dropout.kept) as string], op.name)];
    } else if (picked !== null) {
      outs = [b.node('Identity', [names.get(picked) as string], op.name)];
    } else if (op.type === 'VariableV2') {
      const value = options.variables.get(op.name);
      if (value === undefined) throw new InvalidArgumentError(`ONNX export: no value for Variable '${op.name}' (shape [${op.outputs[0].shape?.join(', ')}])`);
      outs = [b.floatInitializer(op.name, value.shape, floatData(`Variable '${op.name}'`, value, op.outputs[0].shape))];
    } else if (op.type === 'Const') {
      outs = [constValue(op, b)];
    } else if (constants.has(op)) {
      // Only when the outputs read it: a keep_prob that only fed a dropout (now an Identity) stays out.
      outs = [constantInitializer(op, constants.get(op) as NDArray, b)];
    } else if (op.type === 'Placeholder') {
      throw new InvalidArgumentError(
        `ONNX export: the outputs read placeholder '${op.name}' besides the input '${inputName}'; give its value in 'constants' (e.g. keep_prob = 1)`,
      );
    } else {
      outs = mapOp(op, op.inputs.map((t) => names.get(t) as string), b);
    }
    op.outputs.forEach((t, i) => names.set(t, outs[i]));
  }

  const graphOutputs = outputNames.map((n) => {
    const t = options.outputs[n];
    b.node('Identity', [names.get(t) as string], n, {}, [n]);
    return valueInfo(n, t.shape, OnnxDType.FLOAT);
  });
  const model = {
    ir_version: IR_VERSION,
    opset_import: [{ domain: '', version: opset }],
    producer_name: 'tinyflow',
    producer_version: options.producerVersion ?? '',
    graph: {
      name: options.graphName ?? 'tinyflow',
      node: b.nodes,
      initializer: b.initializers,
      input: [valueInfo(inputName, input.shape, OnnxDType.FLOAT)],
      output: graphOutputs,
    },
  };
  const type = onnxModelType();
  return type.encode(type.fromObject(model)).finish();
}
