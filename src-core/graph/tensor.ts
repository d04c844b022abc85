import type { DType } from './dtype';
import type { Shape } from './shape';
import { formatShape } from './shape';
import type { Operation } from './operation';

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

  /** TF-1 spelling of `shape`; unknown dims are `null`, unknown rank is `null`. */
  get_shape(): Shape {
    return this.shape === null ? null : [...this.shape];
  }

  toString(): string {
    return `Tensor("${this.name}", shape=${formatShape(this.shape)}, dtype=${this.dtype})`;
  }
}

export function isTensor(value: unknown): value is Tensor {
  return value instanceof Tensor;
}
