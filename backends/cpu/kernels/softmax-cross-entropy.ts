import type { SoftmaxCrossEntropyArgs, TypedArray } from '../../interface';

/**
 * Softmax cross-entropy per row, shifted by the row max so exp never overflows: exp(x - max) goes to
 * `backprop` while its (double) sum accumulates, then one pass turns it into softmax - label and sums
 * the loss -Σ label·(x - max - log Σ), which stays finite where log(softmax) would underflow.
 */
export function softmaxCrossEntropyKernel(
  logits: TypedArray, labels: TypedArray, loss: TypedArray, backprop: TypedArray, args: SoftmaxCrossEntropyArgs,
): void {
  const { rows, cols } = args;
  for (let r = 0, base = 0; r < rows; r++, base += cols) {
    const end = base + cols;
    let max = -Infinity;
    for (let i = base; i < end; i++) max = Math.max(max, logits[i]);
    let sum = 0;
    for (let i = base; i < end; i++) {
      const e = Math.exp(logits[i] - max);
      backprop[i] = e;
      sum += e;
    }
    const scale = 1 / sum;
    const logSum = Math.log(sum);
    let total = 0;
    for (let i = base; i < end; i++) {
      const label = labels[i];
      total -= label * (logits[i] - max - logSum);
      backprop[i] = backprop[i] * scale - label;
    }
    loss[r] = total;
  }
}
