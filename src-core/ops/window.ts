/**
 * Sliding-window geometry shared by Conv2D and the pools: TF-1's attribute checks, output sizes and
 * SAME padding split, and the two strided-copy patterns everything lowers to — im2col (gather every
 * window into a patch tensor with ONE strided copy) and col2im (scatter-add patches back, one
 * accumulating copy per window offset (kh, kw), whose writes never repeat within a call).
 */
import type { BackendBuffer } from '../../backends/interface';
import type { Dim, Shape } from '../graph/shape';
import { formatShape, numElements } from '../graph/shape';
import type { LowerContext, NodeInfo, Port } from './op-def';
import { copyArgs, emitCopy } from './lowering';
import { opError } from './support';

export type Padding = 'SAME' | 'VALID';
export type DataFormat = 'NHWC' | 'NCHW';

export interface WindowAttrs {
  /** Per-dim strides in the data format's order; batch and channel strides must be 1. */
  strides: number[];
  padding: Padding;
  data_format: DataFormat;
}

/** Positions of H, W and C in a 4-D shape of `format` (N is always 0). */
export function formatAxes(format: DataFormat): { h: number; w: number; c: number } {
  return format === 'NHWC' ? { h: 1, w: 2, c: 3 } : { h: 2, w: 3, c: 1 };
}

/** Checks a 4-entry per-dim list (strides, ksize, dilations): positive integers, 1 on batch and channel. */
export function checkFourTuple(node: NodeInfo, what: string, v: readonly number[], format: DataFormat, batchChannelOne = true): void {
  if (!Array.isArray(v) || v.length !== 4 || v.some((s) => !Number.isInteger(s) || s < 1)) {
    throw opError(node, `${what} must be 4 positive integers, got ${JSON.stringify(v)}`);
  }
  const { c } = formatAxes(format);
  if (batchChannelOne && (v[0] !== 1 || v[c] !== 1)) {
    throw opError(node, `${what} ${formatShape(v)} must be 1 in the batch and channel dims (${format})`);
  }
}

/** Windowed ops compute in float32 only. */
export function checkFloat(node: NodeInfo, specs: { dtype: string }[], names: string[]): void {
  specs.forEach((s, i) => {
    if (s.dtype !== 'float32') throw opError(node, `expects a float32 ${names[i]}, got ${s.dtype}`);
  });
}

export function checkWindowAttrs(node: NodeInfo, attrs: WindowAttrs): void {
  if (attrs.data_format !== 'NHWC' && attrs.data_format !== 'NCHW') {
    throw opError(node, `data_format must be 'NHWC' or 'NCHW', got '${String(attrs.data_format)}'`);
  }
  if (attrs.padding !== 'SAME' && attrs.padding !== 'VALID') {
    throw opError(node, `padding must be 'SAME' or 'VALID', got '${String(attrs.padding)}'`);
  }
  checkFourTuple(node, 'strides', attrs.strides, attrs.data_format);
}

/** One spatial dim's kernel, stride and dilation. */
export interface DimWindow {
  k: number;
  s: number;
  d: number;
}

/**
 * TF's windowed output size: SAME gives ceil(size / s) with total padding split floor(total/2) before,
 * the rest after; VALID gives floor((size - effective) / s) + 1 and needs size >= the effective kernel.
 */
export function windowDim(size: number, w: DimWindow, padding: Padding, node: NodeInfo, what: string): { out: number; before: number } {
  const eff = (w.k - 1) * w.d + 1;
  if (padding === 'SAME') {
    const out = Math.ceil(size / w.s);
    const total = Math.max((out - 1) * w.s + eff - size, 0);
    return { out, before: Math.floor(total / 2) };
  }
  if (size < eff) {
    throw opError(node, `VALID ${what} window of ${eff} (kernel ${w.k}, dilation ${w.d}) is larger than the input's ${size}`);
  }
  return { out: Math.floor((size - eff) / w.s) + 1, before: 0 };
}

/** windowDim on a possibly unknown size. */
export function windowDimOrNull(size: Dim, w: DimWindow, padding: Padding, node: NodeInfo, what: string): Dim {
  return size === null ? null : windowDim(size, w, padding, node, what).out;
}

/** A rank-4 shape or an all-unknown one, checked. */
export function rank4(shape: Shape, node: NodeInfo, what: string): Dim[] {
  if (shape === null) return [null, null, null, null];
  if (shape.length !== 4) throw opError(node, `${what} must be rank 4, got shape ${formatShape(shape)}`);
  return shape;
}

/** All the concrete geometry of one windowed op. */
export interface Window {
  format: DataFormat;
  n: number;
  c: number;
  h: number;
  w: number;
  kh: number;
  kw: number;
  sh: number;
  sw: number;
  dh: number;
  dw: number;
  oh: number;
  ow: number;
  /** Padding before the first row / column; hp, wp are the padded sizes. */
  top: number;
  left: number;
  hp: number;
  wp: number;
}

export function makeWindow(format: DataFormat, x: readonly number[], hw: DimWindow, ww: DimWindow, padding: Padding, node: NodeInfo): Window {
  const ax = formatAxes(format);
  const [n, c, h, w] = [x[0], x[ax.c], x[ax.h], x[ax.w]];
  const hd = windowDim(h, hw, padding, node, 'height');
  const wd = windowDim(w, ww, padding, node, 'width');
  // The padded extent holds every window: the last one ends at (out-1)*s + (k-1)*d.
  const hp = Math.max(h + hd.before, (hd.out - 1) * hw.s + (hw.k - 1) * hw.d + 1);
  const wp = Math.max(w + wd.before, (wd.out - 1) * ww.s + (ww.k - 1) * ww.d + 1);
  return {
    format, n, c, h, w, kh: hw.k, kw: ww.k, sh: hw.s, sw: ww.s, dh: hw.d, dw: ww.d,
    oh: hd.out, ow: wd.out, top: hd.before, left: wd.before, hp, wp,
  };
}

export function isPadded(win: Window): boolean {
  return win.top > 0 || win.left > 0 || win.hp > win.h || win.wp > win.w;
}

type Axis4 = 'n' | 'h' | 'w' | 'c';

/** Element strides of a buffer holding logical [n, h, w, c] in `format`, spatially h × w. */
export function layoutStrides(format: DataFormat, c: number, h: number, w: number): Record<Axis4, number> {
  return format === 'NHWC' ? { n: h * w * c, h: w * c, w: c, c: 1 } : { n: c * h * w, c: h * w, h: w, w: 1 };
}

/** Labels of a patch tensor's dims: batch, output position, window offset, channel. */
export type PatchAxis = 'n' | 'oh' | 'ow' | 'kh' | 'kw' | 'c';
export type PatchStrides = Record<PatchAxis, number>;

export function patchSize(win: Window, axis: PatchAxis): number {
  return { n: win.n, oh: win.oh, ow: win.ow, kh: win.kh, kw: win.kw, c: win.c }[axis];
}

/** Strides of a contiguous tensor whose dims are `order`. */
export function denseStrides(win: Window, order: readonly PatchAxis[]): PatchStrides {
  const strides: PatchStrides = { n: 0, oh: 0, ow: 0, kh: 0, kw: 0, c: 0 };
  let s = 1;
  for (let i = order.length - 1; i >= 0; i--) {
    strides[order[i]] = s;
    s *= patchSize(win, order[i]);
  }
  return strides;
}

/**
 * The windows' source: x itself when there is no padding, else a plan-owned buffer refilled with
 * `padValue` every step (0 for conv and average, -Infinity for max) with x copied into its interior.
 */
function emitPadded(ctx: LowerContext, x: Port, win: Window, padValue: number): { buffer: BackendBuffer; strides: Record<Axis4, number> } {
  const xs = layoutStrides(win.format, win.c, win.h, win.w);
  if (!isPadded(win)) return { buffer: x.buffer, strides: xs };
  const ps = layoutStrides(win.format, win.c, win.hp, win.wp);
  const buffer = ctx.temp(x.dtype, win.n * win.c * win.hp * win.wp);
  const { backend } = ctx;
  ctx.emit(() => backend.fill(buffer, padValue));
  emitCopy(ctx, x.buffer, buffer, {
    shape: [win.n, win.h, win.w, win.c], strides: [xs.n, xs.h, xs.w, xs.c], offset: 0,
    outStrides: [ps.n, ps.h, ps.w, ps.c], outOffset: win.top * ps.h + win.left * ps.w,
  });
  return { buffer, strides: ps };
}

/**
 * im2col: patches with dims `order` (any arrangement of n, oh, ow, kh, kw, c) in ONE strided copy, as
 * patch[n, oh, ow, kh, kw, c] = P[n, oh·sh + kh·dh, ow·sw + kw·dw, c] in the padded source's layout
 * (so NCHW input needs no transpose, just other strides). When that copy would be the identity (a 1×1
 * stride-1 window over unpadded NHWC), the source buffer itself is returned.
 */
export function emitPatches(ctx: LowerContext, x: Port, win: Window, padValue: number, order: readonly PatchAxis[]): BackendBuffer {
  const p = emitPadded(ctx, x, win, padValue);
  const source: PatchStrides = {
    n: p.strides.n, oh: p.strides.h * win.sh, ow: p.strides.w * win.sw,
    kh: p.strides.h * win.dh, kw: p.strides.w * win.dw, c: p.strides.c,
  };
  const shape = order.map((a) => patchSize(win, a));
  const view = { shape, strides: order.map((a) => source[a]), offset: 0 };
  const count = numElements(shape);
  const args = copyArgs(view, count);
  if (count === p.buffer.size && args.shape.length === 1 && args.strides[0] === 1 && args.offset === 0) return p.buffer;
  const out = ctx.temp(x.dtype, count);
  emitCopy(ctx, p.buffer, out, view);
  return out;
}

/**
 * col2im, the adjoint of emitPatches: dx[n, ih, iw, c] = Σ over windows covering (ih, iw) of the
 * patch values there. `src` holds the patches with per-axis strides `srcStrides` (kh and kw may be 0
 * when every window offset reads the same value, as in the average pool's gradient). One accumulating
 * copy per (kh, kw) into a zero-filled padded buffer, then a crop into dx.
 */
export function emitCol2Im(ctx: LowerContext, src: BackendBuffer, srcStrides: PatchStrides, win: Window, dx: Port): void {
  if (dx.buffer.size === 0) return;
  const padded = isPadded(win);
  const ps = layoutStrides(win.format, win.c, padded ? win.hp : win.h, padded ? win.wp : win.w);
  const target = padded ? ctx.temp(dx.dtype, win.n * win.c * win.hp * win.wp) : dx.buffer;
  const { backend } = ctx;
  ctx.emit(() => backend.fill(target, 0));
  const s = srcStrides;
  for (let kh = 0; kh < win.kh; kh++) {
    for (let kw = 0; kw < win.kw; kw++) {
      emitCopy(ctx, src, target, {
        shape: [win.n, win.oh, win.ow, win.c], strides: [s.n, s.oh, s.ow, s.c], offset: kh * s.kh + kw * s.kw,
        outStrides: [ps.n, ps.h * win.sh, ps.w * win.sw, ps.c], outOffset: kh * win.dh * ps.h + kw * win.dw * ps.w,
        accumulate: true,
      });
    }
  }
  if (!padded) return;
  const xs = layoutStrides(win.format, win.c, win.h, win.w);
  emitCopy(ctx, target, dx.buffer, {
    shape: [win.n, win.h, win.w, win.c], strides: [ps.n, ps.h, ps.w, ps.c], offset: win.top * ps.h + win.left * ps.w,
    outStrides: [xs.n, xs.h, xs.w, xs.c], outOffset: 0,
  });
}

/** Flat index of logical (n, h, w, c) in a `format` tensor of spatial size h × w: for reference kernels. */
export function flatIndexer(format: DataFormat, c: number, h: number, w: number): (n: number, y: number, x: number, ch: number) => number {
  const s = layoutStrides(format, c, h, w);
  return (n, y, x, ch) => n * s.n + y * s.h + x * s.w + ch * s.c;
}
