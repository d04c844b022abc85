import { COMPARISON_OPS, type BinaryArgs, type BinaryOp } from '../../interface';
import { fail } from '../checks';
import { DTYPE_CODE, type WasmBuffer } from '../wasm-buffer';
import { BINARY_CODE } from './codes';
import { checkStatus } from './status';
import { collapseDims } from '../../collapse-dims';
import { MAX_RANK, memoize, writeArgs, type KernelContext } from './context';

/** [rank, shape..., aStrides..., bStrides...], the layout csrc/elementwise.c's `binary` reads. */
function describe(args: BinaryArgs): Int32Array {
  const layout = collapseDims(args.shape, [args.aStrides, args.bStrides]);
  const rank = layout.shape.length;
  if (rank > MAX_RANK) fail('binary', `rank ${rank} after merging dims exceeds the kernels' limit of ${MAX_RANK}`);
  return Int32Array.from([rank, ...layout.shape, ...layout.strides[0], ...layout.strides[1]]);
}

const descriptors = new WeakMap<BinaryArgs, Int32Array>();

/**
 * Broadcasting binary op. After merging dims, a same-shape op is one contiguous row, a scalar
 * operand or a row/column broadcast is a row loop with that operand fixed (each a vectorized loop
 * in the kernel), and anything else walks an odometer over the outer dims with strided rows.
 */
export function binaryKernel(
  ctx: KernelContext, op: BinaryOp, a: WasmBuffer, b: WasmBuffer, out: WasmBuffer, args: BinaryArgs,
): void {
  const code = BINARY_CODE[op];
  if (code === undefined) fail('binary', `unknown op '${String(op)}'`);
  if (a.dtype === 'bool' && !COMPARISON_OPS.has(op)) fail(`binary ${op}`, 'bool operands are not supported');
  if (out.size === 0) return;
  writeArgs(ctx, memoize(descriptors, args, describe));
  checkStatus(`binary ${op}`, ctx.kernels.binary(code, DTYPE_CODE[a.dtype], a.offset, b.offset, out.offset), `'${op}' on ${a.dtype}`);
}
