import { getDefaultGraph, type Graph } from '../graph/graph';
import type { Tensor } from '../graph/tensor';
import type { Operation } from '../graph/operation';
import type { Attrs, OpDef } from './op-def';

/** The graph an op on these inputs belongs to: the inputs' graph, else the default one. */
export function graphOf(inputs: readonly Tensor[]): Graph {
  return inputs.length > 0 ? inputs[0].graph : getDefaultGraph();
}

export function createOp<A extends Attrs>(def: OpDef<A>, inputs: Tensor[], attrs: A, name?: string): Operation<A> {
  return graphOf(inputs).createOp(def, inputs, attrs, name === undefined ? {} : { name });
}

/** Creates an op with one output and returns that output. */
export function apply<A extends Attrs>(def: OpDef<A>, inputs: Tensor[], attrs: A, name?: string): Tensor {
  return createOp(def, inputs, attrs, name).outputs[0];
}
