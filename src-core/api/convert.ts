/** Turns numbers, nested arrays and NDArrays into Const tensors where an op expects a Tensor. */
import type { DType } from '../graph/dtype';
import { getDefaultGraph, type Graph } from '../graph/graph';
import { Tensor } from '../graph/tensor';
import { NDArray, type NestedArray } from '../ndarray';
import { InvalidArgumentError } from '../errors';
import { Const } from '../ops/constant';

/** Anything accepted where a Tensor is expected. */
export type TensorLike = Tensor | NDArray | NestedArray;

export function constantTensor(value: NDArray | NestedArray, dtype?: DType, name?: string, graph?: Graph): Tensor {
  const arr = value instanceof NDArray ? value : NDArray.from(value, dtype ?? inferLiteralDType(value));
  const dt = dtype ?? arr.dtype;
  const g = graph ?? getDefaultGraph();
  return g.createOp(Const, [], { dtype: dt, shape: [...arr.shape], values: arr.data.slice() }, name === undefined ? {} : { name }).outputs[0];
}

/** Literal numbers are float32 unless a dtype is requested; booleans are bool. */
function inferLiteralDType(value: NestedArray): DType {
  let v: NestedArray = value;
  while (Array.isArray(v) && v.length > 0) v = v[0];
  return typeof v === 'boolean' ? 'bool' : 'float32';
}

/**
 * Converts `value` to a Tensor in `graph`. A literal takes `dtypeHint` (the other operand's dtype,
 * so `x * 2` stays int32 for an int32 x), but never silently turns 0.5 into an integer.
 */
export function toTensor(value: TensorLike, dtypeHint?: DType, graph?: Graph, what = 'value'): Tensor {
  if (value instanceof Tensor) return value;
  if (value === undefined || value === null) {
    throw new InvalidArgumentError(`expected a Tensor or a number for ${what}, got ${String(value)}`);
  }
  let dtype: DType | undefined;
  if (dtypeHint !== undefined && !(value instanceof NDArray)) {
    const flat = flatNumbers(value);
    const fits = dtypeHint === 'float32' || (dtypeHint === 'int32' && flat.every(Number.isInteger)) ||
      (dtypeHint === 'bool' && flat.every((v) => v === 0 || v === 1));
    if (fits) dtype = dtypeHint;
  }
  return constantTensor(value, dtype, undefined, graph);
}

function flatNumbers(value: NestedArray): number[] {
  if (Array.isArray(value)) return value.flatMap(flatNumbers);
  return [typeof value === 'boolean' ? Number(value) : value];
}

/** Converts a list of operands, placing literals in the graph of the first Tensor among them. */
export function toTensors(values: TensorLike[], what: string[] = []): Tensor[] {
  const first = values.find((v): v is Tensor => v instanceof Tensor);
  const graph = first?.graph ?? getDefaultGraph();
  return values.map((v, i) => toTensor(v, first?.dtype, graph, what[i]));
}
