/** Elementwise binary ops with numpy broadcasting; gradients sum over the broadcast axes. */
import { COMPARISON_OPS, type BinaryOp } from '../../backends/interface';
import type { DType } from '../graph/dtype';
import { broadcastShapes, formatShape, numElements, type Shape } from '../graph/shape';
import type { Tensor } from '../graph/tensor';
import { defineOp, type OpDef } from './op-def';
import { emitBinary } from './lowering';
import { broadcastOffset, forEachIndex, opError, refArray, storeAs } from './support';
import * as m from '../api/math-core';

type BinaryGrad = (a: Tensor, b: Tensor, y: Tensor, dy: Tensor) => [Tensor | null, Tensor | null];

interface BinarySpec {
  type: string;
  prim: BinaryOp;
  dtypes: readonly DType[];
  grad: BinaryGrad | null;
  ref: (a: number, b: number, dtype: DType) => number;
}

const NUMERIC: readonly DType[] = ['float32', 'int32'];
const ANY: readonly DType[] = ['float32', 'int32', 'bool'];
const cmp = (f: (a: number, b: number) => boolean) => (a: number, b: number) => (f(a, b) ? 1 : 0);

/** Gates dy by a boolean mask (cast to float): where the mask is false the gradient is 0. */
const gate = (dy: Tensor, mask: Tensor) => m.mul(dy, m.cast(mask, dy.dtype));

const SPECS: BinarySpec[] = [
  { type: 'Add', prim: 'add', dtypes: NUMERIC, grad: (_a, _b, _y, dy) => [dy, dy], ref: (a, b) => a + b },
  { type: 'Sub', prim: 'sub', dtypes: NUMERIC, grad: (_a, _b, _y, dy) => [dy, m.neg(dy)], ref: (a, b) => a - b },
  {
    type: 'Mul', prim: 'mul', dtypes: NUMERIC, grad: (a, b, _y, dy) => [m.mul(dy, b), m.mul(a, dy)],
    // int32 products wrap like the kernels' Math.imul; a float64 product would lose the low bits first.
    ref: (a, b, dtype) => (dtype === 'int32' ? Math.imul(a, b) : a * b),
  },
  {
    type: 'Div', prim: 'div', dtypes: NUMERIC,
    grad: (_a, b, y, dy) => [m.div(dy, b), m.neg(m.div(m.mul(dy, y), b))],
    // int32 division floors, like TF-1's tf.div on integers.
    ref: (a, b, dtype) => (dtype === 'int32' ? Math.floor(a / b) : a / b),
  },
  {
    type: 'Pow', prim: 'pow', dtypes: NUMERIC,
    grad: (a, b, y, dy) => [
      m.mul(dy, m.mul(b, m.pow(a, m.sub(b, 1)))),
      // d/db a^b = a^b log a, taken as 0 where a <= 0 (as TF does) instead of NaN.
      gate(m.mul(dy, m.mul(y, m.log(m.maximum(a, 1.1754944e-38)))), m.greater(a, 0)),
    ],
    ref: (a, b) => Math.pow(a, b),
  },
  {
    type: 'Maximum', prim: 'max', dtypes: NUMERIC,
    grad: (a, b, _y, dy) => [gate(dy, m.greaterEqual(a, b)), gate(dy, m.less(a, b))], ref: (a, b) => Math.max(a, b),
  },
  {
    type: 'Minimum', prim: 'min', dtypes: NUMERIC,
    grad: (a, b, _y, dy) => [gate(dy, m.lessEqual(a, b)), gate(dy, m.greater(a, b))], ref: (a, b) => Math.min(a, b),
  },
  { type: 'Equal', prim: 'equal', dtypes: ANY, grad: null, ref: cmp((a, b) => a === b) },
  { type: 'NotEqual', prim: 'notEqual', dtypes: ANY, grad: null, ref: cmp((a, b) => a !== b) },
  { type: 'Less', prim: 'less', dtypes: NUMERIC, grad: null, ref: cmp((a, b) => a < b) },
  { type: 'LessEqual', prim: 'lessEqual', dtypes: NUMERIC, grad: null, ref: cmp((a, b) => a <= b) },
  { type: 'Greater', prim: 'greater', dtypes: NUMERIC, grad: null, ref: cmp((a, b) => a > b) },
  { type: 'GreaterEqual', prim: 'greaterEqual', dtypes: NUMERIC, grad: null, ref: cmp((a, b) => a >= b) },
  { type: 'LogicalAnd', prim: 'logicalAnd', dtypes: ['bool'], grad: null, ref: cmp((a, b) => a !== 0 && b !== 0) },
  { type: 'LogicalOr', prim: 'logicalOr', dtypes: ['bool'], grad: null, ref: cmp((a, b) => a !== 0 || b !== 0) },
];


function defineBinary(spec: BinarySpec): OpDef {
  const outDtype = (inDtype: DType): DType => (COMPARISON_OPS.has(spec.prim) ? 'bool' : inDtype);
  return defineOp({
    type: spec.type,
    inferOutputs(inputs, _attrs, node) {
      const [a, b] = inputs;
      if (a.dtype !== b.dtype) throw opError(node, `operand dtypes differ: ${a.dtype} vs ${b.dtype}`);
      if (!spec.dtypes.includes(a.dtype)) throw opError(node, `expects ${spec.dtypes.join(' or ')} operands, got ${a.dtype}`);
      const shape: Shape | undefined = broadcastShapes(a.shape, b.shape);
      if (shape === undefined) {
        throw opError(node, `incompatible shapes for broadcasting: ${formatShape(a.shape)} vs ${formatShape(b.shape)}`);
      }
      return [{ dtype: outDtype(a.dtype), shape }];
    },
    gradient(op, [dy]) {
      if (dy === null || spec.grad === null) return [null, null];
      const [a, b] = op.inputs;
      const [da, db] = spec.grad(a, b, op.outputs[0], dy);
      return [da && m.sumToShapeOf(da, a), db && m.sumToShapeOf(db, b)];
    },
    lower(ctx, node) {
      const [a, b] = node.inputs;
      emitBinary(ctx, spec.prim, a, b, node.outputs[0]);
    },
    reference([a, b], _attrs, node) {
      const shape = broadcastShapes(a.shape, b.shape);
      if (!shape) throw opError(node, `incompatible shapes ${formatShape(a.shape)} vs ${formatShape(b.shape)}`);
      const concrete = shape as number[];
      const dtype = outDtype(a.dtype);
      const out = refArray(concrete, dtype, new Float64Array(numElements(concrete)));
      forEachIndex(concrete, (idx, flat) => {
        const v = spec.ref(a.data[broadcastOffset(idx, a.shape)], b.data[broadcastOffset(idx, b.shape)], a.dtype);
        out.data[flat] = storeAs(dtype, v);
      });
      return [out];
    },
  });
}

export const BINARY_DEFS: Record<string, OpDef> = Object.fromEntries(SPECS.map((s) => [s.type, defineBinary(s)]));

/** Per op type, the primitive it lowers to and its float32 reference: what the fusion pass composes. */
export const BINARY_ELEMENTWISE: ReadonlyMap<string, { prim: BinaryOp; ref: (a: number, b: number) => number; comparison: boolean }> = new Map(
  SPECS.filter((s) => s.dtypes.includes('float32')).map((s) => [
    s.type, { prim: s.prim, ref: (a: number, b: number) => s.ref(a, b, 'float32'), comparison: COMPARISON_OPS.has(s.prim) },
  ]),
);
