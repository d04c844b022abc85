/**
 * Optimizer state as ordinary Variables (so it lives on the backend and the Saver saves it), named as in
 * TF-1: a slot of `W` for Adam is `W/Adam`, the next one `W/Adam_1`; Momentum's is `W/Momentum`.
 */
import { isFullyDefined } from '../../graph/shape';
import type { Graph } from '../../graph/graph';
import * as m from '../math-core';
import { declareVariable, type Variable } from '../variables';

/**
 * A zero-initialised slot shaped like `primary`. If `primary`'s shape is not known yet (a tinyflow layer
 * weight), the slot takes its dims from it once it has been assigned. Slots start at zero even when no
 * initializer ran: tinyflow programs initialise only their weights.
 */
export function createSlot(primary: Variable, optimizerName: string): Variable {
  const shape = primary.shape ?? [];
  const known = isFullyDefined(shape);
  return declareVariable({
    name: `${primary.op.name}/${optimizerName}`,
    shape: [...shape],
    dtype: primary.dtype,
    trainable: false,
    dimSources: known ? undefined : shape.map((d, axis) => (d === null ? { tensor: primary.name, axis } : null)),
    defaultFill: 0,
    initialValue: known ? m.fill(shape, 0, primary.dtype) : m.zerosLike(primary),
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
