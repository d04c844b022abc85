import type { DType } from './dtype';
import type { Dim, Shape } from './shape';
import { formatShape } from './shape';
import type { Operation } from './operation';
import { InvalidArgumentError } from '../errors';

/** TF-1's TensorShape: the static shape of a tensor, possibly with unknown dims or an unknown rank. */
export class TensorShape {
  /** The dims (null where unknown), or null for an unknown rank. */
  readonly dims: readonly Dim[] | null;

  constructor(shape: Shape) {
    this.dims = shape === null ? null : [...shape];
  }

  /** The dims as a list (null where unknown); an unknown rank has no list, as in TF-1. */
  as_list(): Dim[] {
    if (this.dims === null) throw new InvalidArgumentError('TensorShape.as_list: the rank of this shape is unknown');
    return [...this.dims];
  }

  /** The rank, or null when unknown. */
  get ndims(): number | null {
    return this.dims === null ? null : this.dims.length;
  }

  is_fully_defined(): boolean {
    return this.dims !== null && this.dims.every((d) => d !== null);
  }

  toString(): string {
    return formatShape(this.dims === null ? null : [...this.dims]);
  }
}

/**
 * A symbolic value: output `index` of operation `op`. It holds no data; `Session.run` computes it.
 * The arithmetic methods (`add`, `sub`, `mul`, ...) are installed by `src-core/api/tensor-methods.ts`.
 */
export class Tensor {
  readonly op: Operation;
  readonly index: number;
  readonly dtype: DType;
  readonly shape: Shape;

  constructor(op: Operation, index: number, dtype: DType, shape: Shape) {
    this.op = op;
    this.index = index;
    this.dtype = dtype;
    this.shape = shape;
  }

  /** TF-1's tensor name, `op_name:index`. */
  get name(): string {
    return `${this.op.name}:${this.index}`;
  }

  get graph() {
    return this.op.graph;
  }

  /** TF-1's `t.get_shape()`: a TensorShape, whose `as_list()` gives the dims (null where unknown). */
  get_shape(): TensorShape {
    return new TensorShape(this.shape);
  }

  /**
   * The tensor's name, so a JS computed key `{[x]: batch}` in a feed_dict is the name that the
   * name-keyed feed_dict looks up. `describe()` gives TF-1's longer printout.
   */
  toString(): string {
    return this.name;
  }

  /** TF-1's printout: `Tensor("MatMul:0", shape=(?, 10), dtype=float32)`. */
  describe(): string {
    return `Tensor("${this.name}", shape=${formatShape(this.shape)}, dtype=${this.dtype})`;
  }
}

export function isTensor(value: unknown): value is Tensor {
  return value instanceof Tensor;
}
