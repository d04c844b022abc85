/**
 * Flatten: [d0, d1, ..., dk] → [d0, d1·…·dk], resolved when the graph runs. tinyflow's flatten_layer
 * sits after conv/pool layers fed by a shapeless placeholder, so unlike a Reshape with a target written
 * into the graph, the flattened width is only known once the feeds' shapes are (at compile time, or
 * in tf.infer_variable_shapes, which runs this shape rule with the known shapes).
 */
import { formatShape, numElements, type Dim, type Shape } from '../graph/shape';
import { defineOp, type NodeInfo } from './op-def';
import { opError, refArray } from './support';
import * as m from '../api/math-core';

/** The output shape; partial where the input is: [d0 or ?, ?] when a non-batch dim is unknown. */
function flattenShape(shape: Shape, node: NodeInfo): Shape {
  // An unknown rank could still turn out to be a scalar, which has no batch dim to keep: stay unknown.
  if (shape === null) return null;
  if (shape.length === 0) throw opError(node, `needs an input of rank >= 1 (a batch dim), got a scalar ${formatShape(shape)}`);
  const rest = shape.slice(1);
  const width: Dim = rest.every((d) => d !== null) ? numElements(rest as number[]) : null;
  return [shape[0], width];
}

export const Flatten = defineOp({
  type: 'Flatten',
  // Row-major data already is the flattened array: the output is a view of the input's buffer.
  aliasInput: 0,
  inferOutputs: (inputs, _attrs, node) => [{ dtype: inputs[0].dtype, shape: flattenShape(inputs[0].shape, node) }],
  // The inverse is a reshape back to the input's run-time shape, which ReshapeToShapeOf reads at compile time.
  gradient: (op, [dy]) => [dy && m.reshapeToShapeOf(dy, op.inputs[0])],
  lower() {},
  reference([x], _attrs, node) {
    return [refArray(flattenShape(x.shape, node) as number[], x.dtype, x.data)];
  },
});
