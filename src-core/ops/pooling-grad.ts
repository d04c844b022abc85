/**
 * The pools' gradients, lowered with the same im2col / col2im copies as the forward ops.
 *
 * MaxPoolGrad(x, dy) routes each window's gradient to its FIRST maximum only, like TF (after a relu,
 * ties at 0 are common, and splitting would change the numbers): argmax over the window axis, a
 * one-hot mask by comparing that index with a compile-time iota, times dy, then col2im. No gradient
 * of its own is declared (second order through a max pool is unsupported).
 *
 * AvgPoolGrad(dy, x-shape-of) spreads dy / count over each window: col2im straight from the scaled
 * dy with stride 0 over the window axes, so no patch-sized buffer is needed. It is linear, and its
 * gradient is the average pool again.
 */
import { formatShape, shapesCompatible, type Shape } from '../graph/shape';
import { defineOp, type NodeInfo } from './op-def';
import { emitArgReduce, emitBinary, emitIota } from './lowering';
import { opError, refArray, storeAs } from './support';
import { checkFloat, denseStrides, emitCol2Im, type Window } from './window';
import {
  emitPoolPatches, emitWindowCounts, forEachPoolWindow, poolOutputOrder, poolOutputShape, poolPatchOrder, poolWindow,
  type PoolAttrs,
} from './pooling';
import * as m from '../api/math-core';

function checkDy(dy: Shape, x: Shape, attrs: PoolAttrs, node: NodeInfo): void {
  const want = poolOutputShape(x, attrs, node);
  if (!shapesCompatible(dy, want)) {
    throw opError(node, `grad has shape ${formatShape(dy)}, but pooling input ${formatShape(x)} gives ${formatShape(want)}`);
  }
}

/** Each window's split as [before, window, after] sizes of the pool patch order (window = KH·KW). */
function windowSplit(win: Window): [number, number, number] {
  const kk = win.kh * win.kw;
  return win.format === 'NHWC' ? [win.n * win.oh * win.ow, kk, win.c] : [win.n * win.c * win.oh * win.ow, kk, 1];
}

export const MaxPoolGrad = defineOp<PoolAttrs>({
  type: 'MaxPoolGrad',
  inferOutputs(inputs, attrs, node) {
    const [x, dy] = inputs;
    checkFloat(node, [x, dy], ['input', 'grad']);
    checkDy(dy.shape, x.shape, attrs, node);
    return [{ dtype: 'float32', shape: x.shape }];
  },
  lower(ctx, node) {
    const [x, dy] = node.inputs;
    const dx = node.outputs[0];
    if (dx.buffer.size === 0) return;
    const win = poolWindow(x.shape, node.attrs, node);
    const [outer, kk, inner] = windowSplit(win);
    if (outer * inner === 0) {
      const { backend } = ctx;
      ctx.emit(() => backend.fill(dx.buffer, 0));
      return;
    }
    const patches = emitPoolPatches(ctx, x, win, -Infinity);
    const argmax = { buffer: ctx.temp('int32', outer * inner), shape: [outer, 1, inner], dtype: 'int32' as const };
    emitArgReduce(ctx, 'argmax', { ...patches, shape: [outer, kk, inner] }, 1, argmax);
    const mask = { buffer: ctx.temp('bool', outer * kk * inner), shape: [outer, kk, inner], dtype: 'bool' as const };
    emitBinary(ctx, 'equal', argmax, emitIota(ctx, 'int32', [kk, 1]), mask);
    const maskF = { ...mask, buffer: ctx.temp('float32', mask.buffer.size), dtype: 'float32' as const };
    const { backend } = ctx;
    ctx.emit(() => backend.cast(mask.buffer, maskF.buffer));
    const dpatches = { ...maskF, buffer: ctx.temp('float32', mask.buffer.size) };
    emitBinary(ctx, 'mul', maskF, { ...dy, shape: [outer, 1, inner] }, dpatches);
    emitCol2Im(ctx, dpatches.buffer, denseStrides(win, poolPatchOrder(win.format)), win, dx);
  },
  reference([x, dy], attrs, node) {
    const win = poolWindow(x.shape, attrs, node);
    const dx = refArray(x.shape, 'float32');
    forEachPoolWindow(win, x, (o, taps, where) => {
      // Padding reads as -Infinity and the first maximum wins (NaN counts as the maximum), as the lowering does.
      let best = 0;
      taps.forEach((t, i) => {
        const v = t ?? -Infinity;
        const b = taps[best] ?? -Infinity;
        if (i > 0 && !Number.isNaN(b) && (Number.isNaN(v) || v > b)) best = i;
      });
      const at = where[best];
      if (at !== null) dx.data[at] += dy.data[o];
    });
    for (let i = 0; i < dx.data.length; i++) dx.data[i] = storeAs('float32', dx.data[i]);
    return [dx];
  },
});

export const AvgPoolGrad = defineOp<PoolAttrs>({
  type: 'AvgPoolGrad',
  shapeOnlyInputs: [1],
  inferOutputs(inputs, attrs, node) {
    const [dy, x] = inputs;
    checkFloat(node, [dy], ['grad']);
    checkDy(dy.shape, x.shape, attrs, node);
    return [{ dtype: 'float32', shape: x.shape }];
  },
  gradient: (op, [g]) => [g && m.avgPool(g, op.attrs), null],
  lower(ctx, node) {
    const [dy, x] = node.inputs;
    const dx = node.outputs[0];
    if (dx.buffer.size === 0) return;
    const win = poolWindow(x.shape, node.attrs, node);
    const scaled = { ...dy, buffer: ctx.temp('float32', dy.buffer.size) };
    emitBinary(ctx, 'div', dy, emitWindowCounts(ctx, win), scaled);
    // Strides of the output layout; kh and kw are absent from it, so they read with stride 0.
    emitCol2Im(ctx, scaled.buffer, denseStrides(win, poolOutputOrder(win.format)), win, dx);
  },
  reference([dy, x], attrs, node) {
    const win = poolWindow(x.shape, attrs, node);
    const dx = refArray(x.shape, 'float32');
    forEachPoolWindow(win, x, (o, _taps, where) => {
      const inside = where.filter((w): w is number => w !== null);
      for (const at of inside) dx.data[at] += dy.data[o] / inside.length;
    });
    for (let i = 0; i < dx.data.length; i++) dx.data[i] = storeAs('float32', dx.data[i]);
    return [dx];
  },
});
