/** Feed dictionaries for Session.run: a Map, [tensor, value] pairs, or an object keyed by name. */
import { InvalidArgumentError } from './errors';
import type { Graph } from './graph/graph';
import { Tensor } from './graph/tensor';
import { NDArray, toNDArray, type ArrayLikeInput } from './ndarray';
import { describeValue } from './api/options';

export type Feedable = ArrayLikeInput;
export type FeedDict =
  | Map<Tensor | string, Feedable>
  | ReadonlyArray<readonly [Tensor | string, Feedable]>
  | { readonly [name: string]: Feedable };

export function normalizeFeeds(feeds: FeedDict | undefined, graph: Graph): Map<Tensor, NDArray> {
  const out = new Map<Tensor, NDArray>();
  if (feeds === undefined || feeds === null) return out;
  if (feeds instanceof Map) {
    for (const [key, value] of feeds) addFeed(out, graph, key, value);
  } else if (Array.isArray(feeds)) {
    // Pairs are read where they lie (no copied entry list): a training loop passes the same small array every step.
    for (let i = 0; i < feeds.length; i++) {
      const pair: unknown = feeds[i];
      if (!Array.isArray(pair)) {
        throw new InvalidArgumentError(`Session.run: feed_dict[${i}] is ${describeValue(pair)}, not a [tensor, value] pair`);
      }
      addFeed(out, graph, pair[0] as Tensor | string, pair[1] as Feedable);
    }
  } else {
    for (const [key, value] of Object.entries(feeds)) addFeed(out, graph, key, value);
  }
  return out;
}

function addFeed(out: Map<Tensor, NDArray>, graph: Graph, key: Tensor | string, value: Feedable): void {
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
