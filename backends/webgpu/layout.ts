/**
 * Merges adjacent dims that every operand walks contiguously and drops size-1 dims, so shaders see
 * the lowest rank class possible (the compiler usually merges already; unmerged descriptors are legal).
 */
export interface Layout {
  readonly shape: number[];
  readonly strides: number[][];
}

export function collapseDims(shape: readonly number[], operandStrides: readonly (readonly number[])[]): Layout {
  const dims: number[] = [];
  const strides: number[][] = operandStrides.map(() => []);
  for (let d = shape.length - 1; d >= 0; d--) {
    if (shape[d] === 1) continue;
    const last = dims.length - 1;
    const mergeable = last >= 0 && operandStrides.every((s, k) => s[d] === strides[k][last] * dims[last]);
    if (mergeable) {
      dims[last] *= shape[d];
    } else {
      dims.push(shape[d]);
      operandStrides.forEach((s, k) => strides[k].push(s[d]));
    }
  }
  // A single element (every dim size 1) is still one dim for the shaders.
  if (dims.length === 0) return { shape: [1], strides: operandStrides.map(() => [0]) };
  return { shape: dims.reverse(), strides: strides.map((s) => s.reverse()) };
}

export function contiguousStrides(shape: readonly number[]): number[] {
  const strides = new Array<number>(shape.length);
  for (let d = shape.length - 1, s = 1; d >= 0; d--) {
    strides[d] = s;
    s *= shape[d];
  }
  return strides;
}
