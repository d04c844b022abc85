/**
 * The required primitives' argument checks, in one place, for every backend: what the interface's
 * doc comments promise about each call (a known op, buffer sizes and dtypes that match the descriptor,
 * strided views inside their buffers) checked before the backend sees it. `withPrimitiveChecks` wraps
 * any Backend with them, and the plan compiler lowers every op through that wrapper, so a plugin that
 * trusts its arguments (examples/plugins) gets the same refusals as the built-ins, which also keep
 * their own checks for direct callers. Errors read `<backend> <method> <op>: <what>, <shapes>`.
 */
import { createArgumentChecks } from './argument-checks';
import { FUSED_KERNELS, REQUIRED_METHODS, SELECTION_KERNELS } from './contract';
import type {
  ArgReduceOp, Backend, BackendBuffer, BinaryArgs, BinaryOp, MatMulArgs, ReduceArgs, ReduceOp, StridedCopyArgs, UnaryOp,
} from './interface';
import {
  ARG_REDUCE_OPS, BINARY_OPS, COMPARISON_OPS, REDUCE_OPS, UNARY_OPS, isArgReduceOp, isBinaryOp, isReduceOp, isUnaryOp,
} from './primitive-ops';
import { isDType } from '../src-core/base/dtype';

type RequiredPrimitive = 'fill' | 'cast' | 'unary' | 'binary' | 'reduce' | 'argReduce' | 'matmul' | 'stridedCopy';
export type PrimitiveChecks = Pick<Backend, RequiredPrimitive>;

const describe = (b: BackendBuffer): string => `${b.dtype}[${b.size}]`;

/** 'binary add' and the like, made once: the checks run on every kernel call of a step. */
function methodNames<T extends string>(method: string, ops: readonly T[]): Readonly<Record<T, string>> {
  return Object.fromEntries(ops.map((op) => [op, `${method} ${op}`])) as Record<T, string>;
}
const UNARY_METHOD = methodNames('unary', UNARY_OPS);
const BINARY_METHOD = methodNames('binary', BINARY_OPS);
const REDUCE_METHOD = methodNames('reduce', REDUCE_OPS);
const ARG_REDUCE_METHOD = methodNames('argReduce', ARG_REDUCE_OPS);
const list = (values: readonly number[]): string => `[${values.join(', ')}]`;
const reduceView = ({ outer, reduce, inner }: ReduceArgs): string => `[outer ${outer}, reduce ${reduce}, inner ${inner}]`;
const matmulDims = ({ batch, m, n, k }: MatMulArgs): string => `batch ${batch} of [${m}, ${k}] x [${k}, ${n}]`;

/** The checks, each reporting through `fail(method, message)` (the caller prefixes its backend's name). */
export function createPrimitiveChecks(fail: (method: string, message: string) => never): PrimitiveChecks {
  const checks = createArgumentChecks(fail);

  const isBuffer = (method: string, role: string, b: unknown): void => {
    const buffer = b as Partial<BackendBuffer> | null;
    if (typeof buffer !== 'object' || buffer === null || !Number.isInteger(buffer.size) || !isDType(buffer.dtype)) {
      fail(method, `${role} is not a backend buffer (got ${String(b)})`);
    }
  };
  const sameDtype = (method: string, roles: string, a: BackendBuffer, b: BackendBuffer): void => {
    if (a.dtype !== b.dtype) fail(method, `${roles} must share a dtype, got ${describe(a)} and ${describe(b)}`);
  };
  const reduceShape = (method: string, x: BackendBuffer, out: BackendBuffer, args: ReduceArgs): void => {
    const { outer, reduce, inner } = args;
    checks.checkCount(method, 'outer', outer);
    checks.checkCount(method, 'reduce', reduce);
    checks.checkCount(method, 'inner', inner);
    if (x.size !== outer * reduce * inner) fail(method, `x is ${describe(x)} but the view ${reduceView(args)} has ${outer * reduce * inner} elements`);
    if (out.size !== outer * inner) fail(method, `out is ${describe(out)} but reducing ${reduceView(args)} gives ${outer * inner} elements`);
  };

  return {
    fill(out, value) {
      isBuffer('fill', 'out', out);
      if (typeof value !== 'number') fail('fill', `value must be a number, got ${typeof value}`);
    },
    cast(x, out) {
      isBuffer('cast', 'x', x);
      isBuffer('cast', 'out', out);
      if (x.size !== out.size) fail('cast', `x is ${describe(x)} but out is ${describe(out)}: sizes differ`);
    },
    unary(op: UnaryOp, x, out) {
      if (!isUnaryOp(op)) fail('unary', `unknown op '${String(op)}'`);
      const method = UNARY_METHOD[op];
      isBuffer(method, 'x', x);
      isBuffer(method, 'out', out);
      if (x.size !== out.size) fail(method, `x is ${describe(x)} but out is ${describe(out)}: sizes differ`);
      if (op === 'logicalNot') checks.checkDtype(method, 'out', out, 'bool');
      else sameDtype(method, 'x and out', x, out);
    },
    binary(op: BinaryOp, a, b, out, args: BinaryArgs) {
      if (!isBinaryOp(op)) fail('binary', `unknown op '${String(op)}'`);
      const method = BINARY_METHOD[op];
      isBuffer(method, 'a', a);
      isBuffer(method, 'b', b);
      isBuffer(method, 'out', out);
      sameDtype(method, 'operands', a, b);
      if (COMPARISON_OPS.has(op)) checks.checkDtype(method, 'out', out, 'bool');
      else sameDtype(method, 'operands and out', a, out);
      if (!Array.isArray(args?.shape) || args.shape.length === 0) fail(method, 'args.shape must be a non-empty array (rank >= 1)');
      const size = checks.shapeSize(method, args.shape);
      if (out.size !== size) fail(method, `out is ${describe(out)} but the output shape ${list(args.shape)} has ${size} elements`);
      if (size > 0) {
        checks.checkStridedView(method, 'a', a, args.shape, args.aStrides ?? [], 0);
        checks.checkStridedView(method, 'b', b, args.shape, args.bStrides ?? [], 0);
      }
    },
    reduce(op: ReduceOp, x, out, args) {
      if (!isReduceOp(op)) fail('reduce', `unknown op '${String(op)}'`);
      const method = REDUCE_METHOD[op];
      isBuffer(method, 'x', x);
      isBuffer(method, 'out', out);
      sameDtype(method, 'x and out', x, out);
      reduceShape(method, x, out, args);
    },
    argReduce(op: ArgReduceOp, x, out, args) {
      if (!isArgReduceOp(op)) fail('argReduce', `unknown op '${String(op)}'`);
      const method = ARG_REDUCE_METHOD[op];
      isBuffer(method, 'x', x);
      isBuffer(method, 'out', out);
      checks.checkDtype(method, 'out', out, 'int32');
      reduceShape(method, x, out, args);
      if (args.reduce === 0 && out.size > 0) fail(method, `cannot take ${op} over an empty axis (outer ${args.outer}, inner ${args.inner})`);
    },
    matmul(a, b, out, args: MatMulArgs) {
      const method = 'matmul';
      isBuffer(method, 'a', a);
      isBuffer(method, 'b', b);
      isBuffer(method, 'out', out);
      const { batch, m, n, k, aBatchStride, bBatchStride } = args;
      checks.checkCount(method, 'batch', batch);
      checks.checkCount(method, 'm', m);
      checks.checkCount(method, 'n', n);
      checks.checkCount(method, 'k', k);
      checks.checkCount(method, 'aBatchStride', aBatchStride);
      checks.checkCount(method, 'bBatchStride', bBatchStride);
      sameDtype(method, 'a and b', a, b);
      sameDtype(method, 'a and out', a, out);
      if (out.size !== batch * m * n) fail(method, `out is ${describe(out)} but ${matmulDims(args)} gives ${batch * m * n} elements`);
      if (batch > 0) {
        const needA = (batch - 1) * aBatchStride + m * k;
        const needB = (batch - 1) * bBatchStride + k * n;
        if (a.size < needA) fail(method, `a is ${describe(a)} but ${matmulDims(args)} with batch stride ${aBatchStride} reads ${needA} elements`);
        if (b.size < needB) fail(method, `b is ${describe(b)} but ${matmulDims(args)} with batch stride ${bBatchStride} reads ${needB} elements`);
      }
    },
    stridedCopy(x, out, args: StridedCopyArgs) {
      const method = 'stridedCopy';
      isBuffer(method, 'x', x);
      isBuffer(method, 'out', out);
      sameDtype(method, 'x and out', x, out);
      if (!Array.isArray(args?.shape)) fail(method, 'args.shape must be an array');
      const count = checks.shapeSize(method, args.shape);
      if (args.outStrides === undefined) {
        if (out.size !== count) fail(method, `out is ${describe(out)} but a contiguous copy of shape ${list(args.shape)} writes ${count} elements`);
        if (args.outOffset !== undefined && args.outOffset !== 0) fail(method, 'outOffset needs outStrides');
      }
      if (count > 0) {
        checks.checkStridedView(method, 'x', x, args.shape, args.strides ?? [], args.offset);
        if (args.outStrides !== undefined) checks.checkStridedView(method, 'out', out, args.shape, args.outStrides, args.outOffset ?? 0);
      }
    },
  };
}

const wrapped = new WeakSet<Backend>();

/**
 * `backend` seen through the shared checks: the required primitives are checked, then forwarded;
 * every other method of the contract (the optional kernels only where the backend has them) is
 * forwarded as is, always called on the backend itself. Wrapping a wrapped backend returns it.
 */
export function withPrimitiveChecks(backend: Backend): Backend {
  if (wrapped.has(backend)) return backend;
  const checks = createPrimitiveChecks((method, message) => {
    throw new Error(`${backend.name} ${method}: ${message}`);
  });
  const view: Record<string, unknown> = {};
  for (const key of REQUIRED_METHODS) forward(view, backend, key);
  for (const key of OPTIONAL_CONTRACT_METHODS) if (typeof backend[key] === 'function') forward(view, backend, key);
  Object.defineProperties(view, {
    name: { get: () => backend.name, enumerable: true },
    capabilities: { get: () => backend.capabilities, enumerable: true },
    lost: { get: () => backend.lost, enumerable: true },
  });
  const checked = view as unknown as Backend;
  checked.fill = (out, value) => { checks.fill(out, value); backend.fill(out, value); };
  checked.cast = (x, out) => { checks.cast(x, out); backend.cast(x, out); };
  checked.unary = (op, x, out) => { checks.unary(op, x, out); backend.unary(op, x, out); };
  checked.binary = (op, a, b, out, args) => { checks.binary(op, a, b, out, args); backend.binary(op, a, b, out, args); };
  checked.reduce = (op, x, out, args) => { checks.reduce(op, x, out, args); backend.reduce(op, x, out, args); };
  checked.argReduce = (op, x, out, args) => { checks.argReduce(op, x, out, args); backend.argReduce(op, x, out, args); };
  checked.matmul = (a, b, out, args) => { checks.matmul(a, b, out, args); backend.matmul(a, b, out, args); };
  checked.stridedCopy = (x, out, args) => { checks.stridedCopy(x, out, args); backend.stridedCopy(x, out, args); };
  wrapped.add(checked);
  return checked;
}

function forward(view: Record<string, unknown>, backend: Backend, key: keyof Backend): void {
  const method = backend[key] as unknown as (...args: unknown[]) => unknown;
  view[key] = (...args: unknown[]) => method.apply(backend, args);
}

// The contract's optional methods: with REQUIRED_METHODS, every method of Backend (contract.ts derives
// the lists from the interface), so a method added to Backend is forwarded here too.
const OPTIONAL_CONTRACT_METHODS: readonly (keyof Backend)[] = [...FUSED_KERNELS, ...SELECTION_KERNELS, 'readSync'];
