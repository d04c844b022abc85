import { unknownOp, type ArgReduceOp, type ReduceArgs, type TypedArray } from '../../interface';

/**
 * Index of the max/min along the middle axis of [outer, reduce, inner]. The first index wins ties and
 * the first NaN wins outright, as in numpy. An empty reduce axis has no answer, so it throws (TF does too).
 */
export function argReduceKernel(op: ArgReduceOp, x: TypedArray, out: Int32Array, args: ReduceArgs): void {
  const sign = signOf(op);
  const { outer, reduce, inner } = args;
  if (outer === 0 || inner === 0) return;
  if (reduce === 0) throw new Error(`cpu argReduce: cannot take ${op} over an empty axis (outer=${outer}, inner=${inner})`);
  if (inner === 1) argOfContiguousRuns(x, out, outer, reduce, sign);
  else argOfRows(x, out, outer, reduce, inner, sign);
}

/** argmin is argmax of -x; negation is exact and keeps NaN, so one loop serves both. */
function signOf(op: ArgReduceOp): number {
  switch (op) {
    case 'argmax': return 1;
    case 'argmin': return -1;
  }
  return unknownOp('cpu argReduce', op);
}

function argOfContiguousRuns(x: TypedArray, out: Int32Array, outer: number, reduce: number, sign: number): void {
  for (let o = 0, base = 0; o < outer; o++, base += reduce) {
    let best = sign * x[base];
    let bestIndex = 0;
    if (best === best) {
      for (let r = 1; r < reduce; r++) {
        const v = sign * x[base + r];
        if (v > best) {
          best = v;
          bestIndex = r;
        } else if (v !== v) {
          bestIndex = r;
          break;
        }
      }
    }
    out[o] = bestIndex;
  }
}

/** Tracks the running best of a whole row of `inner` columns at once, reading x sequentially. */
function argOfRows(x: TypedArray, out: Int32Array, outer: number, reduce: number, inner: number, sign: number): void {
  const best = new Float64Array(inner);
  for (let o = 0; o < outer; o++) {
    const first = o * reduce * inner;
    const outBase = o * inner;
    for (let j = 0; j < inner; j++) {
      best[j] = sign * x[first + j];
      out[outBase + j] = 0;
    }
    for (let r = 1; r < reduce; r++) {
      const row = first + r * inner;
      for (let j = 0; j < inner; j++) {
        const v = sign * x[row + j];
        const current = best[j];
        // `current === current` keeps the first NaN: once best is NaN nothing replaces it.
        if (v > current || (v !== v && current === current)) {
          best[j] = v;
          out[outBase + j] = r;
        }
      }
    }
  }
}
