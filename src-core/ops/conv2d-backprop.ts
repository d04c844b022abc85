/**
 * Conv2D's gradients as ops of their own (TF-1's Conv2DBackpropInput / Conv2DBackpropFilter), each
 * taking the tensor whose shape it produces as a shape-only input, so they work with a batch size
 * unknown until the feed. Both are bilinear, so their own gradients are convolutions again.
 *
 * - BackpropFilter(x, dy, filter-shape-of) = patchesᵀ · dy: the patches are recomputed (one strided
 *   copy) instead of kept from the forward pass, so the forward plan holds no extra memory.
 * - BackpropInput(filter, dy, x-shape-of) = col2im(dy · filterᵀ): one accumulating strided copy per
 *   window offset (kh, kw) into a zero-filled padded buffer, then a crop.
 */
import { formatShape, shapesCompatible, type Shape } from '../graph/shape';
import { defineOp, type NodeInfo } from './op-def';
import { opError, refArray, storeAs } from './support';
import { emitCopy, emitMatMul } from './lowering';
import { checkFloat, denseStrides, emitCol2Im, flatIndexer } from './window';
import { CONV_PATCH_ORDER, convOutputShape, convWindow, emitPatches, forEachWindowTap, type Conv2DAttrs } from './conv2d';
import * as m from '../api/math-core';

/** dy must have the shape the forward conv of (x, filter) produces. */
function checkDy(dy: Shape, x: Shape, f: Shape, attrs: Conv2DAttrs, node: NodeInfo): void {
  const want = convOutputShape(x, f, attrs, node);
  if (!shapesCompatible(dy, want)) {
    throw opError(node, `out_backprop has shape ${formatShape(dy)}, but the convolution of input ${formatShape(x)} with filter ${formatShape(f)} gives ${formatShape(want)}`);
  }
}

export const Conv2DBackpropInput = defineOp<Conv2DAttrs>({
  type: 'Conv2DBackpropInput',
  shapeOnlyInputs: [2],
  inferOutputs(inputs, attrs, node) {
    const [f, dy, x] = inputs;
    checkFloat(node, [f, dy], ['filter', 'out_backprop']);
    checkDy(dy.shape, x.shape, f.shape, attrs, node);
    return [{ dtype: 'float32', shape: x.shape }];
  },
  gradient(op, [g]) {
    if (g === null) return [null, null, null];
    const [f, dy] = op.inputs;
    return [m.conv2dBackpropFilter(g, dy, f, op.attrs), m.conv2d(g, f, op.attrs), null];
  },
  lower(ctx, node) {
    const [f, dy, x] = node.inputs;
    const dx = node.outputs[0];
    const win = convWindow(x.shape, f.shape, node.attrs, node);
    const K = win.kh * win.kw * win.c;
    const P = win.oh * win.ow;
    const F = f.shape[3];
    const dpatches = ctx.temp('float32', win.n * P * K);
    if (win.format === 'NHWC') {
      emitMatMul(ctx, dy.buffer, f.buffer, dpatches, { m: win.n * P, n: K, k: F, transposeB: true });
    } else {
      // dy[n] is [F, OH·OW]: its transpose times filterᵀ gives the patch rows of image n.
      emitMatMul(ctx, dy.buffer, f.buffer, dpatches, {
        batch: win.n, m: P, n: K, k: F, transposeA: true, transposeB: true, aBatchStride: F * P,
      });
    }
    emitCol2Im(ctx, dpatches, denseStrides(win, CONV_PATCH_ORDER), win, dx);
  },
  reference([f, dy, x], attrs, node) {
    const win = convWindow(x.shape, f.shape, attrs, node);
    const F = f.shape[3];
    const dx = refArray(x.shape, 'float32');
    const xAt = flatIndexer(win.format, win.c, win.h, win.w);
    const yAt = flatIndexer(win.format, F, win.oh, win.ow);
    forEachWindowTap(win, (n, oh, ow, kh, kw, ih, iw) => {
      for (let c = 0; c < win.c; c++) {
        const fBase = ((kh * win.kw + kw) * win.c + c) * F;
        let s = 0;
        for (let o = 0; o < F; o++) s += dy.data[yAt(n, oh, ow, o)] * f.data[fBase + o];
        dx.data[xAt(n, ih, iw, c)] += s;
      }
    });
    for (let i = 0; i < dx.data.length; i++) dx.data[i] = storeAs('float32', dx.data[i]);
    return [dx];
  },
});

export const Conv2DBackpropFilter = defineOp<Conv2DAttrs>({
  type: 'Conv2DBackpropFilter',
  shapeOnlyInputs: [2],
  inferOutputs(inputs, attrs, node) {
    const [x, dy, f] = inputs;
    checkFloat(node, [x, dy], ['input', 'out_backprop']);
    checkDy(dy.shape, x.shape, f.shape, attrs, node);
    return [{ dtype: 'float32', shape: f.shape }];
  },
  gradient(op, [g]) {
    if (g === null) return [null, null, null];
    const [x, dy] = op.inputs;
    return [m.conv2dBackpropInput(g, dy, x, op.attrs), m.conv2d(x, g, op.attrs), null];
  },
  lower(ctx, node) {
    const [x, dy, f] = node.inputs;
    const dw = node.outputs[0];
    if (dw.buffer.size === 0) return;
    const win = convWindow(x.shape, f.shape, node.attrs, node);
    const K = win.kh * win.kw * win.c;
    const P = win.oh * win.ow;
    const F = f.shape[3];
    const M = win.n * P;
    if (M === 0) {
      const { backend } = ctx;
      ctx.emit(() => backend.fill(dw.buffer, 0));
      return;
    }
    const patches = emitPatches(ctx, x, win);
    let dyRows = dy.buffer;
    if (win.format === 'NCHW') {
      // The sum runs over (n, position) together, so dy must be [N·OH·OW, F]: one transpose copy.
      dyRows = ctx.temp('float32', M * F);
      emitCopy(ctx, dy.buffer, dyRows, { shape: [win.n, P, F], strides: [F * P, 1, P], offset: 0 });
    }
    emitMatMul(ctx, patches, dyRows, dw.buffer, { m: K, n: F, k: M, transposeA: true });
  },
  reference([x, dy, f], attrs, node) {
    const win = convWindow(x.shape, f.shape, attrs, node);
    const F = f.shape[3];
    const dw = refArray(f.shape, 'float32');
    const xAt = flatIndexer(win.format, win.c, win.h, win.w);
    const yAt = flatIndexer(win.format, F, win.oh, win.ow);
    forEachWindowTap(win, (n, oh, ow, kh, kw, ih, iw) => {
      for (let c = 0; c < win.c; c++) {
        const xv = x.data[xAt(n, ih, iw, c)];
        const fBase = ((kh * win.kw + kw) * win.c + c) * F;
        for (let o = 0; o < F; o++) dw.data[fBase + o] += xv * dy.data[yAt(n, oh, ow, o)];
      }
    });
    for (let i = 0; i < dw.data.length; i++) dw.data[i] = storeAs('float32', dw.data[i]);
    return [dw];
  },
});
