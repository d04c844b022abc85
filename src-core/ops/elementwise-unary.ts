/** Elementwise unary ops: one table row per op (primitive, dtypes, gradient, reference). */
import type { UnaryOp } from '../../backends/interface';
import type { DType } from '../graph/dtype';
import type { Tensor } from '../graph/tensor';
import { defineOp, type OpDef } from './op-def';
import { emitUnary } from './lowering';
import { opError, refArray, storeAs } from './support';
import * as m from '../api/math-core';

interface UnarySpec {
  type: string;
  prim: UnaryOp;
  dtypes: readonly DType[];
  /** dL/dx from x, y = f(x) and dL/dy; null: not differentiable (zero gradient). */
  grad: ((x: Tensor, y: Tensor, dy: Tensor) => Tensor) | null;
  ref: (v: number, dtype: DType) => number;
}

const FLOAT: readonly DType[] = ['float32'];
const NUMERIC: readonly DType[] = ['float32', 'int32'];

/** Round half to even, like TF's Round (rint). */
function roundHalfEven(v: number): number {
  const r = Math.round(v);
  return Math.abs(v % 1) === 0.5 && r % 2 !== 0 ? r - 1 : r;
}

const SPECS: UnarySpec[] = [
  { type: 'Neg', prim: 'neg', dtypes: NUMERIC, grad: (_x, _y, dy) => m.neg(dy), ref: (v) => -v },
  { type: 'Abs', prim: 'abs', dtypes: NUMERIC, grad: (x, _y, dy) => m.mul(dy, m.sign(x)), ref: Math.abs },
  { type: 'Sign', prim: 'sign', dtypes: NUMERIC, grad: null, ref: (v) => Math.sign(v) },
  { type: 'Exp', prim: 'exp', dtypes: FLOAT, grad: (_x, y, dy) => m.mul(dy, y), ref: Math.exp },
  { type: 'Log', prim: 'log', dtypes: FLOAT, grad: (x, _y, dy) => m.div(dy, x), ref: Math.log },
  { type: 'Sqrt', prim: 'sqrt', dtypes: FLOAT, grad: (_x, y, dy) => m.div(m.mul(dy, 0.5), y), ref: Math.sqrt },
  {
    type: 'Rsqrt', prim: 'rsqrt', dtypes: FLOAT,
    grad: (_x, y, dy) => m.mul(dy, m.mul(m.mul(y, m.square(y)), -0.5)), ref: (v) => 1 / Math.sqrt(v),
  },
  { type: 'Square', prim: 'square', dtypes: NUMERIC, grad: (x, _y, dy) => m.mul(dy, m.mul(x, 2)), ref: (v, dtype) => (dtype === 'int32' ? Math.imul(v, v) : v * v) },
  {
    type: 'Reciprocal', prim: 'reciprocal', dtypes: FLOAT,
    grad: (_x, y, dy) => m.neg(m.mul(dy, m.square(y))), ref: (v) => 1 / v,
  },
  // relu' is taken as 0 at 0, like TF; `step` is that derivative as a primitive.
  { type: 'Relu', prim: 'relu', dtypes: NUMERIC, grad: (x, _y, dy) => m.mul(dy, m.step(x)), ref: (v) => (v > 0 ? v : Number.isNaN(v) ? v : 0) },
  { type: 'Step', prim: 'step', dtypes: NUMERIC, grad: null, ref: (v) => (v > 0 ? 1 : 0) },
  {
    type: 'Sigmoid', prim: 'sigmoid', dtypes: FLOAT,
    grad: (_x, y, dy) => m.mul(dy, m.mul(y, m.sub(1, y))), ref: (v) => 1 / (1 + Math.exp(-v)),
  },
  {
    type: 'Tanh', prim: 'tanh', dtypes: FLOAT,
    grad: (_x, y, dy) => m.mul(dy, m.sub(1, m.square(y))), ref: Math.tanh,
  },
  { type: 'Floor', prim: 'floor', dtypes: FLOAT, grad: null, ref: Math.floor },
  { type: 'Ceil', prim: 'ceil', dtypes: FLOAT, grad: null, ref: Math.ceil },
  { type: 'Round', prim: 'round', dtypes: FLOAT, grad: null, ref: roundHalfEven },
  { type: 'LogicalNot', prim: 'logicalNot', dtypes: ['bool'], grad: null, ref: (v) => (v === 0 ? 1 : 0) },
];

function defineUnary(spec: UnarySpec): OpDef {
  return defineOp({
    type: spec.type,
    inferOutputs(inputs, _attrs, node) {
      const [x] = inputs;
      if (!spec.dtypes.includes(x.dtype)) {
        throw opError(node, `expects ${spec.dtypes.join(' or ')} input, got ${x.dtype}`);
      }
      return [{ dtype: x.dtype, shape: x.shape }];
    },
    gradient(op, [dy]) {
      if (dy === null || spec.grad === null) return [null];
      return [spec.grad(op.inputs[0], op.outputs[0], dy)];
    },
    lower(ctx, node) {
      emitUnary(ctx, spec.prim, node.inputs[0], node.outputs[0]);
    },
    reference([x]) {
      const out = refArray(x.shape, x.dtype);
      for (let i = 0; i < x.data.length; i++) out.data[i] = storeAs(x.dtype, spec.ref(x.data[i], x.dtype));
      return [out];
    },
  });
}

export const UNARY_DEFS: Record<string, OpDef> = Object.fromEntries(SPECS.map((s) => [s.type, defineUnary(s)]));

/** Per op type, the primitive it lowers to and its float32 reference: what the fusion pass composes. */
export const UNARY_ELEMENTWISE: ReadonlyMap<string, { prim: UnaryOp; ref: (v: number) => number }> = new Map(
  SPECS.filter((s) => s.dtypes.includes('float32')).map((s) => [s.type, { prim: s.prim, ref: (v: number) => s.ref(v, 'float32') }]),
);
