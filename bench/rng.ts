/**
 * A small seeded generator (mulberry32) so the data and the TypeScript peers' initial weights are the
 * same on every run and in every process, without depending on any framework's RNG.
 */
export function mulberry32(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** Uniform ±sqrt(6 / (fanIn + fanOut)) (Glorot): keeps relu activations alive so timings are typical of training. */
export function glorot(shape: readonly number[], fanIn: number, fanOut: number, seed: number): Float32Array {
  const next = mulberry32(seed);
  const limit = Math.sqrt(6 / (fanIn + fanOut));
  const size = shape.reduce((a, b) => a * b, 1);
  const out = new Float32Array(size);
  for (let i = 0; i < size; i++) out[i] = (next() * 2 - 1) * limit;
  return out;
}
