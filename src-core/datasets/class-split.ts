/**
 * Class names and the held-out test split for data sets that come without one. Pure.
 */
import { Rng } from '../util/rng';

/** The seed of the held-out split when none is given; it is documented (README, API.md), so splits are reproducible. */
export const DEFAULT_SPLIT_SEED = 0;
/** The share of each class held out for testing when a folder has no train/test split. */
export const HELD_OUT_FRACTION = 0.1;

const collator = new Intl.Collator('en', { numeric: true, sensitivity: 'variant' });

/** Numeric-aware order ("2" < "10"), ties broken by code units so the order is total and stable. */
export function sortClassNames(names: Iterable<string>): string[] {
  return [...names].sort((a, b) => collator.compare(a, b) || (a < b ? -1 : a > b ? 1 : 0));
}

/** How many of a class's `count` examples are held out: a tenth, rounded, leaving at least one for training. */
export function heldOutCount(count: number): number {
  return Math.min(Math.round(count * HELD_OUT_FRACTION), Math.max(0, count - 1));
}

/**
 * Splits each class's example indices into train and test, stratified: a seeded shuffle per class, the
 * first `heldOutCount` go to test. Each class gets its own stream derived from the seed and the class
 * index, so adding files to one class does not reshuffle the others. Both lists keep ascending order.
 */
export function stratifiedSplit(byClass: readonly (readonly number[])[], seed: number): { train: number[]; test: number[] } {
  const train: number[] = [];
  const test: number[] = [];
  const seeds = Rng.fromSeed(seed);
  byClass.forEach((members) => {
    const order = Uint32Array.from(members);
    Rng.fromSeed(seeds.nextUint32()).shuffle(order);
    const held = heldOutCount(order.length);
    for (let i = 0; i < order.length; i++) (i < held ? test : train).push(order[i]);
  });
  return { train: train.sort((a, b) => a - b), test: test.sort((a, b) => a - b) };
}
