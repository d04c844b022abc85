import type { Graph } from './graph';
import type { Tensor } from './tensor';
import type { OpDef, Attrs } from '../ops/op-def';

/** A node of the graph: an op type applied to input tensors, producing output tensors. */
export class Operation<A extends Attrs = Attrs> {
  readonly graph: Graph;
  /** Creation order within the graph; also a stable key. */
  readonly id: number;
  readonly type: string;
  readonly name: string;
  readonly inputs: readonly Tensor[];
  readonly attrs: A;
  readonly controlInputs: readonly Operation[];
  readonly def: OpDef<A>;
  outputs: Tensor[] = [];

  constructor(graph: Graph, id: number, def: OpDef<A>, name: string, inputs: Tensor[], attrs: A, controlInputs: Operation[]) {
    this.graph = graph;
    this.id = id;
    this.def = def;
    this.type = def.type;
    this.name = name;
    this.inputs = inputs;
    this.attrs = attrs;
    this.controlInputs = controlInputs;
  }

  toString(): string {
    return `Operation("${this.name}", type=${this.type})`;
  }
}

export function isOperation(value: unknown): value is Operation {
  return value instanceof Operation;
}
