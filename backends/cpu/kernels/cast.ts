import type { DType, TypedArray } from '../../interface';

/**
 * Element-wise dtype conversion. float -> int32 truncates toward zero (ToInt32, which TypedArray.set
 * applies natively; NaN gives 0 and out-of-range values wrap); anything -> bool is `x !== 0`, so NaN
 * becomes true as in TF.
 */
export function castKernel(x: TypedArray, out: TypedArray, outDtype: DType): void {
  if (outDtype !== 'bool') {
    out.set(x);
    return;
  }
  const n = x.length;
  for (let i = 0; i < n; i++) out[i] = x[i] !== 0 ? 1 : 0;
}
