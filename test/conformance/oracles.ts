/**
 * Naive float64 oracles, written from the contract's formulas with one index computation per element
 * and no fast paths: they keep the cpu run of the suite from comparing cpu with itself. Accumulating
 * oracles also return the magnitude (sum of |terms|) that scales their tolerance.
 */
import type {
  BinaryArgs, BinaryOp, DType, ElementwiseArgs, MatMulArgs, ReduceArgs, ReduceOp, StridedCopyArgs, UnaryOp,
} from '../../backends/interface';
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

/** The contract's float32 unary formulas in float64 (sigmoid, round and relu as TF-1 defines them). */
export function unaryScalar(op: UnaryOp, v: number): number {
  switch (op) {
    case 'identity': return v;
    case 'neg': return -v;
    case 'abs': return Math.abs(v);
    case 'sign': return v === 0 || Number.isNaN(v) ? v : Math.sign(v);
    case 'exp': return Math.exp(v);
    case 'log': return Math.log(v);
    case 'sqrt': return Math.sqrt(v);
    case 'rsqrt': return 1 / Math.sqrt(v);
    case 'square': return v * v;
    case 'reciprocal': return 1 / v;
    case 'relu': return Number.isNaN(v) ? v : Math.max(v, 0);
    case 'step': return v > 0 ? 1 : 0;
    case 'sigmoid': return 1 / (1 + Math.exp(-v));
    case 'tanh': return Math.tanh(v);
    case 'floor': return Math.floor(v);
    case 'ceil': return Math.ceil(v);
    case 'round': {
      const r = Math.round(v);
      return r - v === 0.5 && r % 2 !== 0 ? r - 1 : r;
    }
    case 'logicalNot': return v === 0 ? 1 : 0;
  }
}

/**
 * How much an error of `inputMagnitude` in the operand (or of one rounding) can move a unary result:
 * a first-order bound from the derivative, never below |result|. Discontinuous ops get |result| only:
 * the suite applies them to exact inputs.
 */
function unaryMagnitude(op: UnaryOp, a: number, v: number, ma: number): number {
  const av = Math.abs(v);
  switch (op) {
    case 'exp': return av * (1 + ma);
    case 'log': return av + (1 + ma) / Math.abs(a);
    case 'sqrt': return av + ma / (2 * av);
    case 'rsqrt': case 'reciprocal': return av * (1 + ma / Math.abs(a));
    case 'square': return av + 2 * Math.abs(a) * ma;
    case 'sigmoid': case 'tanh': return av + ma;
    case 'identity': case 'neg': case 'abs': case 'relu': return Math.max(av, ma);
    default: return av;
  }
}

/** The binary counterpart of unaryMagnitude (first-order error propagation). */
function binaryMagnitude(op: BinaryOp, a: number, b: number, v: number, ma: number, mb: number): number {
  const av = Math.abs(v);
  switch (op) {
    case 'add': case 'sub': return ma + mb + av;
    case 'mul': return Math.abs(a) * mb + ma * Math.abs(b) + av;
    case 'div': return (ma + av * mb) / Math.abs(b) + av;
    case 'pow': return av * (1 + (ma / Math.abs(a)) * Math.abs(b) + mb * Math.abs(Math.log(Math.abs(a))));
    case 'max': case 'min': return Math.max(ma, mb, av);
    default: return av;
  }
}

/**
 * A fused elementwise program evaluated the way the unfused primitives would: every instruction in
 * float64 from the contract's formula, rounded to float32 as its primitive's output buffer would. The
 * magnitude propagates first-order error bounds through the program, so the tolerance can be relative
 * to what each output is sensitive to rather than to its (possibly cancelled) value.
 */
export function elementwiseOracle(inputs: readonly ArrayLike<number>[], args: ElementwiseArgs): Accumulated {
  const size = numel(args.shape);
  const value = new Float64Array(size);
  const magnitude = new Float64Array(size);
  const reg = new Float64Array(args.program.length);
  const mag = new Float64Array(args.program.length);
  for (let i = 0; i < size; i++) {
    args.program.forEach((instr, r) => {
      let v: number;
      let m: number;
      if (instr.kind === 'input') {
        v = inputs[instr.input][viewOffset(i, args.shape, args.inputStrides[instr.input], 0)];
        m = Math.abs(v);
      } else if (instr.kind === 'const') {
        v = Math.fround(instr.value);
        m = Math.abs(v);
      } else if (instr.kind === 'unary') {
        v = Math.fround(unaryScalar(instr.op, reg[instr.a]));
        m = unaryMagnitude(instr.op, reg[instr.a], v, mag[instr.a]);
      } else {
        v = Math.fround(binaryScalar(instr.op, reg[instr.a], reg[instr.b], false));
        m = binaryMagnitude(instr.op, reg[instr.a], reg[instr.b], v, mag[instr.a], mag[instr.b]);
      }
      reg[r] = v;
      mag[r] = m;
    });
    value[i] = reg[args.program.length - 1];
    magnitude[i] = mag[args.program.length - 1];
  }
  return { value, magnitude };
}

/** act(matmul + bias) per element; the magnitude adds |bias| to the matmul's Σ|a·b|. */
export function matmulEpilogueOracle(
  a: ArrayLike<number>, b: ArrayLike<number>, bias: ArrayLike<number> | null, args: MatMulArgs, relu: boolean,
): Accumulated {
  const { value, magnitude } = matmulOracle(a, b, args);
  for (let i = 0; i < value.length; i++) {
    const add = bias === null ? 0 : bias[i % args.n];
    const v = value[i] + add;
    value[i] = relu ? Math.max(v, 0) : v;
    magnitude[i] += Math.abs(add);
  }
  return { value, magnitude };
}

export interface CrossEntropyOracle {
  loss: Accumulated;
  backprop: Accumulated;
}

/** loss[r] = −Σ labels·logsoftmax and backprop = softmax − labels in float64, max-shifted. */
export function softmaxCrossEntropyOracle(
  logits: ArrayLike<number>, labels: ArrayLike<number>, rows: number, cols: number,
): CrossEntropyOracle {
  const loss = { value: new Float64Array(rows), magnitude: new Float64Array(rows) };
  const backprop = { value: new Float64Array(rows * cols), magnitude: new Float64Array(rows * cols) };
  for (let r = 0; r < rows; r++) {
    const base = r * cols;
    let max = -Infinity;
    for (let c = 0; c < cols; c++) max = Math.max(max, logits[base + c]);
    let sum = 0;
    for (let c = 0; c < cols; c++) sum += Math.exp(logits[base + c] - max);
    const logSum = Math.log(sum);
    let total = 0;
    let size = 0;
    for (let c = 0; c < cols; c++) {
      const shifted = logits[base + c] - max;
      const label = labels[base + c];
      total -= label * (shifted - logSum);
      // Any formulation is fine: logSum + max − Σ label·x too, so |x| and |max| belong to the scale.
      size += Math.abs(label) * (Math.abs(logits[base + c]) + Math.abs(max) + logSum + 1);
      const p = Math.exp(shifted) / sum;
      backprop.value[base + c] = p - label;
      backprop.magnitude[base + c] = p + Math.abs(label);
    }
    loss.value[r] = total;
    loss.magnitude[r] = size;
  }
  return { loss, backprop };
}
