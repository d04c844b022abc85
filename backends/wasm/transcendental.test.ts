/**
 * Accuracy of the float32 polynomial kernels (csrc/mathf.c) against Math.* rounded to float32,
 * measured in ulps over wide ranges: dense grids across each function's interesting range, random
 * bit patterns over all magnitudes (denormal inputs and outputs included), and the special values.
 * Measured maxima: exp, log, tanh 1 ulp; sigmoid 2 ulps; rsqrt and sqrt exact; pow 1 ulp.
 */
import { describe, it, expect } from 'vitest';
import type { UnaryOp } from '../interface';
import { download, makeRng, upload, wasm } from './test-support';

const bitsF32 = new Float32Array(1);
const bitsI32 = new Int32Array(bitsF32.buffer);

/** Position of a float32 on the number line of all float32s, so the difference of two is their ulp distance. */
function ordinal(x: number): number {
  bitsF32[0] = x;
  const b = bitsI32[0];
  return b < 0 ? -(b & 0x7fffffff) : b;
}

function ulpDistance(got: number, want: number): number {
  if (Number.isNaN(want) || Number.isNaN(got)) return Number.isNaN(want) && Number.isNaN(got) ? 0 : Infinity;
  if (got === want) return 0;
  if (!Number.isFinite(got) || !Number.isFinite(want)) return Infinity;
  return Math.abs(ordinal(got) - ordinal(want));
}

function grid(from: number, to: number, count: number): Float32Array {
  return Float32Array.from({ length: count }, (_, i) => from + ((to - from) * i) / (count - 1));
}

/** Random float32 bit patterns with magnitudes up to `maxBits` (as an int), either sign if `signed`. */
function randomBits(seed: number, maxBits: number, count: number, signed: boolean): Float32Array {
  const rng = makeRng(seed);
  const out = new Float32Array(count);
  const view = new Int32Array(out.buffer);
  for (let i = 0; i < count; i++) view[i] = Math.floor(rng() * maxBits) | (signed && rng() < 0.5 ? 0x80000000 : 0);
  return out;
}

function worstUlps(op: UnaryOp, inputs: Float32Array, reference: (x: number) => number): { ulps: number; at: number } {
  const x = upload(wasm, 'float32', inputs);
  const out = wasm.alloc('float32', inputs.length);
  wasm.unary(op, x, out);
  const got = download(wasm, out);
  let worst = { ulps: 0, at: NaN };
  for (let i = 0; i < inputs.length; i++) {
    const ulps = ulpDistance(got[i], Math.fround(reference(inputs[i])));
    if (ulps > worst.ulps) worst = { ulps, at: inputs[i] };
  }
  wasm.free(x);
  wasm.free(out);
  return worst;
}

const SPECIALS = [0, -0, NaN, Infinity, -Infinity, 1.4e-45, -1.4e-45, 1.17549435e-38, 3.4028235e38, -3.4028235e38, 1, -1];
const sigmoidReference = (x: number): number => 1 / (1 + Math.exp(-x));

const CASES: [UnaryOp, (x: number) => number, number, Float32Array[]][] = [
  ['exp', Math.exp, 1, [grid(-104, 89, 200001), randomBits(1, 0x42b20000, 100000, true)]],
  ['log', Math.log, 1, [grid(0.25, 4, 200001), randomBits(2, 0x7f800000, 200000, false)]],
  ['tanh', Math.tanh, 1, [grid(-12, 12, 200001), randomBits(3, 0x41200000, 100000, true)]],
  ['sigmoid', sigmoidReference, 2, [grid(-110, 110, 200001), randomBits(4, 0x42e00000, 100000, true)]],
  ['rsqrt', (x) => 1 / Math.sqrt(x), 0, [randomBits(5, 0x7f800000, 100000, false)]],
  ['sqrt', Math.sqrt, 0, [randomBits(6, 0x7f800000, 100000, false)]],
];

describe('wasm float32 transcendentals vs Math.*', () => {
  for (const [op, reference, bound, inputSets] of CASES) {
    it(`${op} is within ${bound} ulp over wide ranges, denormals included`, () => {
      for (const inputs of inputSets) {
        const { ulps, at } = worstUlps(op, inputs, reference);
        expect(ulps, `${op} worst at x = ${at}`).toBeLessThanOrEqual(bound);
      }
    });

    it(`${op} gets every special value exactly right`, () => {
      const { ulps, at } = worstUlps(op, Float32Array.from(SPECIALS), reference);
      expect(ulps, `${op} at x = ${at}`).toBe(0);
    });
  }

  it('exp overflows to Infinity and underflows through the denormals to 0 at float32\'s limits', () => {
    const inputs = Float32Array.from([88.72283, 88.72284, 89, -87.33654, -87.5, -100, -103.27893, -103.97, -104, -1000]);
    const { ulps, at } = worstUlps('exp', inputs, Math.exp);
    expect(ulps, `exp at ${at}`).toBe(0);
  });

  it('pow follows Math.pow to 1 ulp, with its special cases', () => {
    const rng = makeRng(7);
    const bases: number[] = [];
    const exponents: number[] = [];
    for (let i = 0; i < 20000; i++) {
      bases.push(Math.fround(rng() * 20 - 5));
      exponents.push(Math.fround(i % 2 === 0 ? Math.round(rng() * 40 - 20) : rng() * 30 - 15));
    }
    const specials = [0, -0, 1, -1, 2, -2, 0.5, -0.5, Infinity, -Infinity, NaN, 3, -3];
    for (const a of specials) for (const b of specials) {
      bases.push(a);
      exponents.push(b);
    }
    const a = upload(wasm, 'float32', bases);
    const b = upload(wasm, 'float32', exponents);
    const out = wasm.alloc('float32', bases.length);
    wasm.binary('pow', a, b, out, { shape: [bases.length], aStrides: [1], bStrides: [1] });
    const got = download(wasm, out);
    for (let i = 0; i < bases.length; i++) {
      const ulps = ulpDistance(got[i], Math.fround(Math.pow(bases[i], exponents[i])));
      if (ulps > 1) expect.fail(`pow(${bases[i]}, ${exponents[i]}): got ${got[i]}, want ${Math.fround(Math.pow(bases[i], exponents[i]))}`);
    }
  });
});
