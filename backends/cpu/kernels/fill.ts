import type { DType, TypedArray } from '../../interface';

/** Sets every element to `value`, converted the way a cast would (bool: non-zero is 1). */
export function fillKernel(out: TypedArray, outDtype: DType, value: number): void {
  // TypedArray.fill already truncates/wraps for int32 (ToInt32) and rounds for float32.
  out.fill(outDtype === 'bool' ? (value !== 0 ? 1 : 0) : value);
}
