/**
 * A small eager, numpy-like module over NDArray, so numpy programs (like the seed's) port line by
 * line. Every function runs the framework's own op definitions and backend kernels.
 * @module
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

/**
 * Elementwise x + y, with broadcasting.
 * @example
 * ```ts
 * const a = np.array([[1, 2], [3, 4]]);
 * const y = np.add(a, 1);
 * ```
 */
export const add = guarded('np.add', binary('Add'));
/**
 * Elementwise x - y, with broadcasting.
 * @example
 * ```ts
 * const a = np.array([[1, 2], [3, 4]]);
 * const y = np.subtract(a, 1);
 * ```
 */
export const subtract = guarded('np.subtract', binary('Sub'));
/**
 * Elementwise x * y, with broadcasting.
 * @example
 * ```ts
 * const a = np.array([[1, 2], [3, 4]]);
 * const y = np.multiply(a, a);
 * ```
 */
export const multiply = guarded('np.multiply', binary('Mul'));
/**
 * Elementwise x / y, with broadcasting.
 * @example
 * ```ts
 * const a = np.array([[1, 2], [3, 4]]);
 * const y = np.divide(a, 2);
 * ```
 */
export const divide = guarded('np.divide', binary('Div'));
export const maximum = guarded('np.maximum', binary('Maximum'));
export const minimum = guarded('np.minimum', binary('Minimum'));
export const equal = guarded('np.equal', binary('Equal'));
/**
 * Elementwise e ** x.
 * @example
 * ```ts
 * const a = np.array([[1, 2], [3, 4]]);
 * const y = np.exp(a);
 * ```
 */
export const exp = guarded('np.exp', unary('Exp'));
/**
 * Elementwise natural logarithm.
 * @example
 * ```ts
 * const a = np.array([[1, 2], [3, 4]]);
 * const y = np.log(a);
 * ```
 */
export const log = guarded('np.log', unary('Log'));
export const sqrt = guarded('np.sqrt', unary('Sqrt'));
export const square = guarded('np.square', unary('Square'));
export const abs = guarded('np.abs', unary('Abs'));
export const tanh = guarded('np.tanh', unary('Tanh'));

type Shape = number | number[];
const shapeOf = (s: Shape) => (typeof s === 'number' ? [s] : [...s]);

/**
 * An NDArray of zeros (float32 unless `dtype` says otherwise).
 * @example
 * ```ts
 * const a = np.array([[1, 2], [3, 4]]);
 * const y = np.zeros([2, 3]);
 * ```
 */
export const zeros = guarded('np.zeros', (shape: Shape, dtype: DType = 'float32'): NDArray => NDArray.zeros(shapeOf(shape), dtype));
/**
 * An NDArray of ones.
 * @example
 * ```ts
 * const a = np.array([[1, 2], [3, 4]]);
 * const y = np.ones([2, 3]);
 * ```
 */
export const ones = guarded('np.ones', function ones(shape: Shape, dtype: DType = 'float32'): NDArray {
  const z = NDArray.zeros(shapeOf(shape), dtype);
  z.data.fill(1);
  return z;
});
/**
 * An NDArray from a nested array (float32 unless `dtype` says otherwise).
 * @example
 * ```ts
 * const a = np.array([[1, 2], [3, 4]]);
 * const y = np.array([[1, 2], [3, 4]]);
 * ```
 */
export const array = guarded('np.array', (value: NDArray | NestedArray, dtype?: DType): NDArray => toNDArray(value, dtype));

/**
 * numpy's dot/matmul for 2-D operands (1-D operands are treated as a row or column vector).
 * @example
 * ```ts
 * const a = np.array([[1, 2], [3, 4]]);
 * const y = np.dot(a, a);
 * ```
 */
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
/**
 * Matrix product (the same as `np.dot` for 2-D arrays).
 * @example
 * ```ts
 * const a = np.array([[1, 2], [3, 4]]);
 * const y = np.matmul(a, a);
 * ```
 */
export const matmul = guarded('np.matmul', dot);

type AxisArg = number | number[] | null | ReduceOptions;
const reduction = (fn: string, type: string) => (x: ArrayLikeInput, axis?: AxisArg, options?: ReduceOptions): NDArray => {
  const { axes, keepDims } = parseReduceArgs(`np.${fn}`, axis, options);
  let arr = asArray(x);
  if (type === 'Mean' && arr.dtype !== 'float32') arr = toNDArray(arr, 'float32');
  return runEager(REDUCE_DEFS[type], [arr], { axes, keep_dims: keepDims })[0];
};
/**
 * Sum over `axis` (all axes by default).
 * @example
 * ```ts
 * const a = np.array([[1, 2], [3, 4]]);
 * const y = np.sum(a, 0);
 * ```
 */
export const sum = guarded('np.sum', reduction('sum', 'Sum'));
/**
 * Mean over `axis` (all axes by default).
 * @example
 * ```ts
 * const a = np.array([[1, 2], [3, 4]]);
 * const y = np.mean(a);
 * ```
 */
export const mean = guarded('np.mean', reduction('mean', 'Mean'));
/**
 * Maximum over `axis` (all axes by default); `keepdims` keeps them as size 1.
 * @example
 * ```ts
 * const a = np.array([[1, 2], [3, 4]]);
 * const y = np.max(a, { axis: 1, keepdims: true });
 * ```
 */
export const max = guarded('np.max', reduction('max', 'Max'));
export const min = guarded('np.min', reduction('min', 'Min'));

export interface ArgmaxOptions {
  axis?: number | null;
  keepdims?: boolean;
}

/**
 * numpy's argmax over one axis, or over the flattened array when no axis is given; `keepdims` keeps
 * the reduced axis with size 1. The axis may also be given positionally: argmax(M, 1, {keepdims}).
 * @example
 * ```ts
 * const a = np.array([[1, 2], [3, 4]]);
 * const y = np.argmax(a, 1);
 * ```
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

/**
 * Permutes the axes (reverses them by default).
 * @example
 * ```ts
 * const a = np.array([[1, 2], [3, 4]]);
 * const y = np.transpose(a);
 * ```
 */
export const transpose = guarded('np.transpose', (x: ArrayLikeInput, axes?: number[]): NDArray => runEager(Transpose, [asArray(x)], { perm: axes ?? null })[0]);
/**
 * The same values in a new shape.
 * @example
 * ```ts
 * const a = np.array([[1, 2], [3, 4]]);
 * const y = np.reshape(a, [4]);
 * ```
 */
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
