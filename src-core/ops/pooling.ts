/**
 * MaxPool and AvgPool (TF-1 `max_pool` / `avg_pool`): im2col with one strided copy (padding filled
 * with -Infinity for max, 0 for average) and then a reduction over the window axes. The patch layout
 * keeps the output's layout outside and the window axes together, so the reduction is a single
 * [outer, window, inner] call and writes the output directly in NHWC or NCHW.
 */
import type { Dim, Shape } from '../graph/shape';
import { defineOp, type LowerContext, type NodeInfo, type Port, type RefArray } from './op-def';
import { emitBinary, emitConstant, emitReduce } from './lowering';
import { forEachIndex, refArray, storeAs } from './support';
import {
  checkFloat, checkFourTuple, checkWindowAttrs, emitPatches, flatIndexer, formatAxes, makeWindow, patchSize, rank4, windowDimOrNull,
  type DataFormat, type PatchAxis, type Window, type WindowAttrs,
} from './window';
import * as m from '../api/math-core';

export interface PoolAttrs extends WindowAttrs {
  /** Window size per dim in the data format's order, 1 on batch and channel. */
  ksize: number[];
}

/** Output layout outside, window axes (kh, kw) together, so one reduction gives the output. */
export function poolPatchOrder(format: DataFormat): PatchAxis[] {
  return format === 'NHWC' ? ['n', 'oh', 'ow', 'kh', 'kw', 'c'] : ['n', 'c', 'oh', 'ow', 'kh', 'kw'];
}

/** The output's own axes in its layout order. */
export function poolOutputOrder(format: DataFormat): PatchAxis[] {
  return format === 'NHWC' ? ['n', 'oh', 'ow', 'c'] : ['n', 'c', 'oh', 'ow'];
}

function poolDims(attrs: PoolAttrs) {
  const ax = formatAxes(attrs.data_format);
  return { hw: { k: attrs.ksize[ax.h], s: attrs.strides[ax.h], d: 1 }, ww: { k: attrs.ksize[ax.w], s: attrs.strides[ax.w], d: 1 } };
}

export function poolOutputShape(xShape: Shape, attrs: PoolAttrs, node: NodeInfo): Dim[] {
  checkWindowAttrs(node, attrs);
  checkFourTuple(node, 'ksize', attrs.ksize, attrs.data_format);
  const x = rank4(xShape, node, 'input');
  const ax = formatAxes(attrs.data_format);
  const { hw, ww } = poolDims(attrs);
  const oh = windowDimOrNull(x[ax.h], hw, attrs.padding, node, 'height');
  const ow = windowDimOrNull(x[ax.w], ww, attrs.padding, node, 'width');
  return attrs.data_format === 'NHWC' ? [x[0], oh, ow, x[3]] : [x[0], x[1], oh, ow];
}

export function poolWindow(x: number[], attrs: PoolAttrs, node: NodeInfo): Window {
  poolOutputShape(x, attrs, node);
  const { hw, ww } = poolDims(attrs);
  return makeWindow(attrs.data_format, x, hw, ww, attrs.padding, node);
}

/** The patches as a port shaped by the pool patch order. */
export function emitPoolPatches(ctx: LowerContext, x: Port, win: Window, padValue: number): Port {
  const order = poolPatchOrder(win.format);
  const buffer = emitPatches(ctx, x, win, padValue, order);
  return { buffer, shape: order.map((a) => patchSize(win, a)), dtype: x.dtype };
}

/** Axes of the window (kh, kw) in the pool patch order. */
export const windowAxes = (format: DataFormat): number[] => (format === 'NHWC' ? [3, 4] : [4, 5]);

/** How many of a window's taps fall inside the image along one dim, for output index o. */
function validTaps(o: number, s: number, k: number, before: number, size: number): number {
  const start = o * s - before;
  return Math.min(size, start + k) - Math.max(0, start);
}

/**
 * Per output position, the number of real (non-padding) elements its window averages, as TF divides:
 * a compile-time constant shaped to broadcast against the output ([OH, OW, 1] or [OH, OW]).
 */
export function emitWindowCounts(ctx: LowerContext, win: Window): Port {
  const values: number[] = [];
  for (let oh = 0; oh < win.oh; oh++) {
    for (let ow = 0; ow < win.ow; ow++) {
      values.push(validTaps(oh, win.sh, win.kh, win.top, win.h) * validTaps(ow, win.sw, win.kw, win.left, win.w));
    }
  }
  return emitConstant(ctx, 'float32', win.format === 'NHWC' ? [win.oh, win.ow, 1] : [win.oh, win.ow], values);
}

/**
 * Reference-kernel helper: for each output element (n, oh, ow, c), its window's taps in (kh, kw)
 * order, with null for a padding tap.
 */
export function forEachPoolWindow(win: Window, x: RefArray, fn: (outIndex: number, taps: (number | null)[], tapIndex: (number | null)[]) => void): void {
  const xAt = flatIndexer(win.format, win.c, win.h, win.w);
  const yAt = flatIndexer(win.format, win.c, win.oh, win.ow);
  forEachIndex([win.n, win.oh, win.ow, win.c], ([n, oh, ow, c]) => {
    const taps: (number | null)[] = [];
    const where: (number | null)[] = [];
    for (let kh = 0; kh < win.kh; kh++) {
      for (let kw = 0; kw < win.kw; kw++) {
        const ih = oh * win.sh + kh - win.top;
        const iw = ow * win.sw + kw - win.left;
        const inside = ih >= 0 && ih < win.h && iw >= 0 && iw < win.w;
        where.push(inside ? xAt(n, ih, iw, c) : null);
        taps.push(inside ? x.data[xAt(n, ih, iw, c)] : null);
      }
    }
    fn(yAt(n, oh, ow, c), taps, where);
  });
}

function poolReference(x: RefArray, attrs: PoolAttrs, node: NodeInfo, combine: (taps: number[]) => number): RefArray[] {
  const win = poolWindow(x.shape, attrs, node);
  const out = refArray(poolOutputShape(x.shape, attrs, node) as number[], 'float32');
  forEachPoolWindow(win, x, (o, taps) => {
    out.data[o] = storeAs('float32', combine(taps.filter((t): t is number => t !== null)));
  });
  return [out];
}

export const MaxPool = defineOp<PoolAttrs>({
  type: 'MaxPool',
  inferOutputs(inputs, attrs, node) {
    checkFloat(node, inputs, ['input']);
    return [{ dtype: 'float32', shape: poolOutputShape(inputs[0].shape, attrs, node) }];
  },
  gradient: (op, [dy]) => [dy && m.maxPoolGrad(op.inputs[0], dy, op.attrs)],
  lower(ctx, node) {
    const out = node.outputs[0];
    if (out.buffer.size === 0) return;
    const win = poolWindow(node.inputs[0].shape, node.attrs, node);
    emitReduce(ctx, 'max', emitPoolPatches(ctx, node.inputs[0], win, -Infinity), windowAxes(win.format), out);
  },
  reference: ([x], attrs, node) =>
    poolReference(x, attrs, node, (taps) => taps.reduce((a, v) => (v > a || Number.isNaN(v) ? v : a), -Infinity)),
});

export const AvgPool = defineOp<PoolAttrs>({
  type: 'AvgPool',
  inferOutputs(inputs, attrs, node) {
    checkFloat(node, inputs, ['input']);
    return [{ dtype: 'float32', shape: poolOutputShape(inputs[0].shape, attrs, node) }];
  },
  gradient: (op, [dy]) => [dy && m.avgPoolGrad(dy, op.inputs[0], op.attrs)],
  lower(ctx, node) {
    const out = node.outputs[0];
    if (out.buffer.size === 0) return;
    const win = poolWindow(node.inputs[0].shape, node.attrs, node);
    const sums = { ...out, buffer: ctx.temp('float32', out.buffer.size) };
    emitReduce(ctx, 'sum', emitPoolPatches(ctx, node.inputs[0], win, 0), windowAxes(win.format), sums);
    emitBinary(ctx, 'div', sums, emitWindowCounts(ctx, win), out);
  },
  reference: ([x], attrs, node) => poolReference(x, attrs, node, (taps) => taps.reduce((a, v) => a + v, 0) / taps.length),
});
