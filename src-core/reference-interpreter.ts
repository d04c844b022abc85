/**
 * Evaluates a graph with the ops' float64 reference kernels: the oracle that tests compare backends
 * against, and the exact arithmetic gradient checks difference.
 */
import { InvalidArgumentError, FailedPreconditionError } from './errors';
import type { Operation } from './graph/operation';
import type { Tensor } from './graph/tensor';
import { NDArray } from './ndarray';
import type { RefArray } from './ops/op-def';
import { pruneToFetches } from './compile/prune';
import { typedArrayFrom } from './graph/dtype';

export function refFromNDArray(x: NDArray): RefArray {
  return { shape: [...x.shape], dtype: x.dtype, data: Float64Array.from(x.data) };
}

export function refToNDArray(x: RefArray): NDArray {
  return new NDArray(typedArrayFrom(x.dtype, x.data), x.shape, x.dtype);
}

export interface ReferenceState {
  /** Variable values, updated in place by Assign ops. */
  variables: Map<Operation, RefArray>;
}

export function evaluateReference(
  fetches: Tensor[],
  feeds: Map<Tensor, RefArray>,
  state: ReferenceState = { variables: new Map() },
  targets: Operation[] = [],
): RefArray[] {
  const order = pruneToFetches(fetches, targets, new Set(feeds.keys()));
  const values = new Map<Tensor, RefArray>(feeds);
  for (const op of order) {
    if (op.type === 'Placeholder') {
      throw new InvalidArgumentError(`Placeholder '${op.name}': no feed for '${op.outputs[0].name}'`);
    }
    if (op.type === 'VariableV2') {
      const v = state.variables.get(op);
      if (v) values.set(op.outputs[0], v);
      continue;
    }
    const inputs = op.inputs.map((t) => {
      const v = values.get(t);
      if (!v) {
        if (t.op.type === 'VariableV2') throw new FailedPreconditionError(`VariableV2 '${t.op.name}': uninitialized in the reference state`);
        throw new InvalidArgumentError(`reference: input '${t.name}' of '${op.name}' has no value`);
      }
      return v;
    });
    const outs = op.def.reference(inputs, op.attrs, { type: op.type, name: op.name });
    if (op.type === 'Assign') {
      const value = { ...outs[0], data: Float64Array.from(outs[0].data) };
      state.variables.set(op.inputs[0].op, value);
      values.set(op.inputs[0], value);
      values.set(op.outputs[0], value);
      continue;
    }
    op.outputs.forEach((t, i) => {
      if (!values.has(t)) values.set(t, outs[i]);
    });
  }
  return fetches.map((t) => {
    const v = values.get(t);
    if (!v) throw new InvalidArgumentError(`reference: fetch '${t.name}' was not computed`);
    return v;
  });
}
