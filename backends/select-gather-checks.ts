/**
 * Argument checks for the select, gather and segmentSum primitives, shared by every built-in backend
 * (each passes its own `fail`, so messages read `<backend> <method>: ...`). All are O(rank).
 */
import type { ArgumentChecks } from './argument-checks';
import type { BackendBuffer, GatherArgs, SelectArgs } from './interface';

type Fail = (method: string, message: string) => never;

export function checkSelectCall(checks: ArgumentChecks, fail: Fail, cond: BackendBuffer, a: BackendBuffer, b: BackendBuffer, out: BackendBuffer, args: SelectArgs): void {
  const method = 'select';
  checks.checkDtype(method, 'cond', cond, 'bool');
  if (a.dtype !== b.dtype) fail(method, `a and b must share a dtype, got ${a.dtype} and ${b.dtype}`);
  checks.checkDtype(method, 'out', out, a.dtype);
  checks.checkSize(method, 'out', out, checks.shapeSize(method, args.shape));
  if (out.size === 0) return;
  checks.checkStridedView(method, 'cond', cond, args.shape, args.condStrides, 0);
  checks.checkStridedView(method, 'a', a, args.shape, args.aStrides, 0);
  checks.checkStridedView(method, 'b', b, args.shape, args.bStrides, 0);
}

/** gather: params [outer, axis, inner] -> out [outer, count, inner]; segmentSum the other way round. */
export function checkGatherCall(
  checks: ArgumentChecks, fail: Fail, method: 'gather' | 'segmentSum', source: BackendBuffer, indices: BackendBuffer, out: BackendBuffer, args: GatherArgs,
): void {
  for (const key of ['outer', 'axis', 'inner', 'count'] as const) checks.checkCount(method, key, args[key]);
  checks.checkDtype(method, 'indices', indices, 'int32');
  checks.checkSize(method, 'indices', indices, args.count);
  if (source.dtype !== out.dtype) fail(method, `${method === 'gather' ? 'params' : 'x'} is ${source.dtype} but out is ${out.dtype}`);
  if (method === 'segmentSum' && source.dtype === 'bool') fail(method, 'cannot sum bool values');
  const wide = args.outer * args.axis * args.inner;
  const narrow = args.outer * args.count * args.inner;
  checks.checkSize(method, method === 'gather' ? 'params' : 'out', method === 'gather' ? source : out, wide);
  checks.checkSize(method, method === 'gather' ? 'out' : 'x', method === 'gather' ? out : source, narrow);
}
