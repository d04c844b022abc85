import type { BinaryArgs, BinaryOp, TypedArray } from '../../interface';
import { binaryCode, binaryRow } from './binary-loops';
import { collapseDims } from '../../collapse-dims';

/**
 * Broadcasting binary op. After collapsing, a same-shape or scalar-operand op is a single row, and
 * [rows, cols] with a row or column vector is one row per output row; deeper layouts walk an
 * odometer over the outer dims. Each row goes to a tight per-op loop (see binary-loops.ts).
 */
export function binaryKernel(
  op: BinaryOp,
  a: TypedArray,
  b: TypedArray,
  out: TypedArray,
  integerInputs: boolean,
  args: BinaryArgs,
): void {
  const total = out.length;
  if (total === 0) return;
  const code = binaryCode(op, integerInputs);
  const layout = collapseDims(args.shape, [args.aStrides, args.bStrides]);
  const shape = layout.shape;
  const [aStrides, bStrides] = layout.strides;
  const rank = shape.length;
  if (rank === 0) {
    binaryRow(code, a, 0, 1, b, 0, 1, out, 0, 1);
    return;
  }
  const rowLength = shape[rank - 1];
  const aStep = aStrides[rank - 1];
  const bStep = bStrides[rank - 1];
  if (rank === 1) {
    binaryRow(code, a, 0, aStep, b, 0, bStep, out, 0, rowLength);
    return;
  }

  const outerRank = rank - 1;
  const index = new Int32Array(outerRank);
  let aOffset = 0;
  let bOffset = 0;
  for (let o = 0; o < total; o += rowLength) {
    binaryRow(code, a, aOffset, aStep, b, bOffset, bStep, out, o, rowLength);
    for (let d = outerRank - 1; d >= 0; d--) {
      aOffset += aStrides[d];
      bOffset += bStrides[d];
      if (++index[d] < shape[d]) break;
      aOffset -= aStrides[d] * shape[d];
      bOffset -= bStrides[d] * shape[d];
      index[d] = 0;
    }
  }
}
