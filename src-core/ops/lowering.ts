/**
 * Lowering helpers: turn an op's concrete shapes into the simplified descriptors of the backend
 * interface (merged dims, broadcast strides, [outer, reduce, inner] views) once, at compile time.
 */
import type { BackendBuffer, BinaryArgs, MatMulArgs, BinaryOp, ReduceOp, StridedCopyArgs, UnaryOp, ArgReduceOp } from '../../backends/interface';
import { typedArrayFrom, type DType } from '../graph/dtype';
import { numElements, stridesOf } from '../graph/shape';
import type { LowerContext, Port } from './op-def';

/**
 * Broadcast strides of each input over `outShape`, with adjacent dims merged when every input
 * continues its pattern across them (contiguous, or broadcast, alike), so backends mostly see rank 1
 * or 2. Size-1 output dims are dropped; an all-size-1 output is rank 1 with stride 0.
 */
export function mergedBroadcastStrides(
  inputShapes: readonly (readonly number[])[], outShape: readonly number[],
): { shape: number[]; strides: number[][] } {
  const rank = outShape.length;
  const full = inputShapes.map((s) => {
    const padded = [...new Array<number>(rank - s.length).fill(1), ...s];
    return stridesOf(padded).map((st, i) => (padded[i] === 1 ? 0 : st));
  });
  const shape: number[] = [];
  const strides: number[][] = inputShapes.map(() => []);
  for (let i = 0; i < rank; i++) {
    if (outShape[i] === 1) continue; // size-1 dims contribute nothing
    const last = shape.length - 1;
    // Merge dim i into the previous one when each input's stride continues its pattern.
    if (last >= 0 && full.every((st, j) => strides[j][last] === st[i] * outShape[i])) {
      shape[last] *= outShape[i];
      full.forEach((st, j) => (strides[j][last] = st[i]));
    } else {
      shape.push(outShape[i]);
      full.forEach((st, j) => strides[j].push(st[i]));
    }
  }
  if (shape.length === 0) return { shape: [1], strides: inputShapes.map(() => [0]) };
  return { shape, strides };
}

/** The binary primitive's descriptor: `a` and `b` broadcast over `outShape` (see mergedBroadcastStrides). */
export function binaryArgs(aShape: readonly number[], bShape: readonly number[], outShape: readonly number[]): BinaryArgs {
  const { shape, strides } = mergedBroadcastStrides([aShape, bShape], outShape);
  return { shape, aStrides: strides[0], bStrides: strides[1] };
}

export function emitBinary(ctx: LowerContext, op: BinaryOp, a: Port, b: Port, out: Port): void {
  const args = binaryArgs(a.shape, b.shape, out.shape);
  const { backend } = ctx;
  const [ab, bb, ob] = [a.buffer, b.buffer, out.buffer];
  if (out.buffer.size === 0) return;
  ctx.emit(() => backend.binary(op, ab, bb, ob, args));
}

export function emitUnary(ctx: LowerContext, op: UnaryOp, x: Port, out: Port): void {
  const { backend } = ctx;
  const [xb, ob] = [x.buffer, out.buffer];
  if (ob.size === 0) return;
  ctx.emit(() => backend.unary(op, xb, ob));
}

export function emitFill(ctx: LowerContext, out: Port, value: number): void {
  const { backend } = ctx;
  const ob = out.buffer;
  if (ob.size === 0) return;
  ctx.emit(() => backend.fill(ob, value));
}

/**
 * Strided copy of `x` viewed through `strides`/`offset` into contiguous `out`, with dims merged
 * where the source is contiguous across them.
 */
export function stridedCopyArgs(shape: readonly number[], strides: readonly number[], offset = 0): StridedCopyArgs {
  const s: number[] = [];
  const st: number[] = [];
  for (let i = 0; i < shape.length; i++) {
    if (shape[i] === 1) continue;
    const last = s.length - 1;
    if (last >= 0 && st[last] === strides[i] * shape[i]) {
      s[last] *= shape[i];
      st[last] = strides[i];
    } else {
      s.push(shape[i]);
      st.push(strides[i]);
    }
  }
  if (s.length === 0) return { shape: [1], strides: [0], offset };
  return { shape: s, strides: st, offset };
}

export function emitStridedCopy(ctx: LowerContext, x: Port, out: Port, args: StridedCopyArgs): void {
  const { backend } = ctx;
  const [xb, ob] = [x.buffer, out.buffer];
  if (ob.size === 0) return;
  ctx.emit(() => backend.stridedCopy(xb, ob, args));
}

export function emitTranspose(ctx: LowerContext, x: Port, perm: readonly number[], out: Port): void {
  const inStrides = stridesOf(x.shape);
  emitStridedCopy(ctx, x, out, stridedCopyArgs(perm.map((p) => x.shape[p]), perm.map((p) => inStrides[p])));
}

/** Copies `x` broadcast (numpy rules) to `out`'s shape. */
export function emitBroadcastTo(ctx: LowerContext, x: Port, out: Port): void {
  const { aStrides, shape } = binaryArgs(x.shape, x.shape.length === 0 ? [] : x.shape, out.shape);
  emitStridedCopy(ctx, x, out, { shape, strides: aStrides, offset: 0 });
}

/**
 * Reduces `x` over `axes` (sorted, unique) into `out` (same element count as the kept dims).
 * Adjacent reduced axes merge into one call; separated groups are reduced one after another,
 * innermost first, through plan-owned scratch buffers.
 */
export function emitReduce(ctx: LowerContext, op: ReduceOp, x: Port, axes: readonly number[], out: Port): void {
  emitReductionChain(ctx, x, axes, out, (src, dst, dims) => {
    const { backend } = ctx;
    ctx.emit(() => backend.reduce(op, src, dst, dims));
  });
}

export function emitArgReduce(ctx: LowerContext, op: ArgReduceOp, x: Port, axis: number, out: Port): void {
  const [outer, reduce, inner] = splitAt(x.shape, axis, axis + 1);
  const { backend } = ctx;
  const [xb, ob] = [x.buffer, out.buffer];
  if (ob.size === 0) return;
  ctx.emit(() => backend.argReduce(op, xb, ob, { outer, reduce, inner }));
}

type ReduceCall = (src: Port['buffer'], dst: Port['buffer'], dims: { outer: number; reduce: number; inner: number }) => void;

function emitReductionChain(ctx: LowerContext, x: Port, axes: readonly number[], out: Port, call: ReduceCall): void {
  if (out.buffer.size === 0) return;
  // Group consecutive axes: each group is one [outer, reduce, inner] call.
  const groups: [number, number][] = [];
  for (const a of axes) {
    const g = groups[groups.length - 1];
    if (g && g[1] === a) g[1] = a + 1;
    else groups.push([a, a + 1]);
  }
  if (groups.length === 0) {
    const { backend } = ctx;
    const [xb, ob] = [x.buffer, out.buffer];
    ctx.emit(() => backend.unary('identity', xb, ob));
    return;
  }
  let shape = [...x.shape];
  let src = x.buffer;
  for (let gi = groups.length - 1; gi >= 0; gi--) {
    const [start, end] = groups[gi];
    const [outer, reduce, inner] = splitAt(shape, start, end);
    const isLast = gi === 0;
    const dst = isLast ? out.buffer : ctx.temp(x.dtype, outer * inner);
    call(src, dst, { outer, reduce, inner });
    shape = [...shape.slice(0, start), ...shape.slice(end)];
    src = dst;
  }
}

/** Sizes of shape[0:start], shape[start:end], shape[end:]. */
export function splitAt(shape: readonly number[], start: number, end: number): [number, number, number] {
  return [numElements(shape.slice(0, start)), numElements(shape.slice(start, end)), numElements(shape.slice(end))];
}

/** Emits one matmul; omitted fields default to a single, untransposed, unbatched product. */
export function emitMatMul(
  ctx: LowerContext, a: BackendBuffer, b: BackendBuffer, out: BackendBuffer, args: Partial<MatMulArgs> & { m: number; n: number; k: number },
): void {
  if (out.size === 0) return;
  const full: MatMulArgs = { batch: 1, transposeA: false, transposeB: false, aBatchStride: 0, bBatchStride: 0, ...args };
  const { backend } = ctx;
  ctx.emit(() => backend.matmul(a, b, out, full));
}

/** A strided copy in its general form, before simplification (see StridedCopyArgs). */
export interface CopyView {
  shape: readonly number[];
  strides: readonly number[];
  offset: number;
  /** Absent: the output is written contiguously. */
  outStrides?: readonly number[];
  outOffset?: number;
  accumulate?: boolean;
}

/**
 * Simplifies a two-sided strided copy: size-1 dims dropped, adjacent dims merged where both the read
 * and the write continue their pattern. A write that turns out to cover the whole `outSize`-element
 * output contiguously loses its outStrides, so backends take their plain-gather fast paths.
 */
export function copyArgs(view: CopyView, outSize: number): StridedCopyArgs {
  const outStrides = view.outStrides ?? stridesOf(view.shape);
  const s: number[] = [];
  const st: number[] = [];
  const os: number[] = [];
  for (let i = 0; i < view.shape.length; i++) {
    const d = view.shape[i];
    if (d === 1) continue;
    const last = s.length - 1;
    if (last >= 0 && st[last] === view.strides[i] * d && os[last] === outStrides[i] * d) {
      s[last] *= d;
      st[last] = view.strides[i];
      os[last] = outStrides[i];
    } else {
      s.push(d);
      st.push(view.strides[i]);
      os.push(outStrides[i]);
    }
  }
  if (s.length === 0) {
    s.push(1);
    st.push(0);
    os.push(0);
  }
  const outOffset = view.outOffset ?? 0;
  const dense = stridesOf(s);
  const contiguous = outOffset === 0 && outSize === numElements(s) && os.every((v, i) => v === dense[i]);
  const base = { shape: s, strides: st, offset: view.offset };
  if (contiguous && !view.accumulate) return base;
  return { ...base, outStrides: os, outOffset, ...(view.accumulate ? { accumulate: true } : {}) };
}

/** Emits one strided copy between two buffers (nothing when the view is empty). */
export function emitCopy(ctx: LowerContext, x: BackendBuffer, out: BackendBuffer, view: CopyView): void {
  if (numElements(view.shape) === 0) return;
  const args = copyArgs(view, out.size);
  const { backend } = ctx;
  ctx.emit(() => backend.stridedCopy(x, out, args));
}

/**
 * A plan-owned buffer holding compile-time values (an iota, window counts): written once when the plan
 * is built, never by a step.
 */
export function emitConstant(ctx: LowerContext, dtype: DType, shape: readonly number[], values: ArrayLike<number>): Port {
  const buffer = ctx.constant(dtype, numElements(shape));
  const data = typedArrayFrom(dtype, values);
  const { backend } = ctx;
  if (buffer.size > 0) ctx.init(() => backend.write(buffer, data));
  return { buffer, shape: [...shape], dtype };
}

/** [0, 1, ..., n-1] as a compile-time constant of `dtype`, shaped `shape` (n elements). */
export function emitIota(ctx: LowerContext, dtype: DType, shape: readonly number[]): Port {
  return emitConstant(ctx, dtype, shape, Array.from({ length: numElements(shape) }, (_, i) => i));
}
