/** Parsing of TF-1 keyword arguments given as a trailing options object (or positionally). */
import { InvalidArgumentError, OpError, ResourceExhaustedError } from '../errors';

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

/**
 * A trailing options object as opposed to a positional argument: a plain object, not a Tensor, an
 * NDArray or a list. Tensor/NDArray are recognised by shape so this module stays free of graph imports.
 */
export function isOptionsObject(v: unknown): v is Record<string, unknown> {
  if (typeof v !== 'object' || v === null || Array.isArray(v) || ArrayBuffer.isView(v)) return false;
  const proto = Object.getPrototypeOf(v) as unknown;
  return proto === Object.prototype || proto === null;
}

/** The options object of `(positionalOrOptions?, options?)` calls, checked against `allowed`. */
export function optionsOf<T extends object>(fn: string, options: unknown, allowed: readonly string[]): Partial<T> {
  if (options === undefined || options === null) return {};
  if (!isOptionsObject(options)) {
    throw new InvalidArgumentError(`${fn}: expected an options object {${allowed.join(', ')}}, got ${describeValue(options)}`);
  }
  checkKeys(fn, options, allowed);
  return options as Partial<T>;
}

/** A short description of a value for error messages (never throws, whatever the value). */
export function describeValue(v: unknown): string {
  if (v === null || v === undefined) return String(v);
  if (typeof v === 'symbol') return v.toString();
  if (typeof v === 'function') return 'a function';
  if (typeof v === 'string') return JSON.stringify(v.length > 40 ? `${v.slice(0, 40)}…` : v);
  if (Array.isArray(v)) return v.length > 8 ? `a list of ${v.length} items` : `[${v.map(describeValue).join(', ')}]`;
  if (typeof v === 'object') {
    try {
      const s = String(v);
      return s === '[object Object]' ? `an object with keys {${Object.keys(v).slice(0, 8).join(', ')}}` : s;
    } catch {
      return 'an object';
    }
  }
  return String(v);
}

/** Whether `message` names the public function `fn` (also as its op type, e.g. reduce_sum → Sum). */
function namesFunction(message: string, fn: string): boolean {
  const text = message.toLowerCase();
  const bare = fn.replace(/^.*\./, '').toLowerCase();
  return text.includes(bare) || text.includes(bare.replace(/_/g, ''));
}

/**
 * Wraps a public function so that every error it lets out is a `tf.errors.*` naming it: argument
 * checks deep inside (a shape helper, a typed-array constructor) do not know which public call they
 * serve, and JS itself throws TypeError/RangeError on values of the wrong kind.
 */
export function guarded<A extends unknown[], R>(fn: string, impl: (...args: A) => R): (...args: A) => R {
  return function (this: unknown, ...args: A): R {
    try {
      return impl.apply(this, args);
    } catch (error) {
      throw renamedError(fn, error);
    }
  };
}

/** `error` as a tf.errors.* whose message names `fn`. */
export function renamedError(fn: string, error: unknown): Error {
  if (error instanceof OpError) {
    if (namesFunction(error.message, fn)) return error;
    const Ctor = error.constructor as new (message: string) => OpError;
    const renamed = new Ctor(`${fn}: ${error.message}`);
    renamed.stack = error.stack;
    return renamed;
  }
  const message = error instanceof Error ? error.message : describeValue(error);
  // A RangeError from an allocation is the caller's size, not a bug of ours.
  const wrapped = error instanceof RangeError && /array length|allocation|memory/i.test(message)
    ? new ResourceExhaustedError(`${fn}: ${message}`)
    : new InvalidArgumentError(`${fn}: invalid argument (${message})`);
  if (error instanceof Error) wrapped.stack = error.stack;
  return wrapped;
}
