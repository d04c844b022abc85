/**
 * TF-1's graph collections by name: `tf.GraphKeys` and `tf.get_collection` / `tf.add_to_collection`.
 * tf.layers.batch_normalization puts its moving-average updates in UPDATE_OPS, for the caller to run
 * (usually through `tf.control_dependencies(tf.get_collection(tf.GraphKeys.UPDATE_OPS), ...)`).
 */
import { InvalidArgumentError } from '../errors';
import { getDefaultGraph } from '../graph/graph';
import { describeValue, guarded } from './options';
import type { Operation } from '../graph/operation';
import type { Tensor } from '../graph/tensor';
import { GLOBAL_VARIABLES, TRAINABLE_VARIABLES } from './variables';

/** What TF-1 programs keep in collections: variables, update ops (Tensors or Operations), losses. */
export type CollectionItem = Tensor | Operation;

export const GraphKeys = Object.freeze({
  GLOBAL_VARIABLES,
  TRAINABLE_VARIABLES,
  UPDATE_OPS: 'update_ops',
  GLOBAL_STEP: 'global_step',
  LOSSES: 'losses',
});

function checkKey(fn: string, key: unknown): string {
  if (typeof key !== 'string' || key === '') throw new InvalidArgumentError(`${fn}: the collection key must be a non-empty string, got ${describeValue(key)}`);
  return key;
}

/**
 * tf.get_collection(key, scope?): a copy of the default graph's list under `key`; with `scope`, only the
 * items whose name starts with it (TF-1 matches the name from its start).
 */
export const get_collection = guarded('get_collection', function get_collection(key: string, scope?: string): CollectionItem[] {
  const items = getDefaultGraph().getCollection<CollectionItem>(checkKey('get_collection', key));
  if (scope === undefined || scope === null) return items;
  if (typeof scope !== 'string') throw new InvalidArgumentError(`get_collection: scope must be a string, got ${describeValue(scope)}`);
  return items.filter((item) => {
    const name = (item as { name?: unknown } | null)?.name;
    return typeof name === 'string' && name.startsWith(scope);
  });
}) as <T = CollectionItem>(key: string, scope?: string) => T[];

/** tf.add_to_collection(key, value): appends `value` to the default graph's list under `key`. */
export const add_to_collection = guarded('add_to_collection', function add_to_collection(key: string, value: unknown): void {
  getDefaultGraph().addToCollection(checkKey('add_to_collection', key), value);
});
