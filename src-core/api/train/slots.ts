/**
 * Optimizer state as ordinary Variables (so it lives on the backend and the Saver saves it), named as in
 * TF-1: a slot of `W` for Adam is `W/Adam`, the next one `W/Adam_1`; Momentum's is `W/Momentum`.
 */
import { isFullyDefined } from '../../graph/shape';
import type { Graph } from '../../graph/graph';
import * as m from '../math-core';
import { declareVariable, type Variable } from '../variables';

/**
 * A slot shaped like `primary`, holding `value` everywhere (0 for most optimizers; RMSProp's `rms` starts
 * at 1, Adagrad's accumulator at its initial value). If `primary`'s shape is not known yet (a tinyflow layer
 * weight), the slot takes its dims from it once it has been assigned. Slots hold `value` even when no
 * initializer ran: tinyflow programs initialise only their weights.
 */
export function createSlot(primary: Variable, optimizerName: string, value = 0): Variable {
  const shape = primary.shape ?? [];
  const known = isFullyDefined(shape);
  const likePrimary = () => (value === 0 ? m.zerosLike(primary) : m.add(m.zerosLike(primary), value));
  return declareVariable({
    name: `${primary.op.name}/${optimizerName}`,
    shape: [...shape],
    dtype: primary.dtype,
    trainable: false,
    dimSources: known ? undefined : shape.map((d, axis) => (d === null ? { tensor: primary.name, axis } : null)),
    defaultFill: value,
    initialValue: known ? m.fill(shape, value, primary.dtype) : likePrimary(),
    graph: primary.graph,
  });
}

/** A scalar float32 optimizer variable not tied to one weight (Adam's `beta1_power`), starting at `value`. */
export function createScalarState(graph: Graph, name: string, value: number): Variable {
  return declareVariable({
    name,
    shape: [],
    trainable: false,
    defaultFill: value,
    initialValue: m.fill([], value, 'float32'),
    graph,
  });
}
