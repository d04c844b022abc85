/** Fetch structures for Session.run: one fetch, an array, or an object; results mirror them. */
import { InvalidArgumentError } from './errors';
import type { Graph } from './graph/graph';
import { Operation } from './graph/operation';
import { Tensor } from './graph/tensor';
import type { NDArray } from './ndarray';

export type Fetch = Tensor | Operation | string | readonly Fetch[] | { readonly [key: string]: Fetch };

/** The result type mirrors the fetch: a Tensor gives an NDArray, an Operation gives null. */
export type FetchResult<F> = F extends Tensor
  ? NDArray
  : F extends Operation
    ? null
    : F extends string
      ? NDArray | null
      : F extends readonly unknown[]
        ? { -readonly [K in keyof F]: FetchResult<F[K]> }
        : F extends object
          ? { -readonly [K in keyof F]: FetchResult<F[K]> }
          : never;

/** Where a leaf's result comes from: a fetched tensor's index, or null for an operation. */
class Leaf {
  constructor(readonly index: number | null) {}
}
type Shape = Leaf | Shape[] | { [key: string]: Shape };

export interface NormalizedFetches {
  tensors: Tensor[];
  targets: Operation[];
  rebuild: (values: NDArray[]) => unknown;
  /** Names of the fetched tensors and targets: the fetch half of a plan-cache key. */
  key: string;
}

/** The fetch half of a plan-cache key. */
function fetchKey(tensors: readonly Tensor[], targets: readonly Operation[]): string {
  return `${tensors.map((t) => t.name).join(',')}|${targets.map((o) => o.name).join(',')}`;
}

const first = (values: NDArray[]): NDArray => values[0];
const none = (): null => null;

/**
 * One Tensor or Operation, the usual training-loop fetch: its normalized form never changes (a
 * tensor's graph and name are fixed), so a session keeps it instead of walking it on every run.
 */
export function normalizeSingleFetch(fetch: Tensor | Operation, graph: Graph): NormalizedFetches {
  if (fetch.graph !== graph) throw new InvalidArgumentError(`Session.run: fetch '${fetch.name}' belongs to another graph than the session's`);
  const tensors = fetch instanceof Tensor ? [fetch] : [];
  const targets = fetch instanceof Operation ? [fetch] : [];
  return { tensors, targets, rebuild: fetch instanceof Tensor ? first : none, key: fetchKey(tensors, targets) };
}

export function normalizeFetches(fetches: Fetch, graph: Graph): NormalizedFetches {
  const tensors: Tensor[] = [];
  const targets: Operation[] = [];
  const indexOf = new Map<Tensor, number>();

  const walk = (f: Fetch, path: string): Shape => {
    if (typeof f === 'string') {
      // 'name:0' is a tensor; a bare name is an operation (TF-1 treats it as a target).
      f = f.includes(':') ? graph.get_tensor_by_name(f) : graph.get_operation_by_name(f);
    }
    if (f instanceof Tensor) {
      if (f.graph !== graph) throw new InvalidArgumentError(`Session.run: fetch '${f.name}' belongs to another graph than the session's`);
      let index = indexOf.get(f);
      if (index === undefined) {
        index = tensors.length;
        indexOf.set(f, index);
        tensors.push(f);
      }
      return new Leaf(index);
    }
    if (f instanceof Operation) {
      if (f.graph !== graph) throw new InvalidArgumentError(`Session.run: fetch '${f.name}' belongs to another graph than the session's`);
      if (!targets.includes(f)) targets.push(f);
      return new Leaf(null);
    }
    if (Array.isArray(f)) return f.map((x, i) => walk(x as Fetch, `${path}[${i}]`));
    if (f !== null && typeof f === 'object') {
      const out: { [key: string]: Shape } = {};
      for (const [k, v] of Object.entries(f)) out[k] = walk(v as Fetch, `${path}.${k}`);
      return out;
    }
    throw new InvalidArgumentError(`Session.run: fetch ${path} is ${String(f)}, not a Tensor, an Operation, an array or an object`);
  };

  const shape = walk(fetches, 'fetches');
  const rebuild = (values: NDArray[]): unknown => {
    const build = (s: Shape): unknown => {
      if (s instanceof Leaf) return s.index === null ? null : values[s.index];
      if (Array.isArray(s)) return s.map(build);
      return Object.fromEntries(Object.entries(s).map(([k, v]) => [k, build(v)]));
    };
    return build(shape);
  };
  return { tensors, targets, rebuild, key: fetchKey(tensors, targets) };
}
