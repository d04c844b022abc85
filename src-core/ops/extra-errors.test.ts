/**
 * Every extra TF-1 op called with wrong kinds of arguments (fast-check picks them) fails with a
 * tf.errors.* whose message names the op: never a raw TypeError/RangeError from deep inside.
 */
import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import * as tf from '../index';
import { inGraph } from './test-support';

type AnyFn = (...args: unknown[]) => unknown;

const OPS: [string, AnyFn][] = Object.entries({
  stack: tf.stack, unstack: tf.unstack, split: tf.split, tile: tf.tile, pad: tf.pad, range: tf.range, shape: tf.shape, size: tf.size,
  rank: tf.rank, where: tf.where, gather: tf.gather, clip_by_value: tf.clip_by_value, reduce_logsumexp: tf.reduce_logsumexp,
  assign_add: tf.assign_add, assign_sub: tf.assign_sub, relu6: tf.nn.relu6, elu: tf.nn.elu, selu: tf.nn.selu, leaky_relu: tf.nn.leaky_relu,
  softplus: tf.nn.softplus, softsign: tf.nn.softsign, sigmoid_cross_entropy_with_logits: tf.nn.sigmoid_cross_entropy_with_logits,
  moments: tf.nn.moments, batch_normalization: tf.nn.batch_normalization, embedding_lookup: tf.nn.embedding_lookup,
  mean_squared_error: tf.losses.mean_squared_error, softmax_cross_entropy: tf.losses.softmax_cross_entropy,
  sparse_softmax_cross_entropy: tf.losses.sparse_softmax_cross_entropy, sigmoid_cross_entropy: tf.losses.sigmoid_cross_entropy,
  compute_weighted_loss: tf.losses.compute_weighted_loss,
} as Record<string, AnyFn>);

const wrongKind = fc.oneof(
  fc.constantFrom<unknown>(undefined, null, 'abc', {}, [], NaN, -1, 1.5, Infinity, true, [[1], [2, 3]], { foo: 1 }, () => 1, Symbol('s')),
  fc.anything(),
);

/** For the failure message only: fast-check's objects may refuse to become strings ({toString: false}). */
function show(value: unknown): string {
  try {
    return String(value);
  } catch {
    return Object.prototype.toString.call(value);
  }
}

describe('extra ops refuse wrong argument kinds with an error naming the op', () => {
  it('for every op and up to three arguments of the wrong kind', () => {
    inGraph(() => {
      const x = tf.placeholder('float32', [2, 3]);
      fc.assert(fc.property(fc.integer({ min: 0, max: OPS.length - 1 }), fc.array(fc.oneof(wrongKind, fc.constant<unknown>(x)), { minLength: 0, maxLength: 3 }), (which, args) => {
        const [name, fn] = OPS[which];
        try {
          fn(...args);
        } catch (e) {
          expect(e, `${name}(${args.map(show).join(', ')}) threw ${show(e)}`).toBeInstanceOf(tf.errors.OpError);
          expect((e as Error).message.toLowerCase(), `${name}: the message names the op`).toContain(name);
        }
      }), { numRuns: 400 });
    });
  });
});
