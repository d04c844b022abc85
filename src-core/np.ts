/**
 * A small eager, numpy-like module over NDArray, so numpy programs (like the seed's) port line by
 * line. Every function runs the framework's own op definitions and backend kernels.
 */
import type { DType } from './graph/dtype';
import { NDArray, toNDArray, type ArrayLikeInput, type NestedArray } from './ndarray';
import { runEager } from './eager';
import { BINARY_DEFS } from './ops/elementwise-binary';
import { UNARY_DEFS } from './ops/elementwise-unary';
import { REDUCE_DEFS, ArgMax } from './ops/reduce';
import { MatMul } from './ops/matmul';
import { Reshape, Transpose } from './ops/layout';
import { InvalidArgumentError } from './errors';
import { guarded, describeValue, isOptionsObject, optionsOf, parseReduceArgs, type ReduceOptions } from './api/options';

export { NDArray };
export type { ArrayLikeInput };

const asArray = (x: ArrayLikeInput, like?: NDArray): NDArray => {
  if (x instanceof NDArray) return x;
  const dtype = like && like.dtype !== 'bool' && (like.dtype === 'float32' || Number.isInteger(x)) ? like.dtype : undefined;
  return toNDArray(x, dtype);
};

function binary(type: string) {
  return (a: ArrayLikeInput, b: ArrayLikeInput): NDArray => {
    const x = asArray(a, b instanceof NDArray ? b : undefined);
    const y = asArray(b, x);
    return runEager(BINARY_DEFS[type], [x, y], {})[0];
  };
}

const unary = (type: string) => (x: ArrayLikeInput): NDArray => runEager(UNARY_DEFS[type], [asArray(x)], {})[0];

export const add = guarded('np.add', binary('Add'));
export const subtract = guarded('np.subtract', binary('Sub'));
export const multiply = guarded('np.multiply', binary('Mul'));
export const divide = guarded('np.divide', binary('Div'));
export const maximum = guarded('np.maximum', binary('Maximum'));
export const minimum = guarded('np.minimum', binary('Minimum'));
export const equal = guarded('np.equal', binary('Equal'));
export const exp = guarded('np.exp', unary('Exp'));
export const log = guarded('np.log', unary('Log'));
export const sqrt = guarded('np.sqrt', unary('Sqrt'));
export const square = guarded('np.square', unary('Square'));
export const abs = guarded('np.abs', unary('Abs'));
export const tanh = guarded('np.tanh', unary('Tanh'));

type Shape = number | number[];
const shapeOf = (s: Shape) => (typeof s === 'number' ? [s] : [...s]);

export const zeros = guarded('np.zeros', (shape: Shape, dtype: DType = 'float32'): NDArray => NDArray.zeros(shapeOf(shape), dtype));
export const ones = guarded('np.ones', function ones(shape: Shape, dtype: DType = 'float32'): NDArray {
  const z = NDArray.zeros(shapeOf(shape), dtype);
  z.data.fill(1);
  return z;
});
export const array = guarded('np.array', (value: NDArray | NestedArray, dtype?: DType): NDArray => toNDArray(value, dtype));

/** numpy's dot/matmul for 2-D operands (1-D operands are treated as a row or column vector). */
export const dot = guarded('np.dot', function dot(a: ArrayLikeInput, b: ArrayLikeInput): NDArray {
  let x = asArray(a);
  let y = asArray(b, x);
  const vecA = x.rank === 1;
  const vecB = y.rank === 1;
  if (vecA) x = x.reshape([1, x.size]);
  if (vecB) y = y.reshape([y.size, 1]);
  const out = runEager(MatMul, [x, y], { transpose_a: false, transpose_b: false })[0];
  if (vecA && vecB) return out.reshape([]);
  if (vecA) return out.reshape([out.shape[1]]);
  if (vecB) return out.reshape([out.shape[0]]);
  return out;
});
export const matmul = guarded('np.matmul', dot);

type AxisArg = number | number[] | null | ReduceOptions;
const reduction = (fn: string, type: string) => (x: ArrayLikeInput, axis?: AxisArg, options?: ReduceOptions): NDArray => {
  const { axes, keepDims } = parseReduceArgs(`np.${fn}`, axis, options);
  let arr = asArray(x);
  if (type === 'Mean' && arr.dtype !== 'float32') arr = toNDArray(arr, 'float32');
  return runEager(REDUCE_DEFS[type], [arr], { axes, keep_dims: keepDims })[0];
};
export const sum = guarded('np.sum', reduction('sum', 'Sum'));
export const mean = guarded('np.mean', reduction('mean', 'Mean'));
export const max = guarded('np.max', reduction('max', 'Max'));
export const min = guarded('np.min', reduction('min', 'Min'));

export interface ArgmaxOptions {
  axis?: number | null;
  keepdims?: boolean;
}

/**
 * numpy's argmax over one axis, or over the flattened array when no axis is given; `keepdims` keeps
 * the reduced axis with size 1. The axis may also be given positionally: argmax(M, 1, {keepdims}).
 */
export const argmax = guarded('np.argmax', function argmax(x: ArrayLikeInput, axisOrOptions?: number | null | ArgmaxOptions, options?: ArgmaxOptions): NDArray {
  const opts = {
    ...optionsOf<ArgmaxOptions>('np.argmax', isOptionsObject(axisOrOptions) ? axisOrOptions : undefined, ['axis', 'keepdims']),
    ...optionsOf<ArgmaxOptions>('np.argmax', options, ['axis', 'keepdims']),
  };
  if (!isOptionsObject(axisOrOptions) && axisOrOptions !== undefined) {
    if (opts.axis !== undefined) throw new InvalidArgumentError('np.argmax: axis given both positionally and as an option');
    opts.axis = axisOrOptions as number | null;
  }
  const ax = opts.axis ?? null;
  if (ax !== null && !Number.isInteger(ax)) throw new InvalidArgumentError(`np.argmax: axis must be an integer, got ${describeValue(ax)}`);
  const arr = asArray(x);
  if (ax === null) {
    const flat = runEager(ArgMax, [arr.reshape([arr.size])], { axis: 0 })[0];
    return opts.keepdims ? flat.reshape(arr.shape.map(() => 1)) : flat;
  }
  const out = runEager(ArgMax, [arr], { axis: ax })[0];
  if (!opts.keepdims) return out;
  const axis = ax < 0 ? ax + arr.rank : ax;
  return out.reshape(arr.shape.map((d, i) => (i === axis ? 1 : d)));
});

export const transpose = guarded('np.transpose', (x: ArrayLikeInput, axes?: number[]): NDArray => runEager(Transpose, [asArray(x)], { perm: axes ?? null })[0]);
export const reshape = guarded('np.reshape', (x: ArrayLikeInput, shape: number[]): NDArray => runEager(Reshape, [asArray(x)], { shape })[0]);

declare module './ndarray' {
  interface NDArray {
    /** numpy's `.T`: the transpose. */
    readonly T: NDArray;
    add(y: ArrayLikeInput): NDArray;
    sub(y: ArrayLikeInput): NDArray;
    mul(y: ArrayLikeInput): NDArray;
    div(y: ArrayLikeInput): NDArray;
  }
}

Object.defineProperty(NDArray.prototype, 'T', {
  get(this: NDArray) {
    return transpose(this);
  },
  configurable: true,
});
NDArray.prototype.add = function (y) { return add(this, y); };
NDArray.prototype.sub = function (y) { return subtract(this, y); };
NDArray.prototype.mul = function (y) { return multiply(this, y); };
NDArray.prototype.div = function (y) { return divide(this, y); };

/** True when `a` and `b` agree elementwise within atol + rtol·|b| (numpy's allclose); shapes must match. */
export const allclose = guarded('np.allclose', function allclose(a: NDArray, b: NDArray, rtol: number = 1e-5, atol: number = 1e-8): boolean {
  if (a.shape.length !== b.shape.length || a.shape.some((d, i) => d !== b.shape[i])) {
    throw new InvalidArgumentError(`np.allclose: shapes differ, [${a.shape}] vs [${b.shape}]`);
  }
  for (let i = 0; i < a.size; i++) {
    if (!(Math.abs(a.data[i] - b.data[i]) <= atol + rtol * Math.abs(b.data[i]))) return false;
  }
  return true;
});
