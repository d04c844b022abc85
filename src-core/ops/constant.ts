/** Ops that make values from attributes alone: Const and Fill (zeros, ones, fill). */
import type { DType, TypedArray } from '../graph/dtype';
import { typedArrayFrom } from '../graph/dtype';
import { formatShape, numElements } from '../graph/shape';
import { defineOp } from './op-def';
import { emitFill } from './lowering';
import { opError, refArray, storeAs } from './support';

export interface ConstAttrs {
  dtype: DType;
  shape: number[];
  /**
   * Row-major values: plain numbers from literals, or the dtype's typed array when made from an
   * NDArray (a layer's initial weights: 4 bytes an element instead of a JS number's 8).
   */
  values: readonly number[] | TypedArray;
}

export const Const = defineOp<ConstAttrs>({
  type: 'Const',
  constantOutputs: true,
  inferOutputs(_inputs, attrs, node) {
    if (numElements(attrs.shape) !== attrs.values.length) {
      throw opError(node, `${attrs.values.length} values do not fill shape ${formatShape(attrs.shape)}`);
    }
    return [{ dtype: attrs.dtype, shape: [...attrs.shape] }];
  },
  gradient: () => [],
  lower(ctx, node) {
    const out = node.outputs[0];
    const { backend } = ctx;
    const data = typedArrayFrom(out.dtype, node.attrs.values);
    if (out.buffer.size > 0) ctx.init(() => backend.write(out.buffer, data));
  },
  reference(_inputs, attrs) {
    return [refArray(attrs.shape, attrs.dtype, Float64Array.from(attrs.values, (v) => storeAs(attrs.dtype, v)))];
  },
});

export interface FillAttrs {
  dtype: DType;
  shape: number[];
  value: number;
}

export const Fill = defineOp<FillAttrs>({
  type: 'Fill',
  inferOutputs(_inputs, attrs, node) {
    if (attrs.shape.some((d) => !Number.isInteger(d) || d < 0)) {
      throw opError(node, `shape ${formatShape(attrs.shape)} must be fully known non-negative integers`);
    }
    return [{ dtype: attrs.dtype, shape: [...attrs.shape] }];
  },
  gradient: () => [],
  lower(ctx, node) {
    emitFill(ctx, node.outputs[0], node.attrs.value);
  },
  reference(_inputs, attrs) {
    const out = refArray(attrs.shape, attrs.dtype);
    out.data.fill(storeAs(attrs.dtype, attrs.value));
    return [out];
  },
});

export interface FillLikeAttrs {
  value: number;
}

/** zeros_like / ones_like: a fill shaped like its (shape-only) input, resolved at compile time. */
export const FillLike = defineOp<FillLikeAttrs>({
  type: 'FillLike',
  shapeOnlyInputs: [0],
  inferOutputs(inputs) {
    return [{ dtype: inputs[0].dtype, shape: inputs[0].shape }];
  },
  gradient: () => [null],
  lower(ctx, node) {
    emitFill(ctx, node.outputs[0], node.attrs.value);
  },
  reference(inputs, attrs) {
    const out = refArray(inputs[0].shape, inputs[0].dtype);
    out.data.fill(storeAs(inputs[0].dtype, attrs.value));
    return [out];
  },
});
