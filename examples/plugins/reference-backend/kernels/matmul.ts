import type { MatMulArgs } from '../../../../backends/interface';
import { store, type RefBuffer } from './buffer';

/**
 * The textbook triple loop per batch. Element (i, p) of op(A) is a[i·aRow + p·aDepth] and (p, j) of
 * op(B) is b[p·bDepth + j·bCol], so a transpose flag only swaps which stride is which.
 */
export function matmul(a: RefBuffer, b: RefBuffer, out: RefBuffer, args: MatMulArgs): void {
  const { batch, m, n, k, transposeA, transposeB, aBatchStride, bBatchStride } = args;
  const [aRow, aDepth] = transposeA ? [1, m] : [k, 1];
  const [bDepth, bCol] = transposeB ? [1, k] : [n, 1];
  for (let t = 0; t < batch; t++) {
    for (let i = 0; i < m; i++) {
      for (let j = 0; j < n; j++) {
        let sum = 0;
        let ia = t * aBatchStride + i * aRow;
        let ib = t * bBatchStride + j * bCol;
        for (let p = 0; p < k; p++, ia += aDepth, ib += bDepth) sum += a.data[ia] * b.data[ib];
        out.data[(t * m + i) * n + j] = store(out.dtype, sum);
      }
    }
  }
}
