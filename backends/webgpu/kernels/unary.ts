/**
 * Element-wise unary ops: one shader per (op, dtype) from the expression table below. Exact ops are
 * exact; exp/log/sqrt/tanh/... use WGSL builtins, whose accuracy the spec bounds (see the tolerances in
 * test/conformance/webgpu.test.ts).
 */
import { unknownOp, type UnaryOp } from '../../interface';
import type { GpuContext } from '../context';
import type { WebGpuBuffer } from '../buffer';
import { elementwiseKernel, scalarOf, type Scalar } from '../wgsl';

/** The float32 expression of `op` on `v`, shared with the fused elementwise shaders. */
export function floatExpr(op: UnaryOp, v: string): string {
  switch (op) {
    case 'identity': return v;
    case 'neg': return `-${v}`;
    case 'abs': return `abs(${v})`;
    case 'sign': return `sign(${v})`;
    case 'exp': return `exp(${v})`;
    case 'log': return `log(${v})`;
    case 'sqrt': return `sqrt(${v})`;
    case 'rsqrt': return `inverseSqrt(${v})`;
    case 'square': return `${v} * ${v}`;
    case 'reciprocal': return `1.0 / ${v}`;
    case 'relu': return `max(${v}, 0.0)`;
    case 'step': return `select(0.0, 1.0, ${v} > 0.0)`;
    // exp(-|v|) never overflows; r = 1/(1+e) is sigmoid(|v|), and e*r its mirror for v < 0.
    case 'sigmoid': return `sigmoidStable(${v})`;
    // Some drivers compute tanh through exp and return NaN past |v| ~ 44; tanh(±10) is ±1 in float32.
    case 'tanh': return `tanh(clamp(${v}, -10.0, 10.0))`;
    case 'floor': return `floor(${v})`;
    case 'ceil': return `ceil(${v})`;
    case 'round': return `round(${v})`; // WGSL rounds halves to even, like TF's rint
    case 'logicalNot': return `select(0.0, 1.0, ${v} == 0.0)`;
  }
  return unknownOp('webgpu unary', op);
}

function intExpr(op: UnaryOp, v: string): string | null {
  switch (op) {
    case 'identity': return v;
    case 'neg': return `-${v}`; // wraps for INT32_MIN, like two's complement negation
    case 'abs': return `abs(${v})`;
    case 'sign': return `sign(${v})`;
    case 'square': return `${v} * ${v}`; // i32 multiplication wraps
    case 'relu': return `max(${v}, 0i)`;
    case 'step': return `select(0i, 1i, ${v} > 0i)`;
    case 'logicalNot': return `select(0i, 1i, ${v} == 0i)`;
    // Float-only: the op layer never sends these int32 inputs; a plugin caller gets the error below.
    case 'exp': case 'log': case 'sqrt': case 'rsqrt': case 'reciprocal': case 'sigmoid': case 'tanh':
    case 'floor': case 'ceil': case 'round':
      return null;
  }
  return unknownOp('webgpu unary', op);
}

function boolExpr(op: UnaryOp, v: string): string | null {
  if (op === 'identity') return v;
  if (op === 'logicalNot') return `select(0u, 1u, ${v} == 0u)`;
  return null;
}

/** The helper functions floatExpr's expressions call. */
export const HELPERS = `fn sigmoidStable(v: f32) -> f32 {
  let e = exp(-abs(v));
  let r = 1.0 / (1.0 + e);
  return select(e * r, r, v >= 0.0);
}`;

function expression(op: UnaryOp, scalar: Scalar): string {
  const expr = scalar === 'f32' ? floatExpr(op, 'x[i]') : scalar === 'i32' ? intExpr(op, 'x[i]') : boolExpr(op, 'x[i]');
  if (expr === null) throw new Error(`webgpu unary: ${op} is not defined for ${scalar === 'i32' ? 'int32' : 'bool'}`);
  return expr;
}

/** logicalNot writes bool (u32 storage) whatever its input: 1 where x is zero. */
function logicalNotExpr(scalar: Scalar, v: string): string {
  const zero = scalar === 'f32' ? '0.0' : scalar === 'i32' ? '0i' : '0u';
  return `select(0u, 1u, ${v} == ${zero})`;
}

export function unaryKernel(ctx: GpuContext, op: UnaryOp, x: WebGpuBuffer, out: WebGpuBuffer): void {
  if (out.size === 0) return;
  const scalar = scalarOf(x.dtype);
  // The output's own type: a float32 logicalNot stored f32 1.0's bits (1065353216) into a bool buffer.
  const outScalar = op === 'logicalNot' ? 'u32' : scalar;
  const expr = op === 'logicalNot' ? logicalNotExpr(scalar, 'x[i]') : expression(op, scalar); // validates before compiling
  const pipeline = ctx.pipeline(`unary:${op}:${scalar}`, () =>
    elementwiseKernel(ctx.workgroupSize, [{ name: 'x', type: scalar }, { name: 'out', type: outScalar, write: true }],
      `  out[i] = ${expr};`, scalar === 'f32' && op !== 'logicalNot' ? HELPERS : ''));
  ctx.dispatch(pipeline, [x.gpu('unary'), out.gpu('unary')], Int32Array.of(out.size), ctx.grid(out.size));
}
