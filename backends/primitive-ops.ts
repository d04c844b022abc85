/**
 * The one list of each primitive's ops. Everything else derives from these arrays: the op types
 * (`UnaryOp` ...), the wasm kernels' C enums (backends/wasm/build.mjs generates them from this file's
 * text, so keep each list a plain `export const NAME = [...] as const;` of string literals), the
 * wasm op codes, and the argument checks. Adding an op here without implementing it everywhere is a
 * compile error (TS switches end in `unknownOp`, C switches are over the generated enum) or, for a
 * caller that bypasses the types, a thrown error naming the op — never an unwritten output.
 */

export const UNARY_OPS = [
  'identity', 'neg', 'abs', 'sign', 'exp', 'log', 'sqrt', 'rsqrt', 'square', 'reciprocal', 'relu',
  'step', // 1 where x > 0, else 0 (relu's derivative)
  'sigmoid', 'tanh', 'floor', 'ceil', 'round', 'logicalNot',
] as const;
export type UnaryOp = (typeof UNARY_OPS)[number];

export const BINARY_OPS = [
  'add', 'sub', 'mul', 'div', 'pow', 'max', 'min', 'equal', 'notEqual', 'less', 'lessEqual', 'greater',
  'greaterEqual', 'logicalAnd', 'logicalOr',
] as const;
export type BinaryOp = (typeof BINARY_OPS)[number];

/** The binary ops whose result is bool (1 or 0). */
export const COMPARISON_OP_LIST = [
  'equal', 'notEqual', 'less', 'lessEqual', 'greater', 'greaterEqual', 'logicalAnd', 'logicalOr',
] as const satisfies readonly BinaryOp[];
export type ComparisonOp = (typeof COMPARISON_OP_LIST)[number];
export const COMPARISON_OPS: ReadonlySet<BinaryOp> = new Set<BinaryOp>(COMPARISON_OP_LIST);

export const REDUCE_OPS = ['sum', 'max', 'min', 'prod'] as const;
export type ReduceOp = (typeof REDUCE_OPS)[number];

export const ARG_REDUCE_OPS = ['argmax', 'argmin'] as const;
export type ArgReduceOp = (typeof ARG_REDUCE_OPS)[number];

/** What a fused matmul may apply to its output. */
export const EPILOGUE_ACTIVATIONS = ['none', 'relu'] as const;
export type EpilogueActivation = (typeof EPILOGUE_ACTIVATIONS)[number];

const member = <T extends string>(list: readonly T[]) => {
  const set = new Set<string>(list);
  return (value: unknown): value is T => typeof value === 'string' && set.has(value);
};

export const isUnaryOp = member(UNARY_OPS);
export const isBinaryOp = member(BINARY_OPS);
export const isReduceOp = member(REDUCE_OPS);
export const isArgReduceOp = member(ARG_REDUCE_OPS);

/**
 * The end of an exhaustive switch over an op: a compile error when a case is missing (`op` is not
 * `never` then), and a thrown error naming the op when a caller outside the types passes another.
 */
export function unknownOp(where: string, op: never): never {
  throw new Error(`${where}: unknown op '${String(op)}'`);
}
