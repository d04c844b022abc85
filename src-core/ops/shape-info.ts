/**
 * Shape, Size and Rank as TF-1's `tf.shape`, `tf.size`, `tf.rank`: values that only depend on the
 * input's shape, written once when the plan is compiled (a plan is compiled for concrete shapes), so
 * they stay right for dims that are unknown while the graph is built (a fed batch size).
 */
import type { DType } from '../graph/dtype';
import { numElements } from '../graph/shape';
import { defineOp, type OpDef, type TensorSpec } from './op-def';
import { opError, refArray } from './support';

export interface ShapeInfoAttrs {
  out_type: DType;
}

function shapeInfoOp(type: string, outShape: (x: TensorSpec) => TensorSpec['shape'], values: (shape: readonly number[]) => number[]): OpDef<ShapeInfoAttrs> {
  return defineOp<ShapeInfoAttrs>({
    type,
    shapeOnlyInputs: [0],
    constantOutputs: true,
    inferOutputs(inputs, attrs, node) {
      if (attrs.out_type !== 'int32' && attrs.out_type !== 'float32') throw opError(node, `out_type must be int32 or float32, got ${String(attrs.out_type)}`);
      return [{ dtype: attrs.out_type, shape: outShape(inputs[0]) }];
    },
    gradient: () => [null],
    lower(ctx, node) {
      const out = node.outputs[0];
      const data = values(node.inputs[0].shape);
      const { backend } = ctx;
      const typed = attrsArray(node.attrs.out_type, data);
      if (out.buffer.size > 0) ctx.init(() => backend.write(out.buffer, typed));
    },
    reference([x], attrs) {
      const data = values(x.shape);
      return [refArray(data.length === 1 && type !== 'Shape' ? [] : [data.length], attrs.out_type, Float64Array.from(data))];
    },
  });
}

function attrsArray(dtype: DType, data: number[]): Int32Array | Float32Array {
  return dtype === 'int32' ? Int32Array.from(data) : Float32Array.from(data);
}

export const ShapeOp = shapeInfoOp('Shape', (x) => [x.shape === null ? null : x.shape.length], (s) => [...s]);
export const Size = shapeInfoOp('Size', () => [], (s) => [numElements(s)]);
export const Rank = shapeInfoOp('Rank', () => [], (s) => [s.length]);
