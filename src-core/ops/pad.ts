/**
 * Pad(x, {paddings, constant_value}) as TF-1's `tf.pad` in CONSTANT mode: a fill of the output, then
 * one strided copy writing x at its offset inside it. Its gradient PadGrad(dy, x) reads x's block back
 * out of dy (one offset copy); the two are adjoints.
 */
import { formatShape, stridesOf, type Shape } from '../graph/shape';
import { defineOp, type OpDef, type NodeInfo } from './op-def';
import { apply } from './apply';
import { emitCopy, emitFill } from './lowering';
import { forEachIndex, opError, refArray, storeAs } from './support';

export interface PadAttrs {
  /** Per dim: [before, after]. */
  paddings: [number, number][];
  constant_value: number;
}

function checkPaddings(x: Shape, attrs: PadAttrs, node: NodeInfo): void {
  if (attrs.paddings.some((p) => !Array.isArray(p) || p.length !== 2 || p.some((v) => !Number.isInteger(v) || v < 0))) {
    throw opError(node, `paddings ${JSON.stringify(attrs.paddings)} must be [before, after] pairs of non-negative integers`);
  }
  if (x !== null && x.length !== attrs.paddings.length) {
    throw opError(node, `paddings has ${attrs.paddings.length} rows but the input ${formatShape(x)} has rank ${x.length}`);
  }
}

function paddedShape(x: Shape, attrs: PadAttrs, node: NodeInfo): Shape {
  checkPaddings(x, attrs, node);
  if (x === null) return attrs.paddings.map(() => null);
  return x.map((d, i) => (d === null ? null : d + attrs.paddings[i][0] + attrs.paddings[i][1]));
}

/** Where x's first element sits in the padded output. */
function blockOffset(padded: readonly number[], paddings: readonly [number, number][]): number {
  const strides = stridesOf(padded);
  return paddings.reduce((sum, [before], i) => sum + before * strides[i], 0);
}

export const Pad: OpDef<PadAttrs> = defineOp<PadAttrs>({
  type: 'Pad',
  inferOutputs(inputs, attrs, node) {
    return [{ dtype: inputs[0].dtype, shape: paddedShape(inputs[0].shape, attrs, node) }];
  },
  gradient: (op, [dy]) => [dy && apply(PadGrad, [dy, op.inputs[0]], { paddings: op.attrs.paddings, constant_value: 0 })],
  lower(ctx, node) {
    const [x] = node.inputs;
    const out = node.outputs[0];
    checkPaddings(x.shape, node.attrs, node);
    emitFill(ctx, out, node.attrs.constant_value);
    emitCopy(ctx, x.buffer, out.buffer, {
      shape: x.shape, strides: stridesOf(x.shape), offset: 0, outStrides: stridesOf(out.shape), outOffset: blockOffset(out.shape, node.attrs.paddings),
    });
  },
  reference([x], attrs, node) {
    const shape = paddedShape(x.shape, attrs, node) as number[];
    const out = refArray(shape, x.dtype);
    out.data.fill(storeAs(x.dtype, attrs.constant_value));
    const strides = stridesOf(shape);
    const base = blockOffset(shape, attrs.paddings);
    forEachIndex(x.shape, (idx, flat) => {
      out.data[base + idx.reduce((o, v, k) => o + v * strides[k], 0)] = x.data[flat];
    });
    return [out];
  },
});

/** PadGrad(dy, x): the block of dy where x was written (the adjoint of Pad). */
export const PadGrad: OpDef<PadAttrs> = defineOp<PadAttrs>({
  type: 'PadGrad',
  shapeOnlyInputs: [1],
  inferOutputs(inputs, attrs, node) {
    const [dy, x] = inputs;
    const want = paddedShape(x.shape, attrs, node);
    if (dy.shape !== null && want !== null && (dy.shape.length !== want.length || dy.shape.some((d, i) => d !== null && want[i] !== null && d !== want[i]))) {
      throw opError(node, `dy has shape ${formatShape(dy.shape)} but padding ${formatShape(x.shape)} gives ${formatShape(want)}`);
    }
    return [{ dtype: dy.dtype, shape: x.shape }];
  },
  gradient: (op, [g]) => [g && apply(Pad, [g], { paddings: op.attrs.paddings, constant_value: 0 }), null],
  lower(ctx, node) {
    const [dy, x] = node.inputs;
    checkPaddings(x.shape, node.attrs, node);
    emitCopy(ctx, dy.buffer, node.outputs[0].buffer, { shape: x.shape, strides: stridesOf(dy.shape), offset: blockOffset(dy.shape, node.attrs.paddings) });
  },
  reference([dy, x], attrs) {
    const out = refArray(x.shape, dy.dtype);
    const strides = stridesOf(dy.shape);
    const base = blockOffset(dy.shape, attrs.paddings);
    forEachIndex(x.shape, (idx, flat) => {
      out.data[flat] = dy.data[base + idx.reduce((o, v, k) => o + v * strides[k], 0)];
    });
    return [out];
  },
});
