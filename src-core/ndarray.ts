import { DType, TypedArray, dtypeOfTypedArray, typedArrayFor, typedArrayFrom, isDType } from './graph/dtype';
import { formatShape, numElements, stridesOf } from './graph/shape';
import { InvalidArgumentError } from './errors';

/** A nested JS array of numbers (or booleans), as a user writes a literal. */
export type NestedArray = number | boolean | NestedArray[];

/**
 * A concrete, host-side array: what feeds take and what `Session.run` returns.
 * Data is row-major; bool is stored as 0/1 bytes.
 * @example
 * ```ts
 * const a = new tf.NDArray(new Float32Array([1, 2, 3, 4]), [2, 2]);
 * a.get(1, 0); // 3
 * ```
 */
export class NDArray {
  readonly shape: number[];
  readonly dtype: DType;
  readonly data: TypedArray;

  constructor(data: TypedArray, shape: readonly number[], dtype?: DType) {
    const inferred = dtypeOfTypedArray(data);
    const dt = dtype ?? inferred;
    if (!isDType(dt)) throw new InvalidArgumentError(`NDArray: unknown dtype '${String(dt)}'`);
    const size = numElements(shape);
    if (shape.some((d) => !Number.isInteger(d) || d < 0)) {
      throw new InvalidArgumentError(`NDArray: shape ${formatShape(shape)} must hold non-negative integers`);
    }
    if (data.length !== size) {
      throw new InvalidArgumentError(
        `NDArray: data has ${data.length} elements but shape ${formatShape(shape)} needs ${size}`,
      );
    }
    this.shape = [...shape];
    this.dtype = dt;
    this.data = dt === inferred ? data : typedArrayFrom(dt, data);
  }

  static zeros(shape: readonly number[], dtype: DType = 'float32'): NDArray {
    return new NDArray(typedArrayFor(dtype, numElements(shape)), shape, dtype);
  }

  /**
   * Builds an array from a nested literal; the dtype defaults to float32 (bool for booleans).
   * @example
   * ```ts
   * const a = tf.NDArray.from([[1, 2], [3, 4]]);
   * a.shape; // [2, 2]
   * ```
   */
  static from(value: NestedArray, dtype?: DType): NDArray {
    const shape = nestedShape(value);
    const flat: number[] = [];
    let sawBool = false;
    flattenInto(value, shape, 0, flat, (b) => (sawBool ||= b));
    const dt = dtype ?? (sawBool ? 'bool' : 'float32');
    return new NDArray(typedArrayFrom(dt, flat), shape, dt);
  }

  get size(): number {
    return this.data.length;
  }

  get rank(): number {
    return this.shape.length;
  }

  /**
   * The single number of a rank-0 or one-element array.
   * @example
   * ```ts
   * tf.NDArray.from([[7]]).item(); // 7
   * ```
   */
  item(): number {
    if (this.data.length !== 1) {
      throw new InvalidArgumentError(`NDArray.item: array of shape ${formatShape(this.shape)} has ${this.size} elements, not 1`);
    }
    return this.data[0];
  }

  /**
   * The number at one index (one coordinate per axis).
   * @example
   * ```ts
   * const a = tf.NDArray.from([[1, 2], [3, 4]]);
   * a.get(1, 0); // 3
   * ```
   */
  get(...index: number[]): number {
    if (index.length !== this.shape.length) {
      throw new InvalidArgumentError(`NDArray.get: ${index.length} indices for an array of rank ${this.rank}`);
    }
    const strides = stridesOf(this.shape);
    let offset = 0;
    for (let i = 0; i < index.length; i++) {
      const k = index[i] < 0 ? index[i] + this.shape[i] : index[i];
      if (k < 0 || k >= this.shape[i]) {
        throw new InvalidArgumentError(`NDArray.get: index ${index[i]} out of range for axis ${i} of size ${this.shape[i]}`);
      }
      offset += k * strides[i];
    }
    return this.data[offset];
  }

  /**
   * Nested JS arrays (a number for rank 0); bools come back as booleans.
   * @example
   * ```ts
   * tf.NDArray.from([[1, 2], [3, 4]]).toArray(); // [[1, 2], [3, 4]]
   * ```
   */
  toArray(): NestedArray {
    const asValue = (v: number): number | boolean => (this.dtype === 'bool' ? v !== 0 : v);
    if (this.shape.length === 0) return asValue(this.data[0]);
    const build = (axis: number, offset: number, stride: number): NestedArray[] => {
      const n = this.shape[axis];
      const inner = stride / Math.max(n, 1);
      const out: NestedArray[] = new Array<NestedArray>(n);
      for (let i = 0; i < n; i++) {
        out[i] = axis === this.shape.length - 1 ? asValue(this.data[offset + i]) : build(axis + 1, offset + i * inner, inner);
      }
      return out;
    };
    return build(0, 0, this.size);
  }

  reshape(shape: readonly number[]): NDArray {
    return new NDArray(this.data, shape, this.dtype);
  }

  toString(): string {
    return `NDArray(${this.dtype}${formatShape(this.shape)})`;
  }
}

function nestedShape(value: NestedArray): number[] {
  const shape: number[] = [];
  let v: NestedArray = value;
  while (Array.isArray(v)) {
    shape.push(v.length);
    if (v.length === 0) break;
    v = v[0];
  }
  return shape;
}

function flattenInto(
  value: NestedArray,
  shape: readonly number[],
  depth: number,
  out: number[],
  noteBool: (isBool: boolean) => void,
): void {
  if (depth === shape.length) {
    if (Array.isArray(value)) throw new InvalidArgumentError('NDArray.from: ragged nested array (too deep)');
    if (typeof value === 'boolean') {
      noteBool(true);
      out.push(value ? 1 : 0);
    } else if (typeof value === 'number') {
      out.push(value);
    } else {
      throw new InvalidArgumentError(`NDArray.from: expected a number, got ${typeof value}`);
    }
    return;
  }
  if (!Array.isArray(value) || value.length !== shape[depth]) {
    throw new InvalidArgumentError(
      `NDArray.from: ragged nested array: expected length ${shape[depth]} at depth ${depth}, got ${Array.isArray(value) ? value.length : 'a scalar'}`,
    );
  }
  for (const item of value) flattenInto(item, shape, depth + 1, out, noteBool);
}

/** Anything a feed or an eager call accepts in place of an NDArray. */
export type ArrayLikeInput = NDArray | NestedArray;

export function toNDArray(value: ArrayLikeInput, dtype?: DType): NDArray {
  if (value instanceof NDArray) {
    if (dtype === undefined || dtype === value.dtype) return value;
    return new NDArray(typedArrayFrom(dtype, value.data), value.shape, dtype);
  }
  return NDArray.from(value, dtype);
}
