/**
 * Naive float64 oracles, written from the contract's formulas with one index computation per element
 * and no fast paths: they keep the cpu run of the suite from comparing cpu with itself. Accumulating
 * oracles also return the magnitude (sum of |terms|) that scales their tolerance.
 */
import type { BinaryArgs, BinaryOp, DType, MatMulArgs, ReduceArgs, ReduceOp, StridedCopyArgs } from '../../backends/interface';
import { numel } from './data';

export interface Accumulated {
  value: Float64Array;
  magnitude: Float64Array;
}

/** The stored value of `v` in `dtype` (float32 rounding, int32 wrap, bool non-zero). */
export function store(dtype: DType, v: number): number {
  if (dtype === 'float32') return Math.fround(v);
  if (dtype === 'int32') return Math.trunc(v) | 0;
  return v !== 0 ? 1 : 0;
}

/** Offset of flat index `i` of `shape` in a view with `strides` and `offset`. */
export function viewOffset(i: number, shape: readonly number[], strides: readonly number[], offset: number): number {
  let at = offset;
  for (let d = shape.length - 1, rest = i; d >= 0; d--) {
    at += (rest % shape[d]) * strides[d];
    rest = Math.floor(rest / shape[d]);
  }
  return at;
}

function binaryScalar(op: BinaryOp, a: number, b: number, int: boolean): number {
  switch (op) {
    case 'add': return a + b;
    case 'sub': return a - b;
    case 'mul': return int ? Math.imul(a, b) : a * b;
    case 'div': return int ? Math.floor(a / b) : a / b;
    case 'pow': return Math.pow(a, b);
    case 'max': return Math.max(a, b);
    case 'min': return Math.min(a, b);
    case 'equal': return +(a === b);
    case 'notEqual': return +(a !== b);
    case 'less': return +(a < b);
    case 'lessEqual': return +(a <= b);
    case 'greater': return +(a > b);
    case 'greaterEqual': return +(a >= b);
    case 'logicalAnd': return +(a !== 0 && b !== 0);
    case 'logicalOr': return +(a !== 0 || b !== 0);
  }
}

/** out[i] = a[view_a(i)] op b[view_b(i)] in float64, then stored as `outDtype`. */
export function binaryOracle(
  op: BinaryOp, a: ArrayLike<number>, b: ArrayLike<number>, args: BinaryArgs, inDtype: DType, outDtype: DType,
): Float64Array {
  const out = new Float64Array(numel(args.shape));
  for (let i = 0; i < out.length; i++) {
    const u = a[viewOffset(i, args.shape, args.aStrides, 0)];
    const v = b[viewOffset(i, args.shape, args.bStrides, 0)];
    out[i] = store(outDtype, binaryScalar(op, u, v, inDtype === 'int32'));
  }
  return out;
}

const EMPTY: Record<ReduceOp, number> = { sum: 0, prod: 1, max: -Infinity, min: Infinity };

/** Reduction of the middle axis of [outer, reduce, inner], in float64 (no rounding: the exact answer to compare with). */
export function reduceOracle(op: ReduceOp, x: ArrayLike<number>, { outer, reduce, inner }: ReduceArgs): Accumulated {
  const value = new Float64Array(outer * inner);
  const magnitude = new Float64Array(outer * inner);
  for (let o = 0; o < outer; o++) {
    for (let j = 0; j < inner; j++) {
      let acc = EMPTY[op];
      let mag = op === 'prod' ? 1 : 0;
      for (let r = 0; r < reduce; r++) {
        const v = x[(o * reduce + r) * inner + j];
        if (op === 'sum') acc += v;
        else if (op === 'prod') acc *= v;
        else if (op === 'max') acc = Math.max(acc, v);
        else acc = Math.min(acc, v);
        mag = op === 'sum' ? mag + Math.abs(v) : op === 'prod' ? mag * Math.abs(v) : Math.abs(acc);
      }
      value[o * inner + j] = acc;
      magnitude[o * inner + j] = mag;
    }
  }
  return { value, magnitude };
}

/** Index of the first max (argmax) or min (argmin) along the middle axis. */
export function argReduceOracle(op: 'argmax' | 'argmin', x: ArrayLike<number>, { outer, reduce, inner }: ReduceArgs): Int32Array {
  const out = new Int32Array(outer * inner);
  for (let o = 0; o < outer; o++) {
    for (let j = 0; j < inner; j++) {
      let best = 0;
      for (let r = 1; r < reduce; r++) {
        const v = x[(o * reduce + r) * inner + j];
        const b = x[(o * reduce + best) * inner + j];
        if (op === 'argmax' ? v > b : v < b) best = r;
      }
      out[o * inner + j] = best;
    }
  }
  return out;
}

/** out[t] = op(a[t]) · op(b[t]) straight from the formula, with Σ|a||b| per element. */
export function matmulOracle(a: ArrayLike<number>, b: ArrayLike<number>, args: MatMulArgs): Accumulated {
  const { batch, m, n, k, transposeA, transposeB, aBatchStride, bBatchStride } = args;
  const value = new Float64Array(batch * m * n);
  const magnitude = new Float64Array(batch * m * n);
  for (let t = 0; t < batch; t++) {
    for (let i = 0; i < m; i++) {
      for (let j = 0; j < n; j++) {
        let sum = 0;
        let mag = 0;
        for (let p = 0; p < k; p++) {
          const av = a[t * aBatchStride + (transposeA ? p * m + i : i * k + p)];
          const bv = b[t * bBatchStride + (transposeB ? j * k + p : p * n + j)];
          sum += av * bv;
          mag += Math.abs(av * bv);
        }
        value[(t * m + i) * n + j] = sum;
        magnitude[(t * m + i) * n + j] = mag;
      }
    }
  }
  return { value, magnitude };
}

/** out[outOffset + Σ idx·outStrides] (+)= x[offset + Σ idx·strides], applied to a copy of `before`. */
export function stridedCopyOracle(x: ArrayLike<number>, before: ArrayLike<number>, args: StridedCopyArgs): Float64Array {
  const out = Float64Array.from(before);
  const outStrides = args.outStrides;
  for (let i = 0; i < numel(args.shape); i++) {
    const from = viewOffset(i, args.shape, args.strides, args.offset);
    const to = outStrides === undefined ? i : viewOffset(i, args.shape, outStrides, args.outOffset ?? 0);
    out[to] = args.accumulate ? out[to] + x[from] : x[from];
  }
  return out;
}

/** Row-wise softmax (or log-softmax) in float64 with the max subtracted. */
export function softmaxOracle(x: ArrayLike<number>, rows: number, cols: number, log: boolean): Float64Array {
  const out = new Float64Array(rows * cols);
  for (let r = 0; r < rows; r++) {
    let max = -Infinity;
    for (let c = 0; c < cols; c++) max = Math.max(max, x[r * cols + c]);
    let sum = 0;
    for (let c = 0; c < cols; c++) sum += Math.exp(x[r * cols + c] - max);
    for (let c = 0; c < cols; c++) {
      const shifted = x[r * cols + c] - max;
      out[r * cols + c] = log ? shifted - Math.log(sum) : Math.exp(shifted) / sum;
    }
  }
  return out;
}
