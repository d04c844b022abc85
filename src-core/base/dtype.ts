/** The element types a tensor can hold. Everything is float32 unless an op says otherwise. */
export type DType = 'float32' | 'int32' | 'bool';

export type TypedArray = Float32Array | Int32Array | Uint8Array;

export const float32 = 'float32' as const;
export const int32 = 'int32' as const;
export const bool = 'bool' as const;

export const DTYPES: readonly DType[] = ['float32', 'int32', 'bool'];

export function isDType(value: unknown): value is DType {
  return value === 'float32' || value === 'int32' || value === 'bool';
}

/** Allocates a zeroed typed array of the storage class used for `dtype`. */
export function typedArrayFor(dtype: DType, size: number): TypedArray {
  switch (dtype) {
    case 'float32':
      return new Float32Array(size);
    case 'int32':
      return new Int32Array(size);
    case 'bool':
      return new Uint8Array(size);
  }
}

export function dtypeOfTypedArray(data: TypedArray): DType {
  if (data instanceof Float32Array) return 'float32';
  if (data instanceof Int32Array) return 'int32';
  return 'bool';
}

/** Converts plain numbers into the storage of `dtype` the way a cast would (bool: non-zero is true). */
export function typedArrayFrom(dtype: DType, values: ArrayLike<number>): TypedArray {
  const out = typedArrayFor(dtype, values.length);
  if (dtype === 'bool') {
    for (let i = 0; i < values.length; i++) out[i] = values[i] !== 0 ? 1 : 0;
  } else if (dtype === 'int32') {
    for (let i = 0; i < values.length; i++) out[i] = Math.trunc(values[i]);
  } else {
    out.set(values);
  }
  return out;
}

/** Bytes per element as stored (bool takes one byte). */
export function byteWidth(dtype: DType): number {
  return dtype === 'bool' ? 1 : 4;
}
