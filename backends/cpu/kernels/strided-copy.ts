import type { StridedCopyArgs, TypedArray } from '../../interface';
import { collapseDims } from '../../collapse-dims';

/** Tile edge for blocked transposes: a 32x32 tile of reads and writes stays within L1. */
const TILE = 32;

/**
 * out[outOffset + sum(idx_k * outStrides[k])] (+)= x[offset + sum(idx_k * strides[k])].
 *
 * A plain gather (contiguous output, no accumulation) keeps the dedicated fast paths: after collapsing,
 * a contiguous slice is one TypedArray.set, a broadcast is a fill, a (batched) 2-D transpose is copied
 * in cache tiles, and everything else runs an odometer over the outer dims with a tight innermost loop.
 * Strided writes (padding, concatenation, col2im) and accumulation go through the same odometer with
 * both operands' strides collapsed together.
 */
export function stridedCopyKernel(x: TypedArray, out: TypedArray, args: StridedCopyArgs): void {
  const accumulate = args.accumulate === true;
  const outOffset = args.outOffset ?? 0;
  if (args.outStrides === undefined && !accumulate && outOffset === 0) {
    gather(x, out, args);
    return;
  }
  let count = 1;
  for (const d of args.shape) count *= d;
  if (count === 0) return;
  const outStrides = args.outStrides ?? contiguousStrides(args.shape);
  const layout = collapseDims(args.shape, [args.strides, outStrides]);
  scatter(x, out, layout.shape, layout.strides[0], layout.strides[1], args.offset, outOffset, accumulate);
}

function contiguousStrides(shape: readonly number[]): number[] {
  const strides = new Array<number>(shape.length);
  for (let d = shape.length - 1, s = 1; d >= 0; d--) {
    strides[d] = s;
    s *= shape[d];
  }
  return strides;
}

/** The contiguous-output copy: out[i] = x[offset + sum(idx_k * strides[k])]. */
function gather(x: TypedArray, out: TypedArray, args: StridedCopyArgs): void {
  const total = out.length;
  if (total === 0) return;
  const layout = collapseDims(args.shape, [args.strides]);
  const shape = layout.shape;
  const strides = layout.strides[0];
  const rank = shape.length;
  if (rank === 0) {
    out[0] = x[args.offset];
    return;
  }
  if (rank >= 2 && strides[rank - 2] === 1 && strides[rank - 1] !== 1 && strides[rank - 1] !== 0) {
    copyTransposedTiles(x, out, shape, strides, args.offset);
    return;
  }

  const rowLength = shape[rank - 1];
  const step = strides[rank - 1];
  const outerRank = rank - 1;
  const index = new Int32Array(outerRank);
  let offset = args.offset;
  for (let o = 0; o < total; o += rowLength) {
    copyRow(x, offset, step, out, o, rowLength);
    for (let d = outerRank - 1; d >= 0; d--) {
      offset += strides[d];
      if (++index[d] < shape[d]) break;
      offset -= strides[d] * shape[d];
      index[d] = 0;
    }
  }
}

/** Rows shorter than this are copied by a loop: subarray+set has a fixed cost that only pays off on long rows. */
const SET_THRESHOLD = 64;

function copyRow(x: TypedArray, from: number, step: number, out: TypedArray, to: number, length: number): void {
  if (step === 1) {
    if (length >= SET_THRESHOLD) out.set(x.subarray(from, from + length), to);
    else for (let i = 0; i < length; i++) out[to + i] = x[from + i];
  } else if (step === 0) {
    out.fill(x[from], to, to + length);
  } else {
    for (let i = 0; i < length; i++, from += step) out[to + i] = x[from];
  }
}

/**
 * The general form, over already-collapsed dims: an odometer over the outer dims, one row per step.
 * Overwriting rows reuse copyRow's set/fill fast paths when the output row is contiguous.
 */
function scatter(
  x: TypedArray, out: TypedArray, shape: readonly number[], inStrides: readonly number[], outStrides: readonly number[],
  inOffset: number, outOffset: number, accumulate: boolean,
): void {
  const rank = shape.length;
  if (rank === 0) {
    // Every dim had size 1: a single element.
    if (accumulate) addRow(x, inOffset, 0, out, outOffset, 0, 1);
    else out[outOffset] = x[inOffset];
    return;
  }
  const rowLength = shape[rank - 1];
  const inStep = inStrides[rank - 1];
  const outStep = outStrides[rank - 1];
  const outerRank = rank - 1;
  let rows = 1;
  for (let d = 0; d < outerRank; d++) rows *= shape[d];
  const index = new Int32Array(outerRank);
  let from = inOffset;
  let to = outOffset;
  for (let r = 0; r < rows; r++) {
    if (accumulate) addRow(x, from, inStep, out, to, outStep, rowLength);
    else if (outStep === 1) copyRow(x, from, inStep, out, to, rowLength);
    else for (let i = 0, f = from, t = to; i < rowLength; i++, f += inStep, t += outStep) out[t] = x[f];
    for (let d = outerRank - 1; d >= 0; d--) {
      from += inStrides[d];
      to += outStrides[d];
      if (++index[d] < shape[d]) break;
      from -= inStrides[d] * shape[d];
      to -= outStrides[d] * shape[d];
      index[d] = 0;
    }
  }
}

/**
 * out[to + i*outStep] += x[from + i*inStep]. Float32 adds round once per add; int32 wraps (the typed
 * array store reduces modulo 2^32); bool ORs, since a Uint8Array would store 1 + 1 as 2.
 */
function addRow(x: TypedArray, from: number, inStep: number, out: TypedArray, to: number, outStep: number, length: number): void {
  if (out instanceof Uint8Array) {
    for (let i = 0; i < length; i++, from += inStep, to += outStep) out[to] |= x[from];
  } else if (inStep === 1 && outStep === 1) {
    for (let i = 0; i < length; i++) out[to + i] += x[from + i];
  } else {
    for (let i = 0; i < length; i++, from += inStep, to += outStep) out[to] += x[from];
  }
}

/**
 * The last two dims read as a transpose (the second-to-last walks x contiguously, the last strides):
 * copying TILE x TILE blocks keeps both the strided reads and the contiguous writes in cache.
 */
function copyTransposedTiles(
  x: TypedArray, out: TypedArray, shape: readonly number[], strides: readonly number[], offset: number,
): void {
  const rank = shape.length;
  const rows = shape[rank - 2];
  const cols = shape[rank - 1];
  const colStride = strides[rank - 1];
  const matrixSize = rows * cols;
  const batchRank = rank - 2;
  const index = new Int32Array(batchRank);
  for (let o = 0; o < out.length; o += matrixSize) {
    for (let r0 = 0; r0 < rows; r0 += TILE) {
      const r1 = Math.min(r0 + TILE, rows);
      for (let c0 = 0; c0 < cols; c0 += TILE) {
        const c1 = Math.min(c0 + TILE, cols);
        for (let r = r0; r < r1; r++) {
          const rowOut = o + r * cols;
          for (let c = c0, from = offset + r + c0 * colStride; c < c1; c++, from += colStride) out[rowOut + c] = x[from];
        }
      }
    }
    for (let d = batchRank - 1; d >= 0; d--) {
      offset += strides[d];
      if (++index[d] < shape[d]) break;
      offset -= strides[d] * shape[d];
      index[d] = 0;
    }
  }
}
