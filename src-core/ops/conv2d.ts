/**
 * Conv2D (TF-1): input NHWC or NCHW, filter HWIO [KH, KW, C, F] in both formats, SAME/VALID padding
 * with TF's sizes, optional dilations. Lowered by im2col — one strided copy gathers every window into
 * patches [N, OH, OW, KH, KW, C] (zero padding first goes through a plan-owned buffer), then one matmul
 * with the filter viewed as [KH·KW·C, F] — so every backend runs it with the primitives it already has.
 * NCHW output comes from a batched matmul with both operands transposed, which writes [N, F, OH·OW]
 * directly instead of transposing an NHWC result afterwards.
 */
import type { Dim, Shape } from '../graph/shape';
import { formatShape } from '../graph/shape';
import { defineOp, type LowerContext, type NodeInfo, type Port } from './op-def';
import { emitMatMul } from './lowering';
import { forEachIndex, opError, refArray, storeAs } from './support';
import {
  checkFloat, checkFourTuple, checkWindowAttrs, emitPatches as emitWindowPatches, flatIndexer, formatAxes, makeWindow, rank4,
  windowDimOrNull, type PatchAxis, type Window, type WindowAttrs,
} from './window';
import * as m from '../api/math-core';

export interface Conv2DAttrs extends WindowAttrs {
  /** Per-dim dilations in the data format's order, 1 on batch and channel. */
  dilations: number[];
}

/** Patch layout of every conv lowering: rows are output positions, columns (kh, kw, c) match HWIO. */
export const CONV_PATCH_ORDER: readonly PatchAxis[] = ['n', 'oh', 'ow', 'kh', 'kw', 'c'];

export function checkConvAttrs(node: NodeInfo, attrs: Conv2DAttrs): void {
  checkWindowAttrs(node, attrs);
  checkFourTuple(node, 'dilations', attrs.dilations, attrs.data_format);
}

/** Kernel, stride and dilation along H and along W. */
function convDims(attrs: Conv2DAttrs, kh: number, kw: number) {
  const ax = formatAxes(attrs.data_format);
  return {
    hw: { k: kh, s: attrs.strides[ax.h], d: attrs.dilations[ax.h] },
    ww: { k: kw, s: attrs.strides[ax.w], d: attrs.dilations[ax.w] },
  };
}

/** The shape rule (on partial shapes) shared by Conv2D and its backprop ops' checks. */
export function convOutputShape(xShape: Shape, fShape: Shape, attrs: Conv2DAttrs, node: NodeInfo): Dim[] {
  checkConvAttrs(node, attrs);
  const x = rank4(xShape, node, 'input');
  const f = rank4(fShape, node, 'filter (HWIO)');
  const ax = formatAxes(attrs.data_format);
  const c = x[ax.c];
  if (c !== null && f[2] !== null && c !== f[2]) {
    throw opError(node, `input has ${c} channels (${attrs.data_format} ${formatShape(xShape)}) but the filter expects ${f[2]} (HWIO ${formatShape(fShape)})`);
  }
  if ((f[0] !== null && f[0] < 1) || (f[1] !== null && f[1] < 1)) throw opError(node, `filter ${formatShape(fShape)} has an empty window`);
  const { hw, ww } = convDims(attrs, f[0] ?? 1, f[1] ?? 1);
  const oh = f[0] === null ? null : windowDimOrNull(x[ax.h], hw, attrs.padding, node, 'height');
  const ow = f[1] === null ? null : windowDimOrNull(x[ax.w], ww, attrs.padding, node, 'width');
  return attrs.data_format === 'NHWC' ? [x[0], oh, ow, f[3]] : [x[0], f[3], oh, ow];
}

export function convWindow(x: number[], f: number[], attrs: Conv2DAttrs, node: NodeInfo): Window {
  convOutputShape(x, f, attrs, node);
  const { hw, ww } = convDims(attrs, f[0], f[1]);
  return makeWindow(attrs.data_format, x, hw, ww, attrs.padding, node);
}

export const Conv2D = defineOp<Conv2DAttrs>({
  type: 'Conv2D',
  inferOutputs(inputs, attrs, node) {
    checkFloat(node, inputs, ['input', 'filter']);
    return [{ dtype: 'float32', shape: convOutputShape(inputs[0].shape, inputs[1].shape, attrs, node) }];
  },
  gradient(op, [dy]) {
    if (dy === null) return [null, null];
    const [x, filter] = op.inputs;
    return [m.conv2dBackpropInput(filter, dy, x, op.attrs), m.conv2dBackpropFilter(x, dy, filter, op.attrs)];
  },
  lower(ctx, node) {
    const [x, f] = node.inputs;
    const out = node.outputs[0];
    if (out.buffer.size === 0) return;
    const win = convWindow(x.shape, f.shape, node.attrs, node);
    const K = win.kh * win.kw * win.c;
    const P = win.oh * win.ow;
    const F = f.shape[3];
    const patches = emitPatches(ctx, x, win);
    if (win.format === 'NHWC') {
      // [N·OH·OW, K] · [K, F] is already NHWC.
      emitMatMul(ctx, patches, f.buffer, out.buffer, { m: win.n * P, n: F, k: K });
    } else {
      // Per image, filterᵀ [F, K] · patchesᵀ [K, OH·OW] is NCHW directly: no output transpose.
      emitMatMul(ctx, f.buffer, patches, out.buffer, {
        batch: win.n, m: F, n: P, k: K, transposeA: true, transposeB: true, bBatchStride: P * K,
      });
    }
  },
  reference([x, f], attrs, node) {
    const win = convWindow(x.shape, f.shape, attrs, node);
    const F = f.shape[3];
    const outShape = convOutputShape(x.shape, f.shape, attrs, node) as number[];
    const out = refArray(outShape, 'float32');
    const xAt = flatIndexer(win.format, win.c, win.h, win.w);
    const yAt = flatIndexer(win.format, F, win.oh, win.ow);
    forEachWindowTap(win, (n, oh, ow, kh, kw, ih, iw) => {
      for (let c = 0; c < win.c; c++) {
        const xv = x.data[xAt(n, ih, iw, c)];
        const fBase = ((kh * win.kw + kw) * win.c + c) * F;
        for (let o = 0; o < F; o++) out.data[yAt(n, oh, ow, o)] += xv * f.data[fBase + o];
      }
    });
    for (let i = 0; i < out.data.length; i++) out.data[i] = storeAs('float32', out.data[i]);
    return [out];
  },
});

/** im2col in the conv patch order, zero-padded. */
export function emitPatches(ctx: LowerContext, x: Port, win: Window): Port['buffer'] {
  return emitWindowPatches(ctx, x, win, 0, CONV_PATCH_ORDER);
}

/**
 * Reference-kernel helper: calls fn for every (output position, window offset) whose input position
 * (ih, iw) lies inside the image (padding taps contribute nothing).
 */
export function forEachWindowTap(
  win: Window, fn: (n: number, oh: number, ow: number, kh: number, kw: number, ih: number, iw: number) => void,
): void {
  forEachIndex([win.n, win.oh, win.ow, win.kh, win.kw], ([n, oh, ow, kh, kw]) => {
    const ih = oh * win.sh + kh * win.dh - win.top;
    const iw = ow * win.sw + kw * win.dw - win.left;
    if (ih >= 0 && ih < win.h && iw >= 0 && iw < win.w) fn(n, oh, ow, kh, kw, ih, iw);
  });
}
