/**
 * Graph builders for the core ops, in plain camelCase with positional arguments. The TF-1 surface
 * (api/tf-*.ts) wraps these with TF-1 names and options objects; gradients use them directly.
 *
 * Builders find an op's definition by its type name in the op registry (ops/op-def.ts) instead of
 * importing the op modules: those import these builders for their gradients, and the two-way import
 * was a cycle. The ops register themselves when ops/builtin.ts loads (the entry point and autodiff
 * import it).
 */
import type { DType } from '../graph/dtype';
import { isFullyDefined, shapesEqual } from '../graph/shape';
import { Tensor } from '../graph/tensor';
import { apply } from '../ops/apply';
import { opDef } from '../ops/op-def';
import type { Conv2DAttrs } from '../ops/conv2d';
import type { PoolAttrs } from '../ops/pooling';
import type { OneHotAttrs } from '../ops/one-hot';
import type { RandomAttrs } from '../ops/random';
import type { DataFormat } from '../ops/window';
import { getDefaultGraph } from '../graph/graph';
import { toTensor, toTensors, type TensorLike } from './convert';

export type { TensorLike };

const binary = (type: string) => (a: TensorLike, b: TensorLike, name?: string): Tensor => {
  const [ta, tb] = toTensors([a, b], ['x', 'y']);
  return apply(opDef(type), [ta, tb], {}, name);
};
const unary = (type: string) => (x: TensorLike, name?: string): Tensor => apply(opDef(type), [toTensor(x)], {}, name);

export const add = binary('Add');
export const sub = binary('Sub');
export const mul = binary('Mul');
export const div = binary('Div');
export const pow = binary('Pow');
export const maximum = binary('Maximum');
export const minimum = binary('Minimum');
export const equal = binary('Equal');
export const notEqual = binary('NotEqual');
export const less = binary('Less');
export const lessEqual = binary('LessEqual');
export const greater = binary('Greater');
export const greaterEqual = binary('GreaterEqual');
export const logicalAnd = binary('LogicalAnd');
export const logicalOr = binary('LogicalOr');

export const neg = unary('Neg');
export const abs = unary('Abs');
export const sign = unary('Sign');
export const exp = unary('Exp');
export const log = unary('Log');
export const sqrt = unary('Sqrt');
export const rsqrt = unary('Rsqrt');
export const square = unary('Square');
export const reciprocal = unary('Reciprocal');
export const relu = unary('Relu');
export const step = unary('Step');
export const sigmoid = unary('Sigmoid');
export const tanh = unary('Tanh');
export const floor = unary('Floor');
export const ceil = unary('Ceil');
export const round = unary('Round');
export const logicalNot = unary('LogicalNot');

export function matmul(a: TensorLike, b: TensorLike, transposeA = false, transposeB = false, name?: string): Tensor {
  const [ta, tb] = toTensors([a, b], ['a', 'b']);
  return apply(opDef('MatMul'), [ta, tb], { transpose_a: transposeA, transpose_b: transposeB }, name);
}

export function cast(x: TensorLike, dtype: DType, name?: string): Tensor {
  const t = toTensor(x);
  return t.dtype === dtype && name === undefined ? t : apply(opDef('Cast'), [t], { dtype }, name);
}

const reduce = (type: string) => (x: TensorLike, axes: number[] | null = null, keepDims = false, name?: string): Tensor =>
  apply(opDef(type), [toTensor(x)], { axes, keep_dims: keepDims }, name);

export const reduceSum = reduce('Sum');
export const reduceMax = reduce('Max');
export const reduceMin = reduce('Min');
export const reduceProd = reduce('Prod');
const reduceMeanFloat = reduce('Mean');
/** Mean of an int or bool tensor is float32 (tinyflow's behaviour, handy for accuracy). */
export const reduceMean = (x: TensorLike, axes: number[] | null = null, keepDims = false, name?: string): Tensor =>
  reduceMeanFloat(cast(x, 'float32'), axes, keepDims, name);

export const argmax = (x: TensorLike, axis = 0, name?: string): Tensor => apply(opDef('ArgMax'), [toTensor(x)], { axis }, name);
export const argmin = (x: TensorLike, axis = 0, name?: string): Tensor => apply(opDef('ArgMin'), [toTensor(x)], { axis }, name);

export const reshape = (x: TensorLike, shape: number[], name?: string): Tensor => apply(opDef('Reshape'), [toTensor(x)], { shape }, name);
/** [d0, d1, ...] → [d0, d1·…], with the width resolved when the graph runs (tinyflow's flatten_layer). */
export const flatten = (x: TensorLike, name?: string): Tensor => apply(opDef('Flatten'), [toTensor(x)], {}, name);
export const transpose = (x: TensorLike, perm: number[] | null = null, name?: string): Tensor =>
  apply(opDef('Transpose'), [toTensor(x)], { perm }, name);

export const softmax = (x: TensorLike, name?: string): Tensor => apply(opDef('Softmax'), [toTensor(x)], {}, name);
export const logSoftmax = (x: TensorLike, name?: string): Tensor => apply(opDef('LogSoftmax'), [toTensor(x)], {}, name);

export function fill(shape: number[], value: number, dtype: DType = 'float32', name?: string): Tensor {
  return getDefaultGraph().createOp(opDef('Fill'), [], { shape: [...shape], value, dtype }, name === undefined ? {} : { name }).outputs[0];
}
export const zerosLike = (x: TensorLike, name?: string): Tensor => apply(opDef('FillLike'), [toTensor(x)], { value: 0 }, name);
export const onesLike = (x: TensorLike, name?: string): Tensor => apply(opDef('FillLike'), [toTensor(x)], { value: 1 }, name);

export const identity = (x: TensorLike, name?: string): Tensor => apply(opDef('Identity'), [toTensor(x)], {}, name);
export const stopGradient = (x: TensorLike, name?: string): Tensor => apply(opDef('StopGradient'), [toTensor(x)], {}, name);

// ---- shape-of ops used by gradients; statically redundant ones are skipped ----

const sameKnownShape = (a: Tensor, b: Tensor) =>
  isFullyDefined(a.shape) && isFullyDefined(b.shape) && shapesEqual(a.shape, b.shape);

export function sumToShapeOf(x: Tensor, like: Tensor): Tensor {
  return sameKnownShape(x, like) ? x : apply(opDef('SumToShapeOf'), [x, like], {});
}
export function broadcastToShapeOf(x: Tensor, like: Tensor): Tensor {
  return sameKnownShape(x, like) ? x : apply(opDef('BroadcastToShapeOf'), [x, like], {});
}
export function unreduce(dy: Tensor, like: Tensor, axes: number[] | null): Tensor {
  return apply(opDef('Unreduce'), [dy, like], { axes });
}
export function reshapeToShapeOf(x: Tensor, like: Tensor): Tensor {
  return sameKnownShape(x, like) ? x : apply(opDef('ReshapeToShapeOf'), [x, like], {});
}
export function reductionSizeOf(x: Tensor, axes: number[] | null): Tensor {
  return apply(opDef('ReductionSizeOf'), [x], { axes });
}

// ---- neural-network ops ----

export const conv2d = (x: TensorLike, filter: TensorLike, attrs: Conv2DAttrs, name?: string): Tensor =>
  apply(opDef<Conv2DAttrs>('Conv2D'), toTensors([x, filter], ['input', 'filter']), attrs, name);
export const conv2dBackpropInput = (filter: Tensor, dy: Tensor, x: Tensor, attrs: Conv2DAttrs): Tensor =>
  apply(opDef<Conv2DAttrs>('Conv2DBackpropInput'), [filter, dy, x], attrs);
export const conv2dBackpropFilter = (x: Tensor, dy: Tensor, filter: Tensor, attrs: Conv2DAttrs): Tensor =>
  apply(opDef<Conv2DAttrs>('Conv2DBackpropFilter'), [x, dy, filter], attrs);

export const maxPool = (x: TensorLike, attrs: PoolAttrs, name?: string): Tensor => apply(opDef<PoolAttrs>('MaxPool'), [toTensor(x)], attrs, name);
export const avgPool = (x: TensorLike, attrs: PoolAttrs, name?: string): Tensor => apply(opDef<PoolAttrs>('AvgPool'), [toTensor(x)], attrs, name);
export const maxPoolGrad = (x: Tensor, dy: Tensor, attrs: PoolAttrs): Tensor => apply(opDef<PoolAttrs>('MaxPoolGrad'), [x, dy], attrs);
export const avgPoolGrad = (dy: Tensor, x: Tensor, attrs: PoolAttrs): Tensor => apply(opDef<PoolAttrs>('AvgPoolGrad'), [dy, x], attrs);

export const biasAdd = (value: TensorLike, bias: TensorLike, dataFormat: DataFormat = 'NHWC', name?: string): Tensor =>
  apply(opDef('BiasAdd'), toTensors([value, bias], ['value', 'bias']), { data_format: dataFormat }, name);
export const biasAddGrad = (dy: Tensor, dataFormat: DataFormat): Tensor => apply(opDef('BiasAddGrad'), [dy], { data_format: dataFormat });

export const softmaxCrossEntropy = (logits: TensorLike, labels: TensorLike, name?: string): Tensor =>
  apply(opDef('SoftmaxCrossEntropyWithLogits'), toTensors([logits, labels], ['logits', 'labels']), {}, name);
export function sparseSoftmaxCrossEntropy(logits: TensorLike, labels: TensorLike, name?: string): Tensor {
  const z = toTensor(logits);
  // Literal labels are class indices: int32 unless they are not whole numbers.
  return apply(opDef('SparseSoftmaxCrossEntropyWithLogits'), [z, toTensor(labels, 'int32', z.graph, 'labels')], {}, name);
}
export const oneHot = (indices: TensorLike, depth: number, attrs: Omit<OneHotAttrs, 'depth'>, name?: string): Tensor =>
  apply(opDef<OneHotAttrs>('OneHot'), [toTensor(indices, 'int32', undefined, 'indices')], { depth, ...attrs }, name);

export const concat = (values: TensorLike[], axis: number, name?: string): Tensor =>
  apply(opDef('ConcatV2'), toTensors(values, values.map((_, i) => `values[${i}]`)), { axis }, name);
export const concatSlice = (dy: Tensor, values: Tensor[], axis: number, index: number): Tensor =>
  apply(opDef('ConcatSlice'), [dy, ...values], { axis, index });
export const slice = (x: TensorLike, begin: number[], size: number[], name?: string): Tensor =>
  apply(opDef('Slice'), [toTensor(x)], { begin: [...begin], size: [...size] }, name);
export const sliceGrad = (dy: Tensor, x: Tensor, begin: number[], size: number[]): Tensor =>
  apply(opDef('SliceGrad'), [dy, x], { begin, size });
export const expandDims = (x: TensorLike, axis: number, name?: string): Tensor => apply(opDef('ExpandDims'), [toTensor(x)], { axis }, name);
export const squeeze = (x: TensorLike, axes: number[] | null = null, name?: string): Tensor =>
  apply(opDef('Squeeze'), [toTensor(x)], { axis: axes }, name);

const RANDOM = { uniform: 'RandomUniform', normal: 'RandomStandardNormal', truncated: 'TruncatedNormal' } as const;
/** A random op; -1 dims in attrs.shape come from `like`'s shape (then required). */
export function random(kind: keyof typeof RANDOM, attrs: RandomAttrs, like?: Tensor, name?: string): Tensor {
  return apply(opDef<RandomAttrs>(RANDOM[kind]), like === undefined ? [] : [like], attrs, name);
}
