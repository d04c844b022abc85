import type { SoftmaxArgs } from '../../../../backends/interface';
import type { RefBuffer } from './buffer';

/** Row-wise softmax with the row max subtracted, so exp never overflows; log-softmax stays finite. */
export function softmax(x: RefBuffer, out: RefBuffer, { rows, cols, log }: SoftmaxArgs): void {
  for (let r = 0; r < rows; r++) {
    const row = x.data.subarray(r * cols, (r + 1) * cols);
    const max = row.reduce((m, v) => Math.max(m, v), -Infinity);
    const sum = row.reduce((s, v) => s + Math.exp(v - max), 0);
    for (let c = 0; c < cols; c++) {
      out.data[r * cols + c] = log ? row[c] - max - Math.log(sum) : Math.exp(row[c] - max) / sum;
    }
  }
}
