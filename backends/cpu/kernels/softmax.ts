import type { SoftmaxArgs, TypedArray } from '../../interface';

/**
 * Row-wise softmax over [rows, cols], shifted by the row max so exp never overflows.
 * The log variant is x - max - log(sum(exp(x - max))), which stays finite where log(softmax) would
 * underflow to -Infinity.
 */
export function softmaxKernel(x: TypedArray, out: TypedArray, args: SoftmaxArgs): void {
  const { rows, cols, log } = args;
  if (cols === 0) return;
  for (let r = 0, base = 0; r < rows; r++, base += cols) {
    const end = base + cols;
    let max = -Infinity;
    for (let i = base; i < end; i++) max = Math.max(max, x[i]);
    let sum = 0;
    if (log) {
      for (let i = base; i < end; i++) sum += Math.exp(x[i] - max);
      const logSum = Math.log(sum);
      for (let i = base; i < end; i++) out[i] = x[i] - max - logSum;
    } else {
      // exp values go to `out` first so each is computed once; the sum stays in double.
      for (let i = base; i < end; i++) {
        const e = Math.exp(x[i] - max);
        out[i] = e;
        sum += e;
      }
      const scale = 1 / sum;
      for (let i = base; i < end; i++) out[i] *= scale;
    }
  }
}
