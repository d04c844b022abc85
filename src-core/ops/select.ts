/**
 * Select(cond, x, y) as TF's `tf.where(cond, x, y)` with numpy broadcasting: lowered to the backend's
 * `select` primitive, which is exact (a NaN or Inf in the branch not taken never reaches the output,
 * as it would through cond·x + (1 - cond)·y). The gradient routes dy by the same condition.
 */
import { UnimplementedError } from '../errors';
import { broadcastShapes, formatShape, type Shape } from '../graph/shape';
import { defineOp, type OpDef } from './op-def';
import { apply } from './apply';
import { FillLike } from './constant';
import { SumToShapeOf } from './shape-of';
import { mergedBroadcastStrides } from './lowering';
import { broadcastOffset, forEachIndex, opError, refArray } from './support';

export const Select: OpDef = defineOp({
  type: 'Select',
  inferOutputs(inputs, _attrs, node) {
    const [cond, x, y] = inputs;
    if (cond.dtype !== 'bool') throw opError(node, `condition must be bool, got ${cond.dtype}`);
    if (x.dtype !== y.dtype) throw opError(node, `x and y must share a dtype, got ${x.dtype} and ${y.dtype}`);
    const xy = broadcastShapes(x.shape, y.shape);
    const shape: Shape | undefined = xy === undefined ? undefined : broadcastShapes(cond.shape, xy);
    if (shape === undefined) {
      throw opError(node, `condition ${formatShape(cond.shape)}, x ${formatShape(x.shape)} and y ${formatShape(y.shape)} do not broadcast together`);
    }
    return [{ dtype: x.dtype, shape }];
  },
  gradient(op, [dy]) {
    if (dy === null) return [null, null, null];
    const [cond, x, y] = op.inputs;
    const zeros = apply(FillLike, [dy], { value: 0 });
    return [null, apply(SumToShapeOf, [apply(Select, [cond, dy, zeros], {}), x], {}), apply(SumToShapeOf, [apply(Select, [cond, zeros, dy], {}), y], {})];
  },
  lower(ctx, node) {
    const [cond, x, y] = node.inputs;
    const out = node.outputs[0];
    if (out.buffer.size === 0) return;
    const { backend } = ctx;
    const select = backend.select;
    if (select === undefined) {
      throw new UnimplementedError(`${node.type} '${node.name}': the '${backend.name}' backend has no select primitive (tf.where needs it)`);
    }
    const { shape, strides } = mergedBroadcastStrides([cond.shape, x.shape, y.shape], out.shape);
    const args = { shape, condStrides: strides[0], aStrides: strides[1], bStrides: strides[2] };
    const [cb, xb, yb, ob] = [cond.buffer, x.buffer, y.buffer, out.buffer];
    ctx.emit(() => select.call(backend, cb, xb, yb, ob, args));
  },
  reference([cond, x, y]) {
    const shape = broadcastShapes(cond.shape, broadcastShapes(x.shape, y.shape) ?? []) as number[];
    const out = refArray(shape, x.dtype);
    forEachIndex(shape, (idx, flat) => {
      out.data[flat] = cond.data[broadcastOffset(idx, cond.shape)] !== 0 ? x.data[broadcastOffset(idx, x.shape)] : y.data[broadcastOffset(idx, y.shape)];
    });
    return [out];
  },
});
