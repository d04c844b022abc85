/**
 * TF-1's array ops beyond the core set: stack, unstack, split, tile, pad, range, shape, size, rank,
 * where and gather (new backend primitives select and gather; ops/select.ts, ops/gather.ts).
 * stack/unstack/split and the REFLECT/SYMMETRIC pads are built from expand_dims, concat, slice and
 * squeeze (strided copies, and their gradients come from those parts); tile and constant pad have
 * ops of their own (ops/tile.ts, ops/pad.ts), and shape/size/rank are compile-time values
 * (ops/shape-info.ts).
 */
import type { DType } from '../graph/dtype';
import type { Tensor } from '../graph/tensor';
import { Tensor as TensorClass } from '../graph/tensor';
import { InvalidArgumentError, UnimplementedError } from '../errors';
import { NDArray } from '../ndarray';
import { apply } from '../ops/apply';
import { Tile } from '../ops/tile';
import { Pad } from '../ops/pad';
import { Rank, ShapeOp, Size } from '../ops/shape-info';
import { Select } from '../ops/select';
import { Gather } from '../ops/gather';
import * as m from './math-core';
import { constantTensor, toTensor, toTensors, type TensorLike } from './convert';
import { checkInteger, describe, knownRank, mergeOptions, namedOp, resolveAxis, tensorDesc } from './extra-options';

interface AxisOptions {
  axis?: number;
  name?: string;
}

/** tf.stack(values, axis=0): packs same-shaped tensors along a new axis. */
function stackImpl(values: TensorLike[], axisOrOptions?: number | AxisOptions, options?: AxisOptions): Tensor {
  const opts = mergeOptions<AxisOptions>('stack', 'axis', axisOrOptions, options, ['axis', 'name']);
  if (!Array.isArray(values) || values.length === 0) throw new InvalidArgumentError('stack: values must be a non-empty list of tensors');
  const ts = toTensors(values, values.map((_, i) => `values[${i}]`));
  const rank = knownRank('stack', ts[0]);
  const axis = checkInteger('stack', 'axis', opts.axis ?? 0);
  if (axis < -rank - 1 || axis > rank) throw new InvalidArgumentError(`stack: axis ${axis} is out of range [${-rank - 1}, ${rank}] for values of rank ${rank}`);
  return ts[0].graph.nameScope(opts.name ?? 'stack', () => m.concat(ts.map((t) => m.expandDims(t, axis)), axis));
}

interface UnstackOptions {
  num?: number;
  axis?: number;
  name?: string;
}

/** tf.unstack(value, num=None, axis=0): the slices of `value` along `axis`, that axis removed. */
function unstackImpl(value: TensorLike, numOrOptions?: number | UnstackOptions, options?: UnstackOptions): Tensor[] {
  const opts = mergeOptions<UnstackOptions>('unstack', 'num', numOrOptions, options, ['num', 'axis', 'name']);
  const x = toTensor(value);
  const rank = knownRank('unstack', x);
  if (rank === 0) throw new InvalidArgumentError(`unstack: cannot unstack a scalar ${tensorDesc(x)}`);
  const axis = resolveAxis('unstack', opts.axis ?? 0, rank);
  const dim = (x.shape as (number | null)[])[axis];
  if (opts.num !== undefined) checkInteger('unstack', 'num', opts.num);
  if (dim !== null && opts.num !== undefined && opts.num !== dim) {
    throw new InvalidArgumentError(`unstack: num ${opts.num} does not match dim ${axis} of ${tensorDesc(x)}`);
  }
  const n = dim ?? opts.num;
  if (n === undefined) throw new InvalidArgumentError(`unstack: dim ${axis} of ${tensorDesc(x)} is unknown; give num`);
  return x.graph.nameScope(opts.name ?? 'unstack', () =>
    Array.from({ length: n }, (_, i) => {
      const begin = new Array<number>(rank).fill(0);
      const size = new Array<number>(rank).fill(-1);
      begin[axis] = i;
      size[axis] = 1;
      return m.squeeze(m.slice(x, begin, size), [axis]);
    }));
}

interface SplitOptions {
  axis?: number;
  num?: number;
  name?: string;
}

/**
 * tf.split(value, num_or_size_splits, axis=0): `n` equal pieces, or pieces of the listed sizes (one
 * of which may be -1: the rest).
 */
function splitImpl(value: TensorLike, numOrSizeSplits: number | number[], axisOrOptions?: number | SplitOptions, options?: SplitOptions): Tensor[] {
  const opts = mergeOptions<SplitOptions>('split', 'axis', axisOrOptions, options, ['axis', 'num', 'name']);
  const x = toTensor(value);
  const rank = knownRank('split', x);
  if (rank === 0) throw new InvalidArgumentError(`split: cannot split a scalar ${tensorDesc(x)}`);
  const axis = resolveAxis('split', opts.axis ?? 0, rank);
  const dim = (x.shape as (number | null)[])[axis];
  const sizes = splitSizes(numOrSizeSplits, dim, x, axis);
  if (opts.num !== undefined && opts.num !== sizes.length) throw new InvalidArgumentError(`split: num ${opts.num} does not match ${sizes.length} pieces`);
  return x.graph.nameScope(opts.name ?? 'split', () => {
    let at = 0;
    return sizes.map((s) => {
      const begin = new Array<number>(rank).fill(0);
      const size = new Array<number>(rank).fill(-1);
      begin[axis] = at;
      size[axis] = s;
      at += s;
      return m.slice(x, begin, size);
    });
  });
}

function splitSizes(spec: number | number[], dim: number | null, x: Tensor, axis: number): number[] {
  const where = `dim ${axis} of ${tensorDesc(x)}`;
  if (typeof spec === 'number') {
    checkInteger('split', 'num_or_size_splits', spec);
    if (spec < 1) throw new InvalidArgumentError(`split: num_or_size_splits must be >= 1, got ${spec}`);
    if (dim === null) throw new InvalidArgumentError(`split: ${where} is unknown; an even split needs it known (or give sizes)`);
    if (dim % spec !== 0) throw new InvalidArgumentError(`split: ${where} (${dim}) is not divisible by ${spec}`);
    return new Array<number>(spec).fill(dim / spec);
  }
  if (!Array.isArray(spec) || spec.length === 0 || spec.some((s) => !Number.isInteger(s) || s < -1)) {
    throw new InvalidArgumentError(`split: num_or_size_splits must be a number or a non-empty list of sizes (-1 once for the rest), got ${describe(spec)}`);
  }
  const rest = spec.filter((s) => s === -1).length;
  if (rest > 1) throw new InvalidArgumentError(`split: at most one size may be -1, got ${describe(spec)}`);
  const known = spec.reduce((a, s) => a + (s === -1 ? 0 : s), 0);
  if (dim === null) {
    if (rest === 1) throw new InvalidArgumentError(`split: ${where} is unknown, so a -1 size cannot be resolved`);
    return [...spec];
  }
  if (rest === 0 && known !== dim) throw new InvalidArgumentError(`split: sizes ${describe(spec)} sum to ${known}, but ${where} is ${dim}`);
  if (known > dim) throw new InvalidArgumentError(`split: sizes ${describe(spec)} exceed ${where} (${dim})`);
  return spec.map((s) => (s === -1 ? dim - known : s));
}

/** tf.tile(input, multiples): `input` repeated multiples[i] times along dim i. */
function tileImpl(input: TensorLike, multiples: number[], name?: string | { name?: string }): Tensor {
  const x = toTensor(input);
  if (!Array.isArray(multiples) || multiples.some((k) => !Number.isInteger(k) || k < 0)) {
    throw new InvalidArgumentError(`tile: multiples must be a list of non-negative integers, got ${describe(multiples)}`);
  }
  return apply(Tile, [x], { multiples: [...multiples] }, nameArg('tile', name) ?? 'Tile');
}

function nameArg(fn: string, name: string | { name?: string } | undefined): string | undefined {
  if (name === undefined || typeof name === 'string') return name;
  return mergeOptions<{ name?: string }>(fn, 'name', name, undefined, ['name']).name;
}

export type PadMode = 'CONSTANT' | 'REFLECT' | 'SYMMETRIC';

interface PadOptions {
  mode?: PadMode | Lowercase<PadMode>;
  constant_values?: number;
  name?: string;
}

/**
 * tf.pad(tensor, paddings, mode='CONSTANT', {constant_values, name}): paddings[i] = [before, after]
 * for dim i. REFLECT mirrors without the edge, SYMMETRIC with it (both need the dim known).
 */
function padImpl(tensor: TensorLike, paddings: number[][], modeOrOptions?: PadMode | Lowercase<PadMode> | PadOptions, options?: PadOptions): Tensor {
  const opts = mergeOptions<PadOptions>('pad', 'mode', modeOrOptions, options, ['mode', 'constant_values', 'name']);
  const x = toTensor(tensor);
  const rank = knownRank('pad', x);
  if (!Array.isArray(paddings) || paddings.length !== rank || paddings.some((p) => !Array.isArray(p) || p.length !== 2 || p.some((v) => !Number.isInteger(v) || v < 0))) {
    throw new InvalidArgumentError(`pad: paddings must be ${rank} [before, after] pairs of non-negative integers for ${tensorDesc(x)}, got ${describe(paddings)}`);
  }
  const pairs = paddings.map(([a, b]) => [a, b] as [number, number]);
  const mode = String(opts.mode ?? 'CONSTANT').toUpperCase();
  const value = opts.constant_values ?? 0;
  if (typeof value !== 'number') throw new InvalidArgumentError(`pad: constant_values must be a number, got ${describe(value)}`);
  if (mode === 'CONSTANT') return apply(Pad, [x], { paddings: pairs, constant_value: value }, opts.name ?? 'Pad');
  if (mode !== 'REFLECT' && mode !== 'SYMMETRIC') throw new InvalidArgumentError(`pad: mode must be CONSTANT, REFLECT or SYMMETRIC, got ${describe(opts.mode)}`);
  if (opts.constant_values !== undefined) throw new InvalidArgumentError(`pad: constant_values applies to CONSTANT mode only, not ${mode}`);
  return x.graph.nameScope(opts.name ?? 'MirrorPad', () => pairs.reduce((t, p, axis) => mirrorPad(t, p, axis, mode === 'REFLECT'), x));
}

/** Pads one dim by mirrored size-1 slices (each a strided copy; the gradient flows back through them). */
function mirrorPad(x: Tensor, [before, after]: [number, number], axis: number, reflect: boolean): Tensor {
  if (before === 0 && after === 0) return x;
  const shape = x.shape as (number | null)[];
  const d = shape[axis];
  const mode = reflect ? 'REFLECT' : 'SYMMETRIC';
  if (d === null) throw new InvalidArgumentError(`pad: ${mode} padding of dim ${axis} of ${tensorDesc(x)} needs that dim known`);
  const limit = reflect ? d - 1 : d;
  if (before > limit || after > limit) {
    throw new InvalidArgumentError(`pad: ${mode} paddings [${before}, ${after}] of dim ${axis} must be at most ${limit} for ${tensorDesc(x)}`);
  }
  const at = (i: number) => {
    const begin = shape.map(() => 0);
    const size = shape.map(() => -1);
    begin[axis] = i;
    size[axis] = 1;
    return m.slice(x, begin, size);
  };
  const shift = reflect ? 1 : 0;
  const head = Array.from({ length: before }, (_, k) => at(before - k - 1 + shift));
  const tail = Array.from({ length: after }, (_, k) => at(d - 1 - k - shift));
  return m.concat([...head, x, ...tail], axis);
}

interface RangeOptions {
  limit?: number;
  delta?: number;
  dtype?: DType;
  name?: string;
}

/**
 * tf.range(start, limit?, delta=1, {dtype, name}): [start, start+delta, ...) up to limit (exclusive);
 * range(n) is [0, n). int32 when every bound is a whole number (as TF-1 with Python ints), else
 * float32, unless dtype says. The bounds are numbers: a Tensor bound would make the shape data-dependent.
 */
function rangeImpl(start: number, limitOrOptions?: number | RangeOptions, deltaOrOptions?: number | RangeOptions, options?: RangeOptions): Tensor {
  const trailing = [limitOrOptions, deltaOrOptions, options].find((v): v is RangeOptions => typeof v === 'object' && v !== null);
  const opts = mergeOptions<RangeOptions>('range', 'name', undefined, trailing, ['limit', 'delta', 'dtype', 'name']);
  const limitArg = typeof limitOrOptions === 'number' ? limitOrOptions : opts.limit;
  const delta = typeof deltaOrOptions === 'number' ? deltaOrOptions : (opts.delta ?? 1);
  for (const [what, v] of [['start', start], ['limit', limitArg], ['delta', delta]] as const) {
    if ((v as unknown) instanceof TensorClass) throw new InvalidArgumentError(`range: ${what} must be a number, not a Tensor (the output's length would depend on a value)`);
    if (v !== undefined && (typeof v !== 'number' || !Number.isFinite(v))) throw new InvalidArgumentError(`range: ${what} must be a finite number, got ${describe(v)}`);
  }
  const [lo, hi] = limitArg === undefined ? [0, start] : [start, limitArg];
  if (delta === 0) throw new InvalidArgumentError('range: delta must not be 0');
  if ((delta > 0 && lo > hi) || (delta < 0 && lo < hi)) {
    throw new InvalidArgumentError(`range: start ${lo} and limit ${hi} go the other way from delta ${delta}`);
  }
  const n = Math.ceil((hi - lo) / delta);
  if (n > 2 ** 28) throw new InvalidArgumentError(`range: ${n} elements is too many`);
  const dtype = opts.dtype ?? ([lo, hi, delta].every(Number.isInteger) ? 'int32' : 'float32');
  if (dtype !== 'int32' && dtype !== 'float32') throw new InvalidArgumentError(`range: dtype must be int32 or float32, got ${describe(dtype)}`);
  const values = Array.from({ length: n }, (_, i) => lo + i * delta);
  const data = dtype === 'int32' ? Int32Array.from(values) : Float32Array.from(values);
  return constantTensor(new NDArray(data, [n], dtype), dtype, opts.name ?? 'range');
}

interface ShapeOptions {
  name?: string;
  out_type?: DType;
}

const shapeInfo = (fn: string, def: typeof ShapeOp, opName: string, outTypes: boolean) =>
  namedOp(fn, (input: TensorLike, nameOrOptions?: string | ShapeOptions, outType?: DType): Tensor => {
    const opts = mergeOptions<ShapeOptions>(fn, 'name', nameOrOptions, outType === undefined ? undefined : { out_type: outType }, outTypes ? ['name', 'out_type'] : ['name']);
    const outTypeValue = opts.out_type ?? 'int32';
    if (outTypeValue !== 'int32' && outTypeValue !== 'float32') throw new InvalidArgumentError(`${fn}: out_type must be int32 or float32, got ${describe(outTypeValue)}`);
    return apply(def, [toTensor(input)], { out_type: outTypeValue }, opts.name ?? opName);
  });

/** tf.shape(input, name?, out_type=int32): the input's shape as a 1-D tensor, known when the graph runs. */
export const shape = shapeInfo('shape', ShapeOp, 'Shape', true);
/** tf.size(input, name?, out_type=int32): the number of elements, a scalar. */
export const size = shapeInfo('size', Size, 'Size', true);
/** tf.rank(input, name?): the number of dims, an int32 scalar. */
export const rank = shapeInfo('rank', Rank, 'Rank', false);

/**
 * tf.where(condition, x, y): x where condition is true, else y, exactly (the other branch's NaN or Inf
 * never leaks). Broadcasting as TF's where_v2, plus TF-1's row form: a vector condition with x of
 * higher rank picks whole rows. The one-argument form (coordinates of true elements) has a
 * data-dependent shape and is refused.
 */
function whereImpl(condition: TensorLike, x?: TensorLike, y?: TensorLike, name?: string | { name?: string }): Tensor {
  if (x === undefined || y === undefined) {
    throw new UnimplementedError('where: the one-argument form (coordinates of the true elements) has a data-dependent shape and is not supported; give both x and y');
  }
  const c = toTensor(condition, 'bool', undefined, 'condition');
  const [a, b] = toTensors([x, y], ['x', 'y']);
  if (c.dtype !== 'bool') throw new InvalidArgumentError(`where: condition must be bool, got ${tensorDesc(c)}`);
  const opName = nameArg('where', name) ?? 'Select';
  const rows = c.shape !== null && c.shape.length === 1 && a.shape !== null && a.shape.length > 1 && (c.shape[0] === null || a.shape[0] === null || c.shape[0] === a.shape[0]) && c.shape[0] !== 1;
  const cond = rows ? m.reshape(c, [-1, ...new Array<number>((a.shape as unknown[]).length - 1).fill(1)]) : c;
  return apply(Select, [cond, a, b], {}, opName);
}

interface GatherOptions {
  validate_indices?: boolean;
  axis?: number;
  name?: string;
}

/**
 * tf.gather(params, indices, {axis=0, name}): slices of params along axis at int32 indices; output
 * shape params[:axis] + indices.shape + params[axis+1:]. An index outside [0, dim) gives zeros.
 */
function gatherImpl(params: TensorLike, indices: TensorLike, validateOrOptions?: boolean | GatherOptions, options?: GatherOptions): Tensor {
  const opts = mergeOptions<GatherOptions>('gather', 'validate_indices', validateOrOptions, options, ['validate_indices', 'axis', 'name']);
  const p = toTensor(params, undefined, undefined, 'params');
  const idx = toTensor(indices, 'int32', p.graph, 'indices');
  if (idx.dtype !== 'int32') throw new InvalidArgumentError(`gather: indices must be int32 (whole numbers), got ${tensorDesc(idx)}`);
  const axis = checkInteger('gather', 'axis', opts.axis ?? 0);
  if (p.shape !== null) resolveAxis('gather', axis, p.shape.length);
  return apply(Gather, [p, idx], { axis }, opts.name ?? 'Gather');
}

// Public entry points: every failure is a tf.errors.* naming the op (see namedOp).
export const stack = namedOp('stack', stackImpl);
export const unstack = namedOp('unstack', unstackImpl);
export const split = namedOp('split', splitImpl);
export const tile = namedOp('tile', tileImpl);
export const pad = namedOp('pad', padImpl);
export const range = namedOp('range', rangeImpl);
export const where = namedOp('where', whereImpl);
export const gather = namedOp('gather', gatherImpl);
