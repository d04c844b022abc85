import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { Rng } from './rng';
import { InvalidArgumentError } from '../errors';

const DRAWS = 100_000;

function draws(rng: Rng, next: (r: Rng) => number, n = DRAWS): number[] {
  return Array.from({ length: n }, () => next(rng));
}

function meanAndVariance(xs: readonly number[]): { mean: number; variance: number } {
  const mean = xs.reduce((a, b) => a + b, 0) / xs.length;
  const variance = xs.reduce((a, b) => a + (b - mean) ** 2, 0) / (xs.length - 1);
  return { mean, variance };
}

describe('Rng', () => {
  it('matches the C reference of splitmix64-seeded xoshiro128**', () => {
    // Produced by the reference C code (prng.di.unimi.it), seeding s[0..3] = hi/lo words of two splitmix64 outputs.
    const golden: Record<number, number[]> = {
      0: [513008459, 2795874746, 972916236, 1374099887, 2042740824, 3697851841],
      42: [825760943, 2622800619, 310231447, 2495256757, 2989135795, 2459417038],
      [-1]: [1684066916, 570735087, 88880781, 2327579996, 1691556425, 2193366438],
      [Number.MAX_SAFE_INTEGER]: [2256960655, 2188756253, 2143589989, 4237968077, 824940730, 1053796467],
    };
    for (const [seed, expected] of Object.entries(golden)) {
      const rng = Rng.fromSeed(Number(seed));
      expect(draws(rng, (r) => r.nextUint32(), expected.length)).toEqual(expected);
    }
  });

  it('is deterministic per seed and differs between seeds', () => {
    fc.assert(
      fc.property(fc.maxSafeInteger(), (seed) => {
        const a = Rng.fromSeed(seed);
        const b = Rng.fromSeed(seed);
        const other = Rng.fromSeed(seed > 0 ? seed - 1 : seed + 1); // a neighbouring seed, still safe
        const seqA = draws(a, (r) => r.nextNormal(), 8);
        expect(draws(b, (r) => r.nextNormal(), 8)).toEqual(seqA);
        expect(draws(other, (r) => r.nextNormal(), 8)).not.toEqual(seqA);
      }),
    );
  });

  it('nextFloat is uniform on [0, 1) and exactly representable as float32', () => {
    const xs = draws(Rng.fromSeed(1), (r) => r.nextFloat());
    expect(xs.every((x) => x >= 0 && x < 1 && Math.fround(x) === x)).toBe(true);
    const { mean, variance } = meanAndVariance(xs);
    expect(Math.abs(mean - 0.5)).toBeLessThan(0.005); // sd of the mean ≈ 0.0009
    expect(Math.abs(variance - 1 / 12)).toBeLessThan(0.002);
  });

  it('nextNormal has mean 0, variance 1 and plausible tails', () => {
    const xs = draws(Rng.fromSeed(2), (r) => r.nextNormal());
    const { mean, variance } = meanAndVariance(xs);
    expect(Math.abs(mean)).toBeLessThan(0.015); // sd of the mean ≈ 0.003
    expect(Math.abs(variance - 1)).toBeLessThan(0.02);
    const beyond2Sd = xs.filter((x) => Math.abs(x) > 2).length / xs.length;
    expect(Math.abs(beyond2Sd - 0.0455)).toBeLessThan(0.005);
  });

  it('nextInt is unbiased over residues, including for n that does not divide 2^32', () => {
    const n = 3 * 2 ** 30; // 2^32 mod n = 2^30: a plain modulo would favour the lowest third
    const xs = draws(Rng.fromSeed(3), (r) => r.nextInt(n));
    expect(xs.every((x) => Number.isInteger(x) && x >= 0 && x < n)).toBe(true);
    const lowestThird = xs.filter((x) => x < 2 ** 30).length / xs.length;
    expect(Math.abs(lowestThird - 1 / 3)).toBeLessThan(0.01);

    const counts = new Array<number>(7).fill(0);
    for (const x of draws(Rng.fromSeed(4), (r) => r.nextInt(7))) counts[x]++;
    for (const c of counts) expect(Math.abs(c / DRAWS - 1 / 7)).toBeLessThan(0.006);
  });

  it('nextInt rejects invalid bounds', () => {
    const rng = Rng.fromSeed(0);
    for (const bad of [0, -1, 1.5, NaN, 2 ** 32 + 1]) {
      expect(() => rng.nextInt(bad)).toThrow(InvalidArgumentError);
    }
    expect(rng.nextInt(1)).toBe(0);
  });

  it('shuffle permutes in place, works on typed arrays and is deterministic', () => {
    fc.assert(
      fc.property(fc.array(fc.integer()), fc.integer(), (values, seed) => {
        const shuffled = Rng.fromSeed(seed).shuffle([...values]);
        expect([...shuffled].sort((a, b) => a - b)).toEqual([...values].sort((a, b) => a - b));
        expect(Rng.fromSeed(seed).shuffle([...values])).toEqual(shuffled);
      }),
    );
    const typed = Uint32Array.from({ length: 100 }, (_, i) => i);
    Rng.fromSeed(5).shuffle(typed);
    expect(Array.from(typed).sort((a, b) => a - b)).toEqual(Array.from({ length: 100 }, (_, i) => i));
    expect(Array.from(typed)).not.toEqual(Array.from({ length: 100 }, (_, i) => i));
  });

  it('shuffle gives each position each element about equally often', () => {
    const rng = Rng.fromSeed(6);
    const counts = Array.from({ length: 4 }, () => new Array<number>(4).fill(0));
    const trials = 40_000;
    for (let t = 0; t < trials; t++) {
      const perm = rng.shuffle([0, 1, 2, 3]);
      perm.forEach((value, position) => counts[position][value]++);
    }
    for (const row of counts) for (const c of row) expect(Math.abs(c / trials - 0.25)).toBeLessThan(0.015);
  });

  it('rejects seeds that are not safe integers', () => {
    for (const bad of [1.5, NaN, Infinity, 2 ** 60]) expect(() => Rng.fromSeed(bad)).toThrow(InvalidArgumentError);
  });
});
