/** Feed dictionaries for Session.run: a Map, [tensor, value] pairs, or an object keyed by name. */
import { InvalidArgumentError } from './errors';
import type { Graph } from './graph/graph';
import { Tensor } from './graph/tensor';
import { NDArray, toNDArray, type ArrayLikeInput } from './ndarray';

export type Feedable = ArrayLikeInput;
export type FeedDict =
  | Map<Tensor | string, Feedable>
  | ReadonlyArray<readonly [Tensor | string, Feedable]>
  | { readonly [name: string]: Feedable };

export function normalizeFeeds(feeds: FeedDict | undefined, graph: Graph): Map<Tensor, NDArray> {
  const out = new Map<Tensor, NDArray>();
  if (feeds === undefined || feeds === null) return out;
  const entries: [Tensor | string, Feedable][] =
    feeds instanceof Map ? [...feeds.entries()] : Array.isArray(feeds) ? feeds.map((p) => [p[0], p[1]]) : Object.entries(feeds);
  for (const [key, value] of entries) {
    const tensor = typeof key === 'string' ? graph.get_tensor_by_name(key) : key;
    if (!(tensor instanceof Tensor)) {
      throw new InvalidArgumentError(`Session.run: feed_dict key ${String(key)} is not a Tensor or a tensor name`);
    }
    if (tensor.graph !== graph) {
      throw new InvalidArgumentError(`Session.run: fed tensor '${tensor.name}' belongs to another graph than the session's`);
    }
    let array: NDArray;
    try {
      array = toNDArray(value, tensor.dtype);
    } catch (e) {
      throw new InvalidArgumentError(`${tensor.op.type} '${tensor.op.name}': cannot feed this value: ${(e as Error).message}`);
    }
    out.set(tensor, array);
  }
  return out;
}
