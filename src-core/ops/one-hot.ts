/**
 * OneHot(indices, {depth, on_value, off_value, axis, dtype}) as in TF-1: a new axis of size `depth`
 * (at `axis`, -1 = last) holding on_value where the index equals the position, off_value elsewhere
 * (so an out-of-range index gives a row of off_value). Lowered as equal(indices with a size-1 axis,
 * compile-time iota) → cast, then hit·on + miss·off when the values are not 1 and 0.
 */
import { DTYPES, type DType } from '../graph/dtype';
import type { Dim } from '../graph/shape';
import { defineOp, type NodeInfo, type Port } from './op-def';
import { emitBinary, emitConstant, emitIota } from './lowering';
import { forEachIndex, opError, refArray, storeAs } from './support';

export interface OneHotAttrs {
  depth: number;
  on_value: number;
  off_value: number;
  /** Position of the new axis in the output; -1 appends it. */
  axis: number;
  dtype: DType;
}

/** The new axis's position in an output of rank `rank + 1`. */
function outputAxis(attrs: OneHotAttrs, rank: number, node: NodeInfo): number {
  if (!Number.isInteger(attrs.axis) || attrs.axis < -1 || attrs.axis > rank) {
    throw opError(node, `axis must be -1 or in [0, ${rank}] for indices of rank ${rank}, got ${attrs.axis}`);
  }
  return attrs.axis === -1 ? rank : attrs.axis;
}

function checkAttrs(attrs: OneHotAttrs, node: NodeInfo): void {
  if (!Number.isInteger(attrs.depth) || attrs.depth < 0) throw opError(node, `depth must be a non-negative integer, got ${attrs.depth}`);
  if (!DTYPES.includes(attrs.dtype)) throw opError(node, `unknown dtype '${String(attrs.dtype)}'`);
  if (attrs.dtype === 'bool' && (attrs.on_value !== 1 || attrs.off_value !== 0)) {
    throw opError(node, `a bool one-hot needs on_value true and off_value false, got ${attrs.on_value} and ${attrs.off_value}`);
  }
}

export const OneHot = defineOp<OneHotAttrs>({
  type: 'OneHot',
  inferOutputs(inputs, attrs, node) {
    const [indices] = inputs;
    if (indices.dtype !== 'int32' && indices.dtype !== 'float32') throw opError(node, `expects int32 (or float32) indices, got ${indices.dtype}`);
    checkAttrs(attrs, node);
    if (indices.shape === null) return [{ dtype: attrs.dtype, shape: null }];
    const axis = outputAxis(attrs, indices.shape.length, node);
    const shape: Dim[] = [...indices.shape.slice(0, axis), attrs.depth, ...indices.shape.slice(axis)];
    return [{ dtype: attrs.dtype, shape }];
  },
  gradient: () => [null],
  lower(ctx, node) {
    const [indices] = node.inputs;
    const out = node.outputs[0];
    if (out.buffer.size === 0) return;
    const { depth, on_value: on, off_value: off, dtype } = node.attrs;
    const axis = outputAxis(node.attrs, indices.shape.length, node);
    const rank = indices.shape.length;
    // indices with a size-1 axis inserted, against the iota laid along that axis: a broadcast equal.
    const idx = { ...indices, shape: [...indices.shape.slice(0, axis), 1, ...indices.shape.slice(axis)] };
    const iota = emitIota(ctx, indices.dtype, [depth, ...new Array<number>(rank - axis).fill(1)]);
    const plain = on === 1 && off === 0;
    const hits = { buffer: dtype === 'bool' ? out.buffer : ctx.temp('bool', out.buffer.size), shape: out.shape, dtype: 'bool' as DType };
    emitBinary(ctx, 'equal', idx, iota, hits);
    if (dtype === 'bool') return;
    const { backend } = ctx;
    const cast = (mask: Port['buffer'], to: Port) => ctx.emit(() => backend.cast(mask, to.buffer));
    if (plain) {
      cast(hits.buffer, out);
      return;
    }
    // out = hit·on + (not hit)·off: each product is exactly on, off or 0, so the sum is exact.
    const temp = (): Port => ({ ...out, buffer: ctx.temp(dtype, out.buffer.size) });
    const [hitN, missN, onPart, offPart] = [temp(), temp(), temp(), temp()];
    const misses = ctx.temp('bool', out.buffer.size);
    ctx.emit(() => backend.unary('logicalNot', hits.buffer, misses));
    cast(hits.buffer, hitN);
    cast(misses, missN);
    emitBinary(ctx, 'mul', hitN, emitConstant(ctx, dtype, [], [on]), onPart);
    emitBinary(ctx, 'mul', missN, emitConstant(ctx, dtype, [], [off]), offPart);
    emitBinary(ctx, 'add', onPart, offPart, out);
  },
  reference([indices], attrs, node) {
    const axis = outputAxis(attrs, indices.shape.length, node);
    const shape = [...indices.shape.slice(0, axis), attrs.depth, ...indices.shape.slice(axis)];
    const out = refArray(shape, attrs.dtype);
    forEachIndex(shape, (idx, flat) => {
      const at = [...idx.slice(0, axis), ...idx.slice(axis + 1)];
      let f = 0;
      for (let k = 0; k < at.length; k++) f = f * indices.shape[k] + at[k];
      out.data[flat] = storeAs(attrs.dtype, indices.data[f] === idx[axis] ? attrs.on_value : attrs.off_value);
    });
    return [out];
  },
});
