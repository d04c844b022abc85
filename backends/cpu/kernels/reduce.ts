import { unknownOp, type DType, type ReduceArgs, type ReduceOp, type TypedArray } from '../../interface';

const INT32_MIN = -2147483648;
const INT32_MAX = 2147483647;

/**
 * Reduces the middle axis of an [outer, reduce, inner] view. Sums and float products accumulate in
 * double and round once on store; int32 sums are exact in double until 2^53 and then wrap on store,
 * int32 products wrap via Math.imul. max/min propagate NaN (Math.max/min), like numpy.
 */
export function reduceKernel(
  op: ReduceOp,
  x: TypedArray,
  out: TypedArray,
  inDtype: DType,
  outDtype: DType,
  args: ReduceArgs,
): void {
  const { outer, reduce, inner } = args;
  if (outer === 0 || inner === 0) return;
  if (reduce === 0) {
    out.fill(emptyReduction(op, outDtype));
    return;
  }
  const integerProduct = op === 'prod' && inDtype === 'int32';
  if (inner === 1) reduceContiguousRuns(op, integerProduct, x, out, outer, reduce);
  else reduceRowsIntoOutput(op, integerProduct, x, out, outer, reduce, inner);
}

/** The reduction's identity, clipped to what the output dtype can hold (TF gives INT32_MIN for an empty int max). */
function emptyReduction(op: ReduceOp, outDtype: DType): number {
  switch (op) {
    case 'sum':
      return 0;
    case 'prod':
      return 1;
    case 'max':
      return outDtype === 'float32' ? -Infinity : outDtype === 'int32' ? INT32_MIN : 0;
    case 'min':
      return outDtype === 'float32' ? Infinity : outDtype === 'int32' ? INT32_MAX : 1;
  }
  return unknownOp('cpu reduce', op);
}

/** inner === 1: each output is the reduction of one contiguous run of `reduce` elements. */
function reduceContiguousRuns(
  op: ReduceOp, integerProduct: boolean, x: TypedArray, out: TypedArray, outer: number, reduce: number,
): void {
  switch (op) {
    case 'sum':
      for (let o = 0, base = 0; o < outer; o++, base += reduce) out[o] = sumRun(x, base, reduce);
      return;
    case 'prod':
      for (let o = 0, base = 0; o < outer; o++, base += reduce) {
        const end = base + reduce;
        let acc = 1;
        if (integerProduct) for (let i = base; i < end; i++) acc = Math.imul(acc, x[i]);
        else for (let i = base; i < end; i++) acc *= x[i];
        out[o] = acc;
      }
      return;
    case 'max':
      for (let o = 0, base = 0; o < outer; o++, base += reduce) {
        const end = base + reduce;
        let acc = x[base];
        for (let i = base + 1; i < end; i++) acc = Math.max(acc, x[i]);
        out[o] = acc;
      }
      return;
    case 'min':
      for (let o = 0, base = 0; o < outer; o++, base += reduce) {
        const end = base + reduce;
        let acc = x[base];
        for (let i = base + 1; i < end; i++) acc = Math.min(acc, x[i]);
        out[o] = acc;
      }
      return;
  }
  unknownOp('cpu reduce', op);
}

/** Four independent double accumulators: breaks the add latency chain and halves rounding growth. */
function sumRun(x: TypedArray, base: number, length: number): number {
  let s0 = 0, s1 = 0, s2 = 0, s3 = 0;
  const end = base + length;
  const end4 = base + (length & ~3);
  let i = base;
  for (; i < end4; i += 4) {
    s0 += x[i];
    s1 += x[i + 1];
    s2 += x[i + 2];
    s3 += x[i + 3];
  }
  for (; i < end; i++) s0 += x[i];
  return s0 + s1 + (s2 + s3);
}

/**
 * inner > 1: accumulates whole rows of `inner` contiguous elements into an output row, so memory is
 * read sequentially instead of striding by `inner` per element.
 */
function reduceRowsIntoOutput(
  op: ReduceOp, integerProduct: boolean, x: TypedArray, out: TypedArray, outer: number, reduce: number, inner: number,
): void {
  const block = reduce * inner;
  const needsDoubleAccumulator = op === 'sum' || (op === 'prod' && !integerProduct);
  const acc = needsDoubleAccumulator ? new Float64Array(inner) : null;
  for (let o = 0; o < outer; o++) {
    const first = o * block;
    const outBase = o * inner;
    if (acc !== null) {
      for (let j = 0; j < inner; j++) acc[j] = x[first + j];
      if (op === 'sum') {
        for (let r = first + inner; r < first + block; r += inner) for (let j = 0; j < inner; j++) acc[j] += x[r + j];
      } else {
        for (let r = first + inner; r < first + block; r += inner) for (let j = 0; j < inner; j++) acc[j] *= x[r + j];
      }
      for (let j = 0; j < inner; j++) out[outBase + j] = acc[j];
      continue;
    }
    // max, min and int32 prod are exact in the output dtype, so accumulate there directly.
    for (let j = 0; j < inner; j++) out[outBase + j] = x[first + j];
    for (let r = first + inner; r < first + block; r += inner) {
      if (op === 'max') for (let j = 0; j < inner; j++) out[outBase + j] = Math.max(out[outBase + j], x[r + j]);
      else if (op === 'min') for (let j = 0; j < inner; j++) out[outBase + j] = Math.min(out[outBase + j], x[r + j]);
      else for (let j = 0; j < inner; j++) out[outBase + j] = Math.imul(out[outBase + j], x[r + j]);
    }
  }
}
