/**
 * Random ops (TF-1's RandomUniform, RandomStandardNormal, TruncatedNormal) with attrs {shape, dtype,
 * seed, seed2}. They are stateful: the session keeps one seeded Rng per op, shared by every plan it
 * compiles, so every run draws new values whatever else it fetches, and a fresh session replays the
 * same stream from the seeds. Each step fills a
 * host Float32Array and `backend.write`s it, so the values are identical on every backend (dropout
 * conforms exactly across backends) and no backend needs a random kernel.
 *
 * A dim of -1 in `shape` is taken from the optional shape-only input at the same position, which is
 * how dropout draws a mask shaped like an input whose batch size is known only at run time.
 */
import { formatShape, type Dim } from '../graph/shape';
import { Rng } from '../util/rng';
import { defineOp, type NodeInfo, type OpDef, type TensorSpec } from './op-def';
import { opError, refArray, storeAs } from './support';
import type { DType } from '../graph/dtype';

export interface RandomAttrs {
  /** The output shape; -1 takes the dim from the shape-only input (if given). */
  shape: number[];
  dtype: DType;
  /** The graph-level seed (or the default one) and the op-level seed (or the op's creation index). */
  seed: number;
  seed2: number;
}

/**
 * One stream per (seed, seed2): seed2 below 2^21 (op indices, small user seeds) maps injectively, larger
 * ones are folded in by a multiplicative hash; the result is a safe integer for Rng.fromSeed.
 */
export function streamSeed(seed: number, seed2: number): number {
  const hi = ((seed >>> 0) ^ Math.imul(seed2 >>> 21, 0x9e3779b1)) >>> 0;
  return hi * 0x200000 + ((seed2 >>> 0) & 0x1fffff);
}

function outputShape(inputs: TensorSpec[], attrs: RandomAttrs, node: NodeInfo): Dim[] {
  if (!Array.isArray(attrs.shape) || attrs.shape.some((d) => !Number.isInteger(d) || d < -1)) {
    throw opError(node, `shape must be a list of integers >= 0 (or -1 for a dim of the shape input), got ${JSON.stringify(attrs.shape)}`);
  }
  if (attrs.dtype !== 'float32') throw opError(node, `only float32 is supported, got ${attrs.dtype}`);
  if (!Number.isInteger(attrs.seed) || !Number.isInteger(attrs.seed2)) throw opError(node, `seeds must be integers, got ${attrs.seed}, ${attrs.seed2}`);
  if (!attrs.shape.includes(-1)) return [...attrs.shape];
  const like = inputs[0];
  if (like === undefined) throw opError(node, `shape ${formatShape(attrs.shape)} has -1 dims but no shape input`);
  if (like.shape === null) return attrs.shape.map((d) => (d === -1 ? null : d));
  if (like.shape.length !== attrs.shape.length) {
    throw opError(node, `shape ${formatShape(attrs.shape)} takes dims from ${formatShape(like.shape)}, which has another rank`);
  }
  return attrs.shape.map((d, i) => (d === -1 ? (like.shape as Dim[])[i] : d));
}

function draw(sample: (rng: Rng) => number, rng: Rng, out: Float32Array | Float64Array): void {
  for (let i = 0; i < out.length; i++) out[i] = sample(rng);
}

function defineRandom(type: string, sample: (rng: Rng) => number): OpDef<RandomAttrs> {
  return defineOp<RandomAttrs>({
    type,
    stateful: true,
    shapeOnlyInputs: [0],
    inferOutputs: (inputs, attrs, node) => [{ dtype: attrs.dtype, shape: outputShape(inputs, attrs, node) }],
    // Nothing flows back into the shape input.
    gradient: (op) => op.inputs.map(() => null),
    lower(ctx, node) {
      const out = node.outputs[0].buffer;
      if (out.size === 0) return;
      const rng = ctx.sessionState(`random:${node.name}`, () => Rng.fromSeed(streamSeed(node.attrs.seed, node.attrs.seed2)));
      const host = new Float32Array(out.size);
      const { backend } = ctx;
      ctx.emit(() => {
        draw(sample, rng, host);
        backend.write(out, host);
      });
    },
    // The reference is a pure function: it gives the stream's first draw, i.e. a plan's first run.
    reference(inputs, attrs, node) {
      const out = refArray(outputShape(inputs, attrs, node) as number[], attrs.dtype);
      draw(sample, Rng.fromSeed(streamSeed(attrs.seed, attrs.seed2)), out.data);
      for (let i = 0; i < out.data.length; i++) out.data[i] = storeAs('float32', out.data[i]);
      return [out];
    },
  });
}

/** Uniform in [0, 1): 24-bit values, exact in float32 and never rounded up to 1. */
export const RandomUniform = defineRandom('RandomUniform', (rng) => rng.nextFloat());

export const RandomStandardNormal = defineRandom('RandomStandardNormal', (rng) => rng.nextNormal());

/** Standard normal with values beyond 2 standard deviations dropped and redrawn, as TF does. */
export const TruncatedNormal = defineRandom('TruncatedNormal', (rng) => {
  for (;;) {
    const z = rng.nextNormal();
    if (Math.abs(z) <= 2) return z;
  }
});
