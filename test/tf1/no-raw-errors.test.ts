/**
 * No public function lets out a raw TypeError/RangeError (issue 14, point 1): every function of the tf
 * namespace, tf.nn, tf.train, tf.losses and tf.np is called with arguments of the wrong kind; each call
 * must succeed or throw a tf.errors.* whose message names the function (or, for an op's own check, the
 * op type and node, as every op error does). Classes (tf.Tensor, tf.NDArray, ...) are not called.
 */
import { describe, it, expect } from 'vitest';
import fc from 'fast-check';
import * as tf from '../../src-core';

type Fn = (...args: unknown[]) => unknown;

const isClass = (f: Fn) => /^class[\s{]/.test(Function.prototype.toString.call(f));

/** Every public function by its dotted name. */
function publicFunctions(): [string, Fn][] {
  const out: [string, Fn][] = [];
  const walk = (prefix: string, ns: object) => {
    for (const [key, value] of Object.entries(ns)) {
      if (typeof value === 'function' && !isClass(value as Fn)) out.push([`${prefix}${key}`, value as Fn]);
    }
  };
  walk('', tf);
  for (const sub of ['nn', 'train', 'losses', 'np'] as const) {
    const ns = (tf as unknown as Record<string, object | undefined>)[sub];
    if (ns !== undefined) walk(`${sub}.`, ns);
  }
  return out;
}

/** Values of the wrong kind (and a few right ones, so later arguments are reached). */
function wrongArgument(): fc.Arbitrary<() => unknown> {
  const fixed: (() => unknown)[] = [
    () => undefined, () => null, () => 'x', () => '', () => 'float32', () => NaN, () => Infinity, () => -1, () => -7, () => 2.5,
    () => 1e12, () => true, () => Symbol('s'), () => ({}), () => ({ bogus: 1 }), () => ({ axis: 'a' }), () => ({ name: 5 }),
    () => [], () => [null], () => [[1, 2], [3]], () => ['a', 'b'], () => [1e9, 1e9], () => [-1, -2], () => [NaN],
    () => new Array(100_000).fill(0), () => () => 1, () => new Map([[1, 2]]),
    () => tf.constant([[1, 2], [3, 4]]), () => tf.placeholder(tf.float32), () => tf.np.array([1, 2, 3]),
    () => 3, () => [2, 2], () => 0,
  ];
  return fc.constantFrom(...fixed);
}

function namesFunction(message: string, name: string): boolean {
  const text = message.toLowerCase();
  const bare = name.replace(/^.*\./, '').toLowerCase();
  // An op's own check names its type and node: "MatMul 'MatMul_1': ...".
  return text.includes(bare) || text.includes(bare.replace(/_/g, '')) || /\b[A-Z]\w* '[^']+'/.test(message);
}

function checkOutcome(name: string, error: unknown): string | null {
  if (!(error instanceof tf.errors.OpError)) {
    return `${name} threw ${error instanceof Error ? `${error.constructor.name}: ${error.message}` : String(error)}`;
  }
  return namesFunction(error.message, name) ? null : `${name}'s ${error.constructor.name} does not name it: ${error.message}`;
}

describe('public functions and arguments of the wrong kind', () => {
  const fns = publicFunctions();

  it('finds the public surface', () => {
    const names = fns.map(([n]) => n);
    for (const expected of ['add', 'reduce_sum', 'placeholder', 'nn.conv2d', 'nn.max_pool', 'train.AdamOptimizer', 'np.argmax', 'concat', 'Session']) {
      expect(names).toContain(expected);
    }
  });

  it('each call succeeds or throws a tf.errors.* naming the function', async () => {
    const failures = new Set<string>();
    const started = performance.now();
    await fc.assert(
      fc.asyncProperty(fc.constantFrom(...fns), fc.array(wrongArgument(), { maxLength: 4 }), async ([name, fn], makers) => {
        tf.reset_default_graph();
        const args = makers.map((make) => make());
        let problem: string | null = null;
        try {
          const result = fn(...args);
          if (result instanceof Promise) await result;
          if (result instanceof tf.Session || (result as { close?: unknown } | null)?.close === tf.Session.prototype.close) (result as tf.Session).close();
        } catch (error) {
          problem = checkOutcome(name, error);
        }
        if (problem !== null) failures.add(problem.slice(0, 300));
      }),
      { numRuns: 1500, seed: 1405 },
    );
    expect([...failures].sort()).toEqual([]);
    // Bounded: the whole walk stays within a few seconds.
    expect(performance.now() - started).toBeLessThan(30_000);
  }, 60_000);
});
