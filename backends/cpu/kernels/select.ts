/** select: out[i] = cond[i·condStrides] ? a[i·aStrides] : b[i·bStrides] over a broadcast shape. */
import type { SelectArgs, TypedArray } from '../../interface';

export function selectKernel(cond: Uint8Array, a: TypedArray, b: TypedArray, out: TypedArray, args: SelectArgs): void {
  const { shape, condStrides, aStrides, bStrides } = args;
  const rank = shape.length;
  const index = new Array<number>(rank).fill(0);
  let c = 0;
  let ai = 0;
  let bi = 0;
  for (let i = 0; i < out.length; i++) {
    out[i] = cond[c] !== 0 ? a[ai] : b[bi];
    for (let d = rank - 1; d >= 0; d--) {
      c += condStrides[d];
      ai += aStrides[d];
      bi += bStrides[d];
      if (++index[d] < shape[d]) break;
      c -= condStrides[d] * shape[d];
      ai -= aStrides[d] * shape[d];
      bi -= bStrides[d] * shape[d];
      index[d] = 0;
    }
  }
}
