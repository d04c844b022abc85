import { InvalidArgumentError } from '../errors';

/** Anything indexable and writable: plain arrays and typed arrays alike. */
export interface MutableArrayLike<T> {
  readonly length: number;
  [index: number]: T;
}

const TWO_POW_32 = 0x1_0000_0000;
const TWO_POW_24 = 0x100_0000;

/**
 * A small seeded PRNG: xoshiro128** (Blackman & Vigna) over four 32-bit words, seeded by splitmix64.
 * Only 32-bit integer arithmetic (Math.imul, >>>) touches the state, so the uint32 and float streams
 * are bit-identical on every platform; normals additionally rely on Math.log/Math.sqrt, which V8 (Node,
 * Electron, Chrome) computes identically everywhere.
 */
export class Rng {
  private s0: number;
  private s1: number;
  private s2: number;
  private s3: number;
  private spareNormal: number | null = null;

  private constructor(state: readonly [number, number, number, number]) {
    [this.s0, this.s1, this.s2, this.s3] = state;
  }

  /** Any safe integer (negative ones too) is a valid seed; equal seeds give equal streams. */
  static fromSeed(seed: number): Rng {
    if (!Number.isSafeInteger(seed)) {
      throw new InvalidArgumentError(`Rng.fromSeed: seed must be a safe integer, got ${String(seed)}`);
    }
    const words = splitmix64Words(BigInt.asUintN(64, BigInt(seed)), 4);
    // xoshiro's all-zero state is a fixed point; splitmix64 essentially never yields it, but guard anyway.
    if (!words.some((w) => w !== 0)) words[0] = 1;
    return new Rng([words[0], words[1], words[2], words[3]]);
  }

  /** Uniform integer in [0, 2^32). */
  nextUint32(): number {
    const result = Math.imul(rotl(Math.imul(this.s1, 5), 7), 9) >>> 0;
    const t = this.s1 << 9;
    this.s2 ^= this.s0;
    this.s3 ^= this.s1;
    this.s1 ^= this.s2;
    this.s0 ^= this.s3;
    this.s2 ^= t;
    this.s3 = rotl(this.s3, 11);
    return result;
  }

  /**
   * Uniform in [0, 1) with 24 random bits. 24 bits, not 53, so that every value is exactly a float32 and
   * stays below 1 after a Float32Array store (a 53-bit value near 1 would round up to 1.0).
   */
  nextFloat(): number {
    return (this.nextUint32() >>> 8) / TWO_POW_24;
  }

  /** Standard normal (mean 0, variance 1), by Marsaglia's polar method; the pair's second value is kept. */
  nextNormal(): number {
    if (this.spareNormal !== null) {
      const spare = this.spareNormal;
      this.spareNormal = null;
      return spare;
    }
    let u: number;
    let v: number;
    let s: number;
    do {
      u = 2 * this.nextFloat() - 1;
      v = 2 * this.nextFloat() - 1;
      s = u * u + v * v;
    } while (s >= 1 || s === 0);
    const scale = Math.sqrt((-2 * Math.log(s)) / s);
    this.spareNormal = v * scale;
    return u * scale;
  }

  /** Uniform integer in [0, n), without modulo bias; n is an integer in [1, 2^32]. */
  nextInt(n: number): number {
    if (!Number.isInteger(n) || n < 1 || n > TWO_POW_32) {
      throw new InvalidArgumentError(`Rng.nextInt: n must be an integer in [1, 2^32], got ${String(n)}`);
    }
    // Reject the top partial block of 2^32 so that every residue is equally likely.
    const limit = TWO_POW_32 - (TWO_POW_32 % n);
    let x = this.nextUint32();
    while (x >= limit) x = this.nextUint32();
    return x % n;
  }

  /** Fisher-Yates shuffle in place; returns the same array. */
  shuffle<A extends MutableArrayLike<unknown>>(array: A): A {
    for (let i = array.length - 1; i > 0; i--) {
      const j = this.nextInt(i + 1);
      const tmp = array[i];
      array[i] = array[j];
      array[j] = tmp;
    }
    return array;
  }
}

function rotl(x: number, k: number): number {
  return (x << k) | (x >>> (32 - k));
}

/** splitmix64 (Steele, Lea & Flood): spreads one 64-bit seed over `count` well-mixed 32-bit words. */
function splitmix64Words(seed: bigint, count: number): number[] {
  const words: number[] = [];
  let state = seed;
  while (words.length < count) {
    state = BigInt.asUintN(64, state + 0x9e3779b97f4a7c15n);
    let z = state;
    z = BigInt.asUintN(64, (z ^ (z >> 30n)) * 0xbf58476d1ce4e5b9n);
    z = BigInt.asUintN(64, (z ^ (z >> 27n)) * 0x94d049bb133111ebn);
    z ^= z >> 31n;
    words.push(Number(z >> 32n), Number(z & 0xffffffffn));
  }
  return words.slice(0, count);
}
