/**
 * Broadcasting binary ops. ONE generator: the op's expression (per operand type) dropped into a
 * strided-index template per rank class, so shaders are keyed by (op, dtype, rank class) and every
 * shape reuses them; the shape and both operands' strides travel in the params buffer.
 */
import { COMPARISON_OPS, unknownOp, type BinaryArgs, type BinaryOp, type ComparisonOp } from '../../interface';
import type { GpuContext } from '../context';
import type { WebGpuBuffer } from '../buffer';
import { collapseDims } from '../layout';
import { elementwiseKernel, padDims, rankClass, scalarOf, stridedOffsets, type Scalar } from '../wgsl';

const COMPARE: Record<Exclude<ComparisonOp, 'logicalAnd' | 'logicalOr'>, string> = {
  equal: '==', notEqual: '!=', less: '<', lessEqual: '<=', greater: '>', greaterEqual: '>=',
};

/** int32 helpers: TF-1 floors integer division (x / 0 gives 0, as cpu stores it); pow by squaring. */
const INT_HELPERS = `fn floorDiv(a: i32, b: i32) -> i32 {
  if (b == 0) { return 0; }
  let q = a / b;
  if (a % b != 0 && ((a < 0) != (b < 0))) { return q - 1; }
  return q;
}
fn ipow(a: i32, b: i32) -> i32 {
  if (b < 0) {
    if (a == 1) { return 1; }
    if (a == -1) { return select(-1, 1, (b & 1) == 0); }
    return 0;
  }
  var r = 1;
  var base = a;
  var e = b;
  loop {
    if (e == 0) { break; }
    if ((e & 1) == 1) { r = r * base; }
    base = base * base;
    e = e >> 1u;
  }
  return r;
}`;

/** The expression of `op` on operands of type `t` (comparisons give u32 0/1), shared with the fused shaders. */
export function expression(op: BinaryOp, t: Scalar, a: string, b: string): string {
  const zero = t === 'f32' ? '0.0' : t === 'i32' ? '0i' : '0u';
  switch (op) {
    case 'equal': case 'notEqual': case 'less': case 'lessEqual': case 'greater': case 'greaterEqual':
      return `select(0u, 1u, ${a} ${COMPARE[op]} ${b})`;
    case 'logicalAnd': return `select(0u, 1u, ${a} != ${zero} && ${b} != ${zero})`;
    case 'logicalOr': return `select(0u, 1u, ${a} != ${zero} || ${b} != ${zero})`;
    case 'add': return `${a} + ${b}`; // i32 wraps on overflow
    case 'sub': return `${a} - ${b}`;
    case 'mul': return `${a} * ${b}`;
    case 'div': return t === 'i32' ? `floorDiv(${a}, ${b})` : `${a} / ${b}`;
    case 'pow': return t === 'i32' ? `ipow(${a}, ${b})` : `pow(${a}, ${b})`;
    case 'max': return `max(${a}, ${b})`;
    case 'min': return `min(${a}, ${b})`;
  }
  return unknownOp('webgpu binary', op);
}

function shader(ctx: GpuContext, op: BinaryOp, t: Scalar, rank: number): string {
  const out: Scalar = COMPARISON_OPS.has(op) ? 'u32' : t;
  const body = `${stridedOffsets(rank, 1, ['ai', 'bi'])}
  out[i] = ${expression(op, t, 'a[ai]', 'b[bi]')};`;
  const bindings = [{ name: 'a', type: t }, { name: 'b', type: t }, { name: 'out', type: out, write: true }] as const;
  return elementwiseKernel(ctx.workgroupSize, bindings, body, t === 'i32' ? INT_HELPERS : '');
}

export function binaryKernel(
  ctx: GpuContext, op: BinaryOp, a: WebGpuBuffer, b: WebGpuBuffer, out: WebGpuBuffer, args: BinaryArgs,
): void {
  if (out.size === 0) return;
  const layout = collapseDims(args.shape, [args.aStrides, args.bStrides]);
  const rank = rankClass(layout.shape.length);
  const t = scalarOf(a.dtype);
  const pipeline = ctx.pipeline(`binary:${op}:${t}:r${rank}`, () => shader(ctx, op, t, rank));
  const params = Int32Array.of(
    out.size,
    ...padDims(layout.shape, rank, 1),
    ...padDims(layout.strides[0], rank, 0),
    ...padDims(layout.strides[1], rank, 0),
  );
  ctx.dispatch(pipeline, [a.gpu('binary'), b.gpu('binary'), out.gpu('binary')], params, ctx.grid(out.size));
}
