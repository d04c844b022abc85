/** reduce and argReduce over the middle axis of [outer, reduce, inner], one output at a time. */
import type { ArgReduceOp, ReduceArgs, ReduceOp } from '../../../../backends/interface';
import { store, type RefBuffer } from './buffer';

/** The identity of each reduction, which is also the answer over an empty axis (int32 clips ±Infinity, as TF). */
function identity(op: ReduceOp, out: RefBuffer): number {
  const int = out.dtype === 'int32';
  switch (op) {
    case 'sum': return 0;
    case 'prod': return 1;
    case 'max': return int ? -2147483648 : -Infinity;
    case 'min': return int ? 2147483647 : Infinity;
  }
}

function combine(op: ReduceOp, acc: number, v: number, int: boolean): number {
  switch (op) {
    case 'sum': return acc + v;
    case 'prod': return int ? Math.imul(acc, v) : acc * v;
    case 'max': return Math.max(acc, v);
    case 'min': return Math.min(acc, v);
  }
}

export function reduce(op: ReduceOp, x: RefBuffer, out: RefBuffer, { outer, reduce: n, inner }: ReduceArgs): void {
  const int = x.dtype === 'int32';
  for (let o = 0; o < outer; o++) {
    for (let j = 0; j < inner; j++) {
      let acc = identity(op, out);
      for (let r = 0; r < n; r++) acc = combine(op, acc, x.data[(o * n + r) * inner + j], int);
      out.data[o * inner + j] = store(out.dtype, acc);
    }
  }
}

/** The first extreme wins ties; the first NaN wins outright (numpy's rule). */
export function argReduce(op: ArgReduceOp, x: RefBuffer, out: RefBuffer, { outer, reduce: n, inner }: ReduceArgs): void {
  if (n === 0 && outer * inner > 0) throw new Error(`reference argReduce: cannot take ${op} over an empty axis`);
  const better = op === 'argmax' ? (v: number, b: number) => v > b : (v: number, b: number) => v < b;
  for (let o = 0; o < outer; o++) {
    for (let j = 0; j < inner; j++) {
      let best = 0;
      let bestValue = x.data[o * n * inner + j];
      for (let r = 1; r < n && !Number.isNaN(bestValue); r++) {
        const v = x.data[(o * n + r) * inner + j];
        if (better(v, bestValue) || Number.isNaN(v)) {
          best = r;
          bestValue = v;
        }
      }
      out.data[o * inner + j] = best;
    }
  }
}
