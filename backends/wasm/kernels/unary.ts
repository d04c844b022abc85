import type { UnaryOp } from '../../interface';
import type { WasmBuffer } from '../wasm-buffer';
import { DTYPE_CODE } from '../wasm-buffer';
import { fail } from '../checks';
import type { KernelContext } from './context';
import { UNARY_CODE } from './codes';
import { checkStatus } from './status';

/** int32 ops: the ones the op layer allows on integers, plus floor/ceil/round (the identity there). */
const INT32_OPS: ReadonlySet<UnaryOp> = new Set<UnaryOp>([
  'identity', 'neg', 'abs', 'sign', 'square', 'relu', 'step', 'floor', 'ceil', 'round',
]);

/**
 * Element-wise unary op. float32 takes every op (transcendentals are the SIMD polynomials in
 * csrc/mathf.c), int32 the integer ones, and logicalNot maps any dtype to bool.
 */
export function unaryKernel(ctx: KernelContext, op: UnaryOp, x: WasmBuffer, out: WasmBuffer): void {
  const method = `unary ${op}`;
  if (op === 'logicalNot') {
    if (out.dtype !== 'bool') fail(method, `out is ${out.dtype}, expected bool`);
    if (x.size > 0) ctx.kernels.logical_not(x.offset, out.offset, x.size, DTYPE_CODE[x.dtype]);
    return;
  }
  if (out.dtype !== x.dtype) fail(method, `out is ${out.dtype} but x is ${x.dtype}`);
  const code = UNARY_CODE[op];
  if (code === undefined) fail('unary', `unknown op '${String(op)}'`);
  if (x.size === 0) return;
  if (x.dtype === 'float32') checkStatus(method, ctx.kernels.unary_f32(code, x.offset, out.offset, x.size), `'${op}'`);
  else if (x.dtype === 'int32' && INT32_OPS.has(op)) checkStatus(method, ctx.kernels.unary_i32(code, x.offset, out.offset, x.size), `'${op}'`);
  else if (x.dtype === 'bool' && op === 'identity') ctx.heap.u8.copyWithin(out.offset, x.offset, x.offset + x.size);
  else fail(method, `${x.dtype} input is not supported`);
}
