/** Op codes shared with csrc/ (the enums in elementwise.c and reduce.c, in the same order). */
import type { BinaryOp, ReduceOp, UnaryOp } from '../../interface';

export const UNARY_CODE: Readonly<Record<UnaryOp, number>> = {
  identity: 0, neg: 1, abs: 2, sign: 3, exp: 4, log: 5, sqrt: 6, rsqrt: 7, square: 8, reciprocal: 9,
  relu: 10, step: 11, sigmoid: 12, tanh: 13, floor: 14, ceil: 15, round: 16, logicalNot: 17,
};

export const BINARY_CODE: Readonly<Record<BinaryOp, number>> = {
  add: 0, sub: 1, mul: 2, div: 3, pow: 4, max: 5, min: 6, equal: 7, notEqual: 8, less: 9,
  lessEqual: 10, greater: 11, greaterEqual: 12, logicalAnd: 13, logicalOr: 14,
};

export const REDUCE_CODE: Readonly<Record<ReduceOp, number>> = { sum: 0, max: 1, min: 2, prod: 3 };
