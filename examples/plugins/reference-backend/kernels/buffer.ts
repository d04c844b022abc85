import type { BackendBuffer, DType } from '../../../../backends/interface';

/** Every dtype is held as float64; int32 and bool values are kept normalised by `store`. */
export class RefBuffer implements BackendBuffer {
  data: Float64Array;
  constructor(readonly dtype: DType, readonly size: number) {
    this.data = new Float64Array(size);
  }
}

/**
 * The value a buffer of `dtype` holds for `v`. float32 buffers keep full float64 precision (this is a
 * float64 backend; rounding happens once, at read); int32 wraps like a 32-bit register, bool is 0/1.
 */
export function store(dtype: DType, v: number): number {
  if (dtype === 'float32') return v;
  if (dtype === 'int32') return Math.trunc(v) | 0;
  return v !== 0 ? 1 : 0;
}

/**
 * The element offsets of a strided view, in row-major order of `shape`: a counter over the indices
 * that adds a stride per step instead of dividing out every index.
 */
export function offsets(shape: readonly number[], strides: readonly number[], offset = 0): Float64Array {
  const out = new Float64Array(count(shape));
  const index = new Array<number>(shape.length).fill(0);
  let at = offset;
  for (let i = 0; i < out.length; i++) {
    out[i] = at;
    for (let d = shape.length - 1; d >= 0; d--) {
      at += strides[d];
      if (++index[d] < shape[d]) break;
      at -= strides[d] * shape[d];
      index[d] = 0;
    }
  }
  return out;
}

export function count(shape: readonly number[]): number {
  return shape.reduce((n, d) => n * d, 1);
}
