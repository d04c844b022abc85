/**
 * Our graph's op types as ONNX nodes (opset 17). Each mapping gets the op, the ONNX names of its inputs
 * and the builder, and returns the ONNX names of the op's outputs. Layout differences (our NHWC and HWIO
 * filters against ONNX's NCHW and OIHW) become Transpose nodes next to the op, so every other op keeps
 * our layout and meaning. An op type without a mapping is an error naming the op and the node.
 */
import { UnimplementedError, InvalidArgumentError } from '../base/errors';
import type { Operation } from '../graph/operation';
import type { OnnxGraphBuilder, AttrValue } from './onnx-graph';

type Mapping = (op: Operation, inputs: string[], b: OnnxGraphBuilder) => string[];

const NHWC_TO_NCHW = [0, 3, 1, 2];
const NCHW_TO_NHWC = [0, 2, 3, 1];
/** Our filters are [KH, KW, C, F] in both data formats; ONNX wants [F, C, KH, KW]. */
const HWIO_TO_OIHW = [3, 2, 0, 1];

function attrs<T>(op: Operation): T {
  return op.attrs as unknown as T;
}

/** Same name, same inputs, same meaning (numpy broadcasting in both). */
function direct(onnxType: string): Mapping {
  return (op, inputs, b) => [b.node(onnxType, inputs, op.name)];
}

interface WindowAttrs {
  strides: number[];
  padding: 'SAME' | 'VALID';
  data_format: 'NHWC' | 'NCHW';
}

/** H and W entries of a 4-tuple in `format`'s order. */
function spatial(tuple: number[], format: 'NHWC' | 'NCHW'): number[] {
  return format === 'NHWC' ? [tuple[1], tuple[2]] : [tuple[2], tuple[3]];
}

/**
 * TF's SAME padding (output = ceil(input / stride), the odd pixel at the end) as explicit ONNX pads
 * when the input size is known, else ONNX's SAME_UPPER, which is the same rule.
 */
function paddingAttrs(op: Operation, padding: 'SAME' | 'VALID', kernel: number[], strides: number[], dilations: number[]): Record<string, AttrValue> {
  if (padding === 'VALID') return { pads: [0, 0, 0, 0] };
  const shape = op.inputs[0].shape;
  const format = attrs<WindowAttrs>(op).data_format;
  const dims = shape === null ? null : spatial(shape as (number | null)[] as number[], format);
  if (dims === null || dims.some((d) => d === null)) return { auto_pad: 'SAME_UPPER' };
  const begin: number[] = [];
  const end: number[] = [];
  dims.forEach((size, i) => {
    const out = Math.ceil(size / strides[i]);
    const extent = (kernel[i] - 1) * dilations[i] + 1;
    const total = Math.max((out - 1) * strides[i] + extent - size, 0);
    begin.push(Math.floor(total / 2));
    end.push(total - Math.floor(total / 2));
  });
  return { pads: [...begin, ...end] };
}

/** Runs `body` on an NCHW view of the op's input, and gives its result back in the op's layout. */
function inNchw(op: Operation, input: string, b: OnnxGraphBuilder, body: (nchw: string) => string): string {
  const format = attrs<WindowAttrs>(op).data_format;
  if (format === 'NCHW') return body(input);
  const nchw = b.node('Transpose', [input], `${op.name}/to_nchw`, { perm: NHWC_TO_NCHW });
  return b.node('Transpose', [body(nchw)], `${op.name}/to_nhwc`, { perm: NCHW_TO_NHWC });
}

const conv2d: Mapping = (op, [x, filter], b) => {
  const a = attrs<WindowAttrs & { dilations: number[] }>(op);
  const fshape = op.inputs[1].shape;
  if (fshape === null || fshape[0] === null || fshape[1] === null) {
    throw new InvalidArgumentError(`ONNX export: Conv2D node '${op.name}' needs a filter of known height and width, got ${JSON.stringify(fshape)}`);
  }
  const kernel = [fshape[0], fshape[1]];
  const strides = spatial(a.strides, a.data_format);
  const dilations = spatial(a.dilations, a.data_format);
  const w = b.node('Transpose', [filter], `${op.name}/filter_oihw`, { perm: HWIO_TO_OIHW });
  return [
    inNchw(op, x, b, (nchw) =>
      b.node('Conv', [nchw, w], op.name, { kernel_shape: kernel, strides, dilations, ...paddingAttrs(op, a.padding, kernel, strides, dilations) }),
    ),
  ];
};

function pool(onnxType: 'MaxPool' | 'AveragePool'): Mapping {
  return (op, [x], b) => {
    const a = attrs<WindowAttrs & { ksize: number[] }>(op);
    const kernel = spatial(a.ksize, a.data_format);
    const strides = spatial(a.strides, a.data_format);
    // TF's SAME average leaves the padding out of the count, as ONNX's count_include_pad = 0 (default).
    const extra: Record<string, AttrValue> = onnxType === 'AveragePool' ? { count_include_pad: 0 } : {};
    return [inNchw(op, x, b, (nchw) => b.node(onnxType, [nchw], op.name, { kernel_shape: kernel, strides, ...extra, ...paddingAttrs(op, a.padding, kernel, strides, [1, 1]) }))];
  };
}

const biasAdd: Mapping = (op, [x, bias], b) => {
  const format = attrs<{ data_format: 'NHWC' | 'NCHW' }>(op).data_format;
  if (format === 'NHWC') return [b.node('Add', [x, bias], op.name)];
  // NCHW: the bias runs along axis 1, so it becomes [C, 1, ..., 1] to broadcast against [N, C, ...].
  const rank = op.inputs[0].shape?.length ?? 4;
  const shape = b.int64Initializer(`${op.name}/bias_shape`, [-1, ...new Array<number>(rank - 2).fill(1)]);
  return [b.node('Add', [x, b.node('Reshape', [bias, shape], `${op.name}/bias`)], op.name)];
};

const matmul: Mapping = (op, [a, w], b) => {
  const { transpose_a, transpose_b } = attrs<{ transpose_a: boolean; transpose_b: boolean }>(op);
  const swap = (name: string, t: boolean, k: number): string => {
    if (!t) return name;
    const rank = op.inputs[k].shape?.length ?? 2;
    const perm = [...Array(rank).keys()];
    [perm[rank - 2], perm[rank - 1]] = [perm[rank - 1], perm[rank - 2]];
    return b.node('Transpose', [name], `${op.name}/transpose_${k === 0 ? 'a' : 'b'}`, { perm });
  };
  return [b.node('MatMul', [swap(a, transpose_a, 0), swap(w, transpose_b, 1)], op.name)];
};

const reshape: Mapping = (op, [x], b) => {
  const shape = attrs<{ shape: number[] }>(op).shape;
  // ONNX reads a 0 as "copy that input dim" unless allowzero; ours means a real 0.
  return [b.node('Reshape', [x, b.int64Initializer(`${op.name}/shape`, shape)], op.name, shape.includes(0) ? { allowzero: 1 } : {})];
};

const transpose: Mapping = (op, [x], b) => {
  const perm = attrs<{ perm: number[] | null }>(op).perm;
  return [b.node('Transpose', [x], op.name, perm === null ? {} : { perm })];
};

const concat: Mapping = (op, inputs, b) => [b.node('Concat', inputs, op.name, { axis: attrs<{ axis: number }>(op).axis })];

const softmax: Mapping = (op, [x], b) => [b.node(op.type, [x], op.name, { axis: -1 })];

const square: Mapping = (op, [x], b) => [b.node('Mul', [x, x], op.name)];

const rsqrt: Mapping = (op, [x], b) => [b.node('Reciprocal', [b.node('Sqrt', [x], op.name)], op.name)];

/**
 * Reductions: ReduceSum takes its axes as an input since opset 13, the others only since 18 (an
 * attribute before). Axes null (all of them) is ONNX's default when no axes are given.
 */
function reduce(onnxType: string): Mapping {
  return (op, [x], b) => {
    const { axes, keep_dims } = attrs<{ axes: number[] | null; keep_dims: boolean }>(op);
    const keepdims = keep_dims ? 1 : 0;
    if (axes === null) return [b.node(onnxType, [x], op.name, { keepdims })];
    if (onnxType === 'ReduceSum' || b.opset >= 18) return [b.node(onnxType, [x, b.int64Initializer(`${op.name}/axes`, axes)], op.name, { keepdims })];
    return [b.node(onnxType, [x], op.name, { axes, keepdims })];
  };
}

const MAPPINGS: Readonly<Record<string, Mapping>> = {
  Identity: direct('Identity'),
  StopGradient: direct('Identity'),
  MatMul: matmul,
  Add: direct('Add'),
  Sub: direct('Sub'),
  Mul: direct('Mul'),
  Div: direct('Div'),
  Pow: direct('Pow'),
  Maximum: direct('Max'),
  Minimum: direct('Min'),
  Neg: direct('Neg'),
  Abs: direct('Abs'),
  Exp: direct('Exp'),
  Log: direct('Log'),
  Sqrt: direct('Sqrt'),
  Reciprocal: direct('Reciprocal'),
  Floor: direct('Floor'),
  Ceil: direct('Ceil'),
  Sign: direct('Sign'),
  Square: square,
  Rsqrt: rsqrt,
  Relu: direct('Relu'),
  Sigmoid: direct('Sigmoid'),
  Tanh: direct('Tanh'),
  Softmax: softmax,
  LogSoftmax: softmax,
  BiasAdd: biasAdd,
  Conv2D: conv2d,
  MaxPool: pool('MaxPool'),
  AvgPool: pool('AveragePool'),
  Reshape: reshape,
  // Ours keeps the batch axis and flattens the rest, as ONNX's Flatten with axis 1.
  Flatten: (op, [x], b) => [b.node('Flatten', [x], op.name, { axis: 1 })],
  Transpose: transpose,
  ConcatV2: concat,
  // tf.where(cond, x, y) with numpy broadcasting, as ONNX's Where (tf.layers.batch_normalization's training switch).
  Select: direct('Where'),
  Sum: reduce('ReduceSum'),
  Mean: reduce('ReduceMean'),
  Max: reduce('ReduceMax'),
  Min: reduce('ReduceMin'),
  Prod: reduce('ReduceProd'),
};

export function mappedOpTypes(): string[] {
  return Object.keys(MAPPINGS);
}

/** The op's ONNX nodes; an UnimplementedError naming the op type and the node when there is no mapping. */
export function mapOp(op: Operation, inputs: string[], b: OnnxGraphBuilder): string[] {
  const mapping = Object.hasOwn(MAPPINGS, op.type) ? MAPPINGS[op.type] : undefined;
  if (mapping === undefined) {
    throw new UnimplementedError(
      `ONNX export: op type '${op.type}' (node '${op.name}') has no ONNX mapping; the inference graph may use ${mappedOpTypes().join(', ')}, plus Variables, Consts and dropout`,
    );
  }
  return mapping(op, inputs, b);
}
