/**
 * tf.layers and the initializers (the functions an initializer factory returns) never let out a raw
 * TypeError/RangeError: called with arguments of the wrong kind, each call succeeds or throws a
 * tf.errors.* naming the layer or initializer. (The tf and tf.train namespaces are walked by
 * test/tf1/no-raw-errors.test.ts.)
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import * as tf from '../index';

type Fn = (...args: unknown[]) => unknown;

const WRONG: (() => unknown)[] = [
  () => undefined, () => null, () => 'x', () => 'same', () => NaN, () => -1, () => 2.5, () => 1e9, () => true, () => Symbol('s'),
  () => ({}), () => ({ bogus: 1 }), () => ({ name: 5 }), () => ({ training: 'yes' }), () => ({ reuse: 2 }), () => ({ axis: 9 }),
  () => [], () => [null], () => [-1, 2], () => [1e6, 1e6], () => () => 1,
  () => tf.placeholder(tf.float32, [null, 4, 4, 2]), () => tf.placeholder(tf.float32), () => tf.constant([[1, 2], [3, 4]]),
  () => tf.placeholder(tf.bool, []), () => 2, () => [2, 2],
];

function targets(): [string, Fn][] {
  const layers = Object.entries(tf.layers).filter(([, v]) => typeof v === 'function').map(([k, v]): [string, Fn] => [k, v as Fn]);
  const inits: [string, Fn][] = [
    ['zeros_initializer', tf.zeros_initializer()], ['constant_initializer', tf.constant_initializer([1, 2])],
    ['glorot_uniform_initializer', tf.glorot_uniform_initializer()], ['truncated_normal_initializer', tf.truncated_normal_initializer()],
    ['random_normal_initializer', tf.random_normal_initializer()], ['random_uniform_initializer', tf.random_uniform_initializer()],
  ] as [string, Fn][];
  return [...layers, ...inits];
}

describe('tf.layers and initializers with arguments of the wrong kind', () => {
  it('every layer is reached', () => {
    expect(targets().map(([n]) => n)).toEqual(expect.arrayContaining(['dense', 'conv2d', 'max_pooling2d', 'average_pooling2d', 'dropout', 'flatten', 'batch_normalization']));
  });

  it('throw only tf.errors.* naming the function', () => {
    const failures = new Set<string>();
    fc.assert(fc.property(fc.constantFrom(...targets()), fc.array(fc.constantFrom(...WRONG), { minLength: 0, maxLength: 4 }), ([name, fn], makers) => {
      tf.reset_default_graph();
      try {
        fn(...makers.map((make) => make()));
      } catch (error) {
        const named = error instanceof tf.errors.OpError && error.message.toLowerCase().includes(name.toLowerCase().replace(/_initializer$/, ''));
        const opCheck = error instanceof tf.errors.OpError && /\b[A-Z]\w* '[^']+'/.test(error.message);
        if (!named && !opCheck) failures.add(`${name}: ${error instanceof Error ? `${error.constructor.name}: ${error.message}` : String(error)}`);
      }
    }), { numRuns: 600, seed: 14 });
    expect([...failures]).toEqual([]);
  });
});
