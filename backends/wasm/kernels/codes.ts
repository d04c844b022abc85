/**
 * Op codes shared with csrc/: an op's code is its index in its list in primitive-ops.ts, which is
 * also the value build.mjs gives it in the generated C enum (ops.gen.h), so the two cannot drift.
 */
import { BINARY_OPS, REDUCE_OPS, UNARY_OPS } from '../../primitive-ops';
import type { BinaryOp, ReduceOp, UnaryOp } from '../../primitive-ops';

/** Without a prototype, so a name from outside the types ('toString') finds no code either. */
function codes<T extends string>(list: readonly T[]): Readonly<Record<T, number>> {
  return Object.assign(Object.create(null) as Record<T, number>, Object.fromEntries(list.map((op, i) => [op, i])));
}

export const UNARY_CODE: Readonly<Record<UnaryOp, number>> = codes(UNARY_OPS);
export const BINARY_CODE: Readonly<Record<BinaryOp, number>> = codes(BINARY_OPS);
export const REDUCE_CODE: Readonly<Record<ReduceOp, number>> = codes(REDUCE_OPS);
