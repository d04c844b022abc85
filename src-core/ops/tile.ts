/**
 * Tile(x, {multiples}) as TF-1's `tf.tile`: one strided copy reading x through a view that repeats
 * each dim (stride 0 on an inserted "copies" axis before it). Its gradient TileGrad(dy, x) views dy
 * the same way and sums over the copies axes; the two are adjoints.
 */
import { formatShape, stridesOf, type Dim, type Shape } from '../graph/shape';
import { defineOp, type OpDef, type NodeInfo, type Port } from './op-def';
import { apply } from './apply';
import { emitCopy, emitReduce } from './lowering';
import { forEachIndex, opError, refArray } from './support';

export interface TileAttrs {
  multiples: number[];
}

function checkMultiples(x: Shape, attrs: TileAttrs, node: NodeInfo): void {
  if (attrs.multiples.some((k) => !Number.isInteger(k) || k < 0)) {
    throw opError(node, `multiples ${formatShape(attrs.multiples)} must be non-negative integers`);
  }
  if (x !== null && x.length !== attrs.multiples.length) {
    throw opError(node, `multiples ${formatShape(attrs.multiples)} has ${attrs.multiples.length} entries but the input ${formatShape(x)} has rank ${x.length}`);
  }
}

function tiledShape(x: Shape, attrs: TileAttrs, node: NodeInfo): Shape {
  checkMultiples(x, attrs, node);
  if (x === null) return attrs.multiples.map((k): Dim => (k === 0 ? 0 : null));
  return x.map((d, i) => (attrs.multiples[i] === 0 ? 0 : d === null ? null : d * attrs.multiples[i]));
}

/** x's shape with a copies axis before each dim: [m0, d0, m1, d1, ...], and x's strides over it. */
function interleaved(shape: readonly number[], multiples: readonly number[]): { shape: number[]; strides: number[] } {
  const strides = stridesOf(shape);
  return {
    shape: shape.flatMap((d, i) => [multiples[i], d]),
    strides: shape.flatMap((_, i) => [0, strides[i]]),
  };
}

export const Tile: OpDef<TileAttrs> = defineOp<TileAttrs>({
  type: 'Tile',
  inferOutputs(inputs, attrs, node) {
    return [{ dtype: inputs[0].dtype, shape: tiledShape(inputs[0].shape, attrs, node) }];
  },
  gradient: (op, [dy]) => [dy && apply(TileGrad, [dy, op.inputs[0]], op.attrs)],
  lower(ctx, node) {
    const [x] = node.inputs;
    checkMultiples(x.shape, node.attrs, node);
    const view = interleaved(x.shape, node.attrs.multiples);
    emitCopy(ctx, x.buffer, node.outputs[0].buffer, { ...view, offset: 0 });
  },
  reference([x], attrs, node) {
    const shape = tiledShape(x.shape, attrs, node) as number[];
    const out = refArray(shape, x.dtype);
    const strides = stridesOf(x.shape);
    forEachIndex(shape, (idx, flat) => {
      out.data[flat] = x.data[idx.reduce((o, v, k) => o + (v % x.shape[k]) * strides[k], 0)];
    });
    return [out];
  },
});

/** TileGrad(dy, x): dy summed over the copies of each element of x (the adjoint of Tile). */
export const TileGrad: OpDef<TileAttrs> = defineOp<TileAttrs>({
  type: 'TileGrad',
  shapeOnlyInputs: [1],
  inferOutputs(inputs, attrs, node) {
    const [dy, x] = inputs;
    const want = tiledShape(x.shape, attrs, node);
    if (dy.shape !== null && want !== null && (dy.shape.length !== want.length || dy.shape.some((d, i) => d !== null && want[i] !== null && d !== want[i]))) {
      throw opError(node, `dy has shape ${formatShape(dy.shape)} but tiling ${formatShape(x.shape)} gives ${formatShape(want)}`);
    }
    return [{ dtype: dy.dtype, shape: x.shape }];
  },
  gradient: (op, [g]) => [g && apply(Tile, [g], op.attrs), null],
  lower(ctx, node) {
    const [dy, x] = node.inputs;
    checkMultiples(x.shape, node.attrs, node);
    const view: Port = { buffer: dy.buffer, dtype: dy.dtype, shape: interleaved(x.shape, node.attrs.multiples).shape };
    emitReduce(ctx, 'sum', view, x.shape.map((_, i) => 2 * i), node.outputs[0]);
  },
  reference([dy, x]) {
    const out = refArray(x.shape, dy.dtype);
    const strides = stridesOf(x.shape);
    forEachIndex(dy.shape, (idx, flat) => {
      out.data[idx.reduce((o, v, k) => o + (v % x.shape[k]) * strides[k], 0)] += dy.data[flat];
    });
    return [out];
  },
});
