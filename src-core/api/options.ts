/** Parsing of TF-1 keyword arguments given as a trailing options object (or positionally). */
import { InvalidArgumentError } from '../errors';

export interface ReduceOptions {
  axis?: number | number[] | null;
  reduction_indices?: number | number[] | null;
  keep_dims?: boolean;
  keepdims?: boolean;
  name?: string;
}

export interface NameOption {
  name?: string;
}

/** `reduce_sum(x, 1)`, `reduce_sum(x, [0, 1])`, `reduce_sum(x, {reduction_indices: [1], keep_dims: true})`. */
export function parseReduceArgs(fn: string, axisOrOptions?: number | number[] | null | ReduceOptions, options?: ReduceOptions): { axes: number[] | null; keepDims: boolean; name?: string } {
  let opts: ReduceOptions = options ?? {};
  let axis: number | number[] | null | undefined;
  if (axisOrOptions !== null && typeof axisOrOptions === 'object' && !Array.isArray(axisOrOptions)) {
    opts = { ...axisOrOptions, ...opts };
  } else {
    axis = axisOrOptions;
  }
  checkKeys(fn, opts, ['axis', 'reduction_indices', 'keep_dims', 'keepdims', 'name']);
  if (axis !== undefined && (opts.axis !== undefined || opts.reduction_indices !== undefined)) {
    throw new InvalidArgumentError(`${fn}: axis given both positionally and as an option`);
  }
  if (opts.axis !== undefined && opts.reduction_indices !== undefined) {
    throw new InvalidArgumentError(`${fn}: give only one of axis and reduction_indices`);
  }
  const chosen = axis ?? opts.axis ?? opts.reduction_indices ?? null;
  const axes = chosen === null ? null : Array.isArray(chosen) ? [...chosen] : [chosen];
  if (axes?.some((a) => !Number.isInteger(a))) throw new InvalidArgumentError(`${fn}: axes must be integers, got [${axes.join(', ')}]`);
  return { axes, keepDims: opts.keep_dims ?? opts.keepdims ?? false, name: opts.name };
}

/** Rejects misspelt option keys so a typo never silently changes behaviour. */
export function checkKeys(fn: string, options: object, allowed: readonly string[]): void {
  for (const key of Object.keys(options)) {
    if (!allowed.includes(key)) {
      throw new InvalidArgumentError(`${fn}: unknown option '${key}' (accepted: ${allowed.join(', ')})`);
    }
  }
}

/** A trailing `name` given as a string or as `{name}`. */
export function nameOf(fn: string, arg: string | NameOption | undefined): string | undefined {
  if (arg === undefined || typeof arg === 'string') return arg;
  checkKeys(fn, arg, ['name']);
  return arg.name;
}
