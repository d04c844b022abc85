/**
 * Shape simplification shared by the backends' strided kernels: drops size-1 dims and merges
 * adjacent dims that every operand walks contiguously, so the odometers run over as few, long rows
 * as possible. Callers may hand in shapes that are already collapsed; doing it again costs O(rank).
 */
export interface CollapsedLayout {
  readonly shape: number[];
  /** One stride list per operand, aligned with `shape`. */
  readonly strides: number[][];
}

export function collapseDims(shape: readonly number[], operandStrides: readonly (readonly number[])[]): CollapsedLayout {
  const dims: number[] = [];
  const strides: number[][] = operandStrides.map(() => []);
  // Walk from the innermost dim outwards so each dim can merge into the run collected so far.
  for (let d = shape.length - 1; d >= 0; d--) {
    const size = shape[d];
    if (size === 1) continue;
    const last = dims.length - 1;
    let mergeable = last >= 0;
    for (let k = 0; k < operandStrides.length && mergeable; k++) {
      mergeable = operandStrides[k][d] === strides[k][last] * dims[last];
    }
    if (mergeable) {
      dims[last] *= size;
    } else {
      dims.push(size);
      for (let k = 0; k < operandStrides.length; k++) strides[k].push(operandStrides[k][d]);
    }
  }
  dims.reverse();
  for (const s of strides) s.reverse();
  // The kernels want rank >= 1: a single element is a one-element row.
  if (dims.length === 0) return { shape: [1], strides: operandStrides.map(() => [0]) };
  return { shape: dims, strides };
}
