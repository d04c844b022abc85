/**
 * The differential op table: every differentiable op of the public `tf` namespace that TF.js has with
 * the same semantics, with how to build it in ours and in TF.js, how its attributes are drawn for an
 * operand (`plan`, null when the op does not apply to it) and which operand values keep it
 * well-conditioned (log of values >= 0.1, exp of values <= 6, max only over generic values...).
 * `tol` multiplies the graph's float32 tolerance for ops whose float32 error grows faster (pow, prod).
 */
import * as tfjs from '@tensorflow/tfjs';
import * as tf from '../../src-core/index';
import {
  bound, broadcastShapes, disjoint, monotone, pick, productInterval, randInt, shuffled, sizeOf, uniformValues,
  type Rng, type ValueInfo,
} from './values';

export type Interval = { lo: number; hi: number };

/** A further float operand: an earlier value that `accept`s, or else a fresh graph input drawn in [lo, hi]. */
export interface Operand extends Interval {
  shape: number[];
  accept?: (v: ValueInfo) => boolean;
}

export interface Planned {
  /** The call with its attributes, as printed for a replay. */
  label: string;
  extra: Operand[];
  /** The result's interval and genericity from the resolved operands (x first). */
  out: (operands: ValueInfo[]) => Interval & { generic: boolean };
  shape: number[];
  ours: (xs: tf.Tensor[]) => tf.Tensor;
  theirs: (xs: tfjs.Tensor[]) => tfjs.Tensor;
}

export interface OpSpec {
  /** Our public name. */
  name: string;
  /** TF.js's counterpart (a composition where TF.js names the op otherwise). */
  theirs: string;
  tol: number;
  plan: (rng: Rng, x: ValueInfo) => Planned | null;
}

const keep = (x: ValueInfo, iv: Interval, generic = x.generic) => (): Interval & { generic: boolean } => ({ ...iv, generic });
const f32 = (values: number[], shape: number[]) => new tf.NDArray(Float32Array.from(values), shape);
const i32 = (values: number[], shape: number[]) => new tf.NDArray(Int32Array.from(values), shape, 'int32');
const normAxis = (a: number, rank: number) => (a < 0 ? a + rank : a);

// ---------------------------------------------------------------------------------------------
// Elementwise unary

interface UnarySpec {
  name: string;
  theirs: string;
  ours: (x: tf.Tensor) => tf.Tensor;
  their: (x: tfjs.Tensor) => tfjs.Tensor;
  /** Whether the op applies to x (domain, conditioning, kinks). */
  when?: (x: ValueInfo) => boolean;
  range: (x: ValueInfo) => Interval;
  /** Whether a generic input stays generic (false: clamps, steps, ties). */
  keepsGeneric?: boolean;
  tol?: number;
}

const positive = (x: ValueInfo) => x.lo >= 0.1 && x.hi <= 100;
const nonzero = (x: ValueInfo) => (x.lo >= 0.1 || x.hi <= -0.1) && bound(x) <= 100;
const generic = (x: ValueInfo) => x.generic;
/** Rounding ops only on graph inputs: their float32 values are exact in every framework, so a value a few ulp from a step cannot flip. */
const leaf = (x: ValueInfo) => x.leaf;

function unary(s: UnarySpec): OpSpec {
  return {
    name: s.name, theirs: s.theirs, tol: s.tol ?? 1,
    plan: (_rng, x) => (s.when && !s.when(x) ? null : {
      label: `${s.name}(x)`, extra: [], shape: x.shape, out: keep(x, s.range(x), (s.keepsGeneric ?? true) && x.generic),
      ours: ([a]) => s.ours(a), theirs: ([a]) => s.their(a),
    }),
  };
}

const relu = (v: number) => Math.max(v, 0);
const elu = (v: number) => (v > 0 ? v : Math.expm1(v));
const SELU_SCALE = 1.0507009873554805;
const SELU_ALPHA = 1.6732632423543772;
const selu = (v: number) => SELU_SCALE * (v > 0 ? v : SELU_ALPHA * Math.expm1(v));
const softplus = (v: number) => Math.log1p(Math.exp(-Math.abs(v))) + Math.max(v, 0);
const absRange = (x: ValueInfo): Interval => (x.lo >= 0 ? x : x.hi <= 0 ? { lo: -x.hi, hi: -x.lo } : { lo: 0, hi: bound(x) });
const squareRange = (x: ValueInfo): Interval => { const a = absRange(x); return { lo: a.lo * a.lo, hi: a.hi * a.hi }; };

const UNARY: UnarySpec[] = [
  { name: 'negative', theirs: 'neg', ours: (x) => tf.negative(x), their: (x) => tfjs.neg(x), range: (x) => ({ lo: -x.hi, hi: -x.lo }) },
  { name: 'abs', theirs: 'abs', ours: (x) => tf.abs(x), their: (x) => tfjs.abs(x), when: generic, range: absRange, keepsGeneric: false },
  { name: 'sign', theirs: 'sign', ours: (x) => tf.sign(x), their: (x) => tfjs.sign(x), when: leaf, range: () => ({ lo: -1, hi: 1 }), keepsGeneric: false },
  { name: 'floor', theirs: 'floor', ours: (x) => tf.floor(x), their: (x) => tfjs.floor(x), when: leaf, range: (x) => ({ lo: Math.floor(x.lo), hi: Math.floor(x.hi) }), keepsGeneric: false },
  { name: 'ceil', theirs: 'ceil', ours: (x) => tf.ceil(x), their: (x) => tfjs.ceil(x), when: leaf, range: (x) => ({ lo: Math.ceil(x.lo), hi: Math.ceil(x.hi) }), keepsGeneric: false },
  { name: 'round', theirs: 'round', ours: (x) => tf.round(x), their: (x) => tfjs.round(x), when: leaf, range: (x) => ({ lo: Math.round(x.lo) - 1, hi: Math.round(x.hi) + 1 }), keepsGeneric: false },
  { name: 'exp', theirs: 'exp', ours: (x) => tf.exp(x), their: (x) => tfjs.exp(x), when: (x) => x.hi <= 6 && x.lo >= -30, range: (x) => monotone(Math.exp, x.lo, x.hi) },
  { name: 'log', theirs: 'log', ours: (x) => tf.log(x), their: (x) => tfjs.log(x), when: positive, range: (x) => monotone(Math.log, x.lo, x.hi) },
  { name: 'sqrt', theirs: 'sqrt', ours: (x) => tf.sqrt(x), their: (x) => tfjs.sqrt(x), when: positive, range: (x) => monotone(Math.sqrt, x.lo, x.hi) },
  { name: 'rsqrt', theirs: 'rsqrt', ours: (x) => tf.rsqrt(x), their: (x) => tfjs.rsqrt(x), when: positive, range: (x) => monotone((v) => 1 / Math.sqrt(v), x.lo, x.hi) },
  { name: 'square', theirs: 'square', ours: (x) => tf.square(x), their: (x) => tfjs.square(x), when: (x) => bound(x) <= 30, range: squareRange, keepsGeneric: false },
  { name: 'reciprocal', theirs: 'reciprocal', ours: (x) => tf.reciprocal(x), their: (x) => tfjs.reciprocal(x), when: nonzero, range: (x) => monotone((v) => 1 / v, x.lo, x.hi) },
  { name: 'sigmoid', theirs: 'sigmoid', ours: (x) => tf.sigmoid(x), their: (x) => tfjs.sigmoid(x), range: (x) => monotone((v) => 1 / (1 + Math.exp(-v)), x.lo, x.hi) },
  { name: 'tanh', theirs: 'tanh', ours: (x) => tf.tanh(x), their: (x) => tfjs.tanh(x), range: (x) => monotone(Math.tanh, x.lo, x.hi) },
  { name: 'identity', theirs: 'clone', ours: (x) => tf.identity(x), their: (x) => tfjs.clone(x), range: (x) => x },
  { name: 'nn.relu', theirs: 'relu', ours: (x) => tf.nn.relu(x), their: (x) => tfjs.relu(x), when: generic, range: (x) => monotone(relu, x.lo, x.hi), keepsGeneric: false },
  { name: 'nn.relu6', theirs: 'relu6', ours: (x) => tf.nn.relu6(x), their: (x) => tfjs.relu6(x), when: generic, range: (x) => monotone((v) => Math.min(relu(v), 6), x.lo, x.hi), keepsGeneric: false },
  { name: 'nn.elu', theirs: 'elu', ours: (x) => tf.nn.elu(x), their: (x) => tfjs.elu(x), when: generic, range: (x) => monotone(elu, x.lo, x.hi) },
  { name: 'nn.selu', theirs: 'selu', ours: (x) => tf.nn.selu(x), their: (x) => tfjs.selu(x), when: generic, range: (x) => monotone(selu, x.lo, x.hi) },
  { name: 'nn.softplus', theirs: 'softplus', ours: (x) => tf.nn.softplus(x), their: (x) => tfjs.softplus(x), range: (x) => monotone(softplus, x.lo, x.hi) },
  {
    name: 'nn.softsign', theirs: 'div(x, 1 + abs(x)) (TF.js has no softsign)', ours: (x) => tf.nn.softsign(x), their: (x) => tfjs.div(x, tfjs.add(tfjs.abs(x), 1)),
    when: generic, range: (x) => monotone((v) => v / (1 + Math.abs(v)), x.lo, x.hi),
  },
];

const unaryOps: OpSpec[] = [
  ...UNARY.map(unary),
  {
    name: 'nn.leaky_relu', theirs: 'leakyRelu', tol: 1,
    plan: (rng, x) => {
      if (!x.generic) return null;
      const alpha = pick(rng, [0.01, 0.2, 0.5]);
      return {
        label: `nn.leaky_relu(x, ${alpha})`, extra: [], shape: x.shape, out: keep(x, monotone((v) => (v > 0 ? v : alpha * v), x.lo, x.hi)),
        ours: ([a]) => tf.nn.leaky_relu(a, alpha), theirs: ([a]) => tfjs.leakyRelu(a, alpha),
      };
    },
  },
  {
    name: 'clip_by_value', theirs: 'clipByValue', tol: 1,
    plan: (rng, x) => {
      if (!x.generic) return null;
      const a = Math.fround(x.lo + (x.hi - x.lo) * 0.3 * rng());
      const b = Math.fround(x.hi - (x.hi - x.lo) * 0.3 * rng());
      return {
        label: `clip_by_value(x, ${a}, ${b})`, extra: [], shape: x.shape, out: keep(x, { lo: a, hi: b }, false),
        ours: ([t]) => tf.clip_by_value(t, a, b), theirs: ([t]) => tfjs.clipByValue(t, a, b),
      };
    },
  },
];

// ---------------------------------------------------------------------------------------------
// Elementwise binary (numpy broadcasting)

interface BinarySpec {
  name: string;
  theirs: string;
  ours: (a: tf.Tensor, b: tf.Tensor) => tf.Tensor;
  their: (a: tfjs.Tensor, b: tfjs.Tensor) => tfjs.Tensor;
  /** Interval a fresh second operand is drawn from. */
  fresh: (x: ValueInfo) => Interval;
  /** Whether x, and an earlier value as second operand, keep the op well-conditioned. */
  whenX?: (x: ValueInfo) => boolean;
  acceptY?: (y: ValueInfo, x: ValueInfo) => boolean;
  range: (a: ValueInfo, b: ValueInfo) => Interval;
  /** The kinks need operands that never tie (maximum/minimum). */
  needsIndependent?: boolean;
  tol?: number;
}

/** The second operand's shape: x's, a broadcastable reduction of it, or x's broadcast up (then x is the small one). */
function partnerShape(rng: Rng, shape: number[]): number[] {
  const r = rng();
  if (r < 0.5 || shape.length === 0) return [...shape];
  if (r < 0.8) return shape.slice(randInt(rng, 0, shape.length)).map((d) => (rng() < 0.4 ? 1 : d));
  const grown = shape.map((d) => (d === 1 ? randInt(rng, 1, 3) : d));
  return sizeOf(grown) <= 64 ? grown : [...shape];
}

function binary(s: BinarySpec): OpSpec {
  return {
    name: s.name, theirs: s.theirs, tol: s.tol ?? 1,
    plan: (rng, x) => {
      if (s.whenX && !s.whenX(x)) return null;
      const yShape = partnerShape(rng, x.shape);
      const shape = broadcastShapes(x.shape, yShape);
      if (!shape) return null;
      const swap = rng() < 0.3;
      return {
        label: swap ? `${s.name}(y, x)` : `${s.name}(x, y)`,
        extra: [{
          shape: yShape, ...s.fresh(x),
          accept: (y) => (!s.needsIndependent || (y.generic && disjoint(y.sources, x.sources))) && (!s.acceptY || s.acceptY(y, x)),
        }],
        shape,
        out: ([a, b]) => ({
          ...(swap ? s.range(b, a) : s.range(a, b)),
          generic: a.generic && b.generic && disjoint(a.sources, b.sources),
        }),
        ours: ([a, b]) => (swap ? s.ours(b, a) : s.ours(a, b)),
        theirs: ([a, b]) => (swap ? s.their(b, a) : s.their(a, b)),
      };
    },
  };
}

const signed = (): Interval => ({ lo: -2, hi: 2 });
const within = (limit: number) => (y: ValueInfo) => bound(y) <= limit;
const divRange = (a: ValueInfo, b: ValueInfo): Interval => productInterval(a, monotone((v) => 1 / v, b.lo, b.hi));

const BINARY: BinarySpec[] = [
  { name: 'add', theirs: 'add', ours: (a, b) => tf.add(a, b), their: (a, b) => tfjs.add(a, b), fresh: signed, acceptY: within(100), range: (a, b) => ({ lo: a.lo + b.lo, hi: a.hi + b.hi }) },
  { name: 'subtract', theirs: 'sub', ours: (a, b) => tf.subtract(a, b), their: (a, b) => tfjs.sub(a, b), fresh: signed, acceptY: within(100), range: (a, b) => ({ lo: a.lo - b.hi, hi: a.hi - b.lo }) },
  { name: 'multiply', theirs: 'mul', ours: (a, b) => tf.multiply(a, b), their: (a, b) => tfjs.mul(a, b), fresh: signed, whenX: within(30), acceptY: within(10), range: productInterval },
  {
    name: 'div', theirs: 'div (the denominator kept away from 0)', ours: (a, b) => tf.div(a, b), their: (a, b) => tfjs.div(a, b),
    // Both orders occur: x is numerator or denominator, so both must be fit for either.
    fresh: () => ({ lo: 0.5, hi: 2 }), whenX: nonzero, acceptY: (y) => nonzero(y) && bound(y) <= 10, range: divRange,
  },
  {
    name: 'pow', theirs: 'pow (positive bases, exponents in [-2, 2])', ours: (a, b) => tf.pow(a, b), their: (a, b) => tfjs.pow(a, b), tol: 4,
    fresh: () => ({ lo: 0.5, hi: 2 }), whenX: (x) => x.lo >= 0.25 && x.hi <= 2, acceptY: (y) => y.lo >= 0.25 && y.hi <= 2,
    range: (a, b) => { const c = [a.lo ** b.lo, a.lo ** b.hi, a.hi ** b.lo, a.hi ** b.hi]; return { lo: Math.min(...c), hi: Math.max(...c) }; },
  },
  {
    name: 'maximum', theirs: 'maximum', ours: (a, b) => tf.maximum(a, b), their: (a, b) => tfjs.maximum(a, b), fresh: signed,
    whenX: generic, needsIndependent: true, range: (a, b) => ({ lo: Math.max(a.lo, b.lo), hi: Math.max(a.hi, b.hi) }),
  },
  {
    name: 'minimum', theirs: 'minimum', ours: (a, b) => tf.minimum(a, b), their: (a, b) => tfjs.minimum(a, b), fresh: signed,
    whenX: generic, needsIndependent: true, range: (a, b) => ({ lo: Math.min(a.lo, b.lo), hi: Math.min(a.hi, b.hi) }),
  },
];

// ---------------------------------------------------------------------------------------------
// Reductions

function drawAxes(rng: Rng, rank: number): number[] {
  const axes = shuffled(rng, Array.from({ length: rank }, (_, i) => i)).slice(0, randInt(rng, 1, rank));
  return axes.map((a) => (rng() < 0.3 ? a - rank : a));
}

function reducedShape(shape: number[], axes: number[], keepdims: boolean): number[] {
  const set = new Set(axes.map((a) => normAxis(a, shape.length)));
  return keepdims ? shape.map((d, i) => (set.has(i) ? 1 : d)) : shape.filter((_, i) => !set.has(i));
}

interface ReduceSpec {
  name: string;
  theirs: string;
  ours: (x: tf.Tensor, axes: number[], keepdims: boolean) => tf.Tensor;
  their: (x: tfjs.Tensor, axes: number[], keepdims: boolean) => tfjs.Tensor;
  when?: (x: ValueInfo) => boolean;
  range: (x: ValueInfo, count: number) => Interval;
  tol?: number;
}

function reduction(s: ReduceSpec): OpSpec {
  return {
    name: s.name, theirs: s.theirs, tol: s.tol ?? 1,
    plan: (rng, x) => {
      if (x.shape.length === 0 || (s.when && !s.when(x))) return null;
      const axes = drawAxes(rng, x.shape.length);
      const keepdims = rng() < 0.4;
      const count = sizeOf(axes.map((a) => x.shape[normAxis(a, x.shape.length)]));
      return {
        label: `${s.name}(x, [${axes}], {keepdims: ${keepdims}})`, extra: [], shape: reducedShape(x.shape, axes, keepdims),
        out: keep(x, s.range(x, count), x.generic),
        // TF.js's prod gradient fails on negative axes ("rank of input must match length of perm"): it gets them normalised.
        ours: ([a]) => s.ours(a, axes, keepdims), theirs: ([a]) => s.their(a, axes.map((v) => normAxis(v, x.shape.length)), keepdims),
      };
    },
  };
}

const REDUCTIONS: ReduceSpec[] = [
  { name: 'reduce_sum', theirs: 'sum', ours: (x, a, k) => tf.reduce_sum(x, a, { keepdims: k }), their: (x, a, k) => tfjs.sum(x, a, k), range: (x, n) => ({ lo: Math.min(x.lo * n, x.lo), hi: Math.max(x.hi * n, x.hi) }) },
  { name: 'reduce_mean', theirs: 'mean', ours: (x, a, k) => tf.reduce_mean(x, a, { keepdims: k }), their: (x, a, k) => tfjs.mean(x, a, k), range: (x) => x },
  { name: 'reduce_max', theirs: 'max (no ties)', ours: (x, a, k) => tf.reduce_max(x, a, { keepdims: k }), their: (x, a, k) => tfjs.max(x, a, k), when: generic, range: (x) => x },
  { name: 'reduce_min', theirs: 'min (no ties)', ours: (x, a, k) => tf.reduce_min(x, a, { keepdims: k }), their: (x, a, k) => tfjs.min(x, a, k), when: generic, range: (x) => x },
  {
    name: 'reduce_prod', theirs: 'prod', ours: (x, a, k) => tf.reduce_prod(x, a, { keepdims: k }), their: (x, a, k) => tfjs.prod(x, a, k), tol: 4,
    when: (x) => x.generic && bound(x) <= 2, range: (x, n) => { const b = bound(x) ** n; return { lo: -b, hi: b }; },
  },
  {
    name: 'reduce_logsumexp', theirs: 'logSumExp', ours: (x, a, k) => tf.reduce_logsumexp(x, a, { keepdims: k }), their: (x, a, k) => tfjs.logSumExp(x, a, k),
    when: (x) => bound(x) <= 50, range: (x, n) => ({ lo: x.lo, hi: x.hi + Math.log(n) }),
  },
];

// ---------------------------------------------------------------------------------------------
// Shapes and layout

function factorizations(n: number): number[][] {
  const out: number[][] = [[n]];
  for (let a = 2; a < n; a++) {
    if (n % a !== 0) continue;
    out.push([a, n / a]);
    for (let b = 2; b < n / a; b++) if ((n / a) % b === 0) out.push([a, b, n / a / b]);
  }
  return out;
}

function nonNegativeInt(rng: Rng, max: number): number {
  return randInt(rng, 0, max);
}

const layoutOps: OpSpec[] = [
  {
    name: 'transpose', theirs: 'transpose', tol: 1,
    plan: (rng, x) => {
      if (x.shape.length < 2) return null;
      const perm = shuffled(rng, x.shape.map((_, i) => i));
      return {
        label: `transpose(x, [${perm}])`, extra: [], shape: perm.map((p) => x.shape[p]), out: keep(x, x),
        ours: ([a]) => tf.transpose(a, perm), theirs: ([a]) => tfjs.transpose(a, perm),
      };
    },
  },
  {
    name: 'reshape', theirs: 'reshape', tol: 1,
    plan: (rng, x) => {
      const shape = pick(rng, factorizations(sizeOf(x.shape)));
      const written = rng() < 0.3 ? shape.map((d, i) => (i === 0 ? -1 : d)) : shape;
      return {
        label: `reshape(x, [${written}])`, extra: [], shape, out: keep(x, x),
        ours: ([a]) => tf.reshape(a, written), theirs: ([a]) => tfjs.reshape(a, written),
      };
    },
  },
  {
    name: 'expand_dims', theirs: 'expandDims', tol: 1,
    plan: (rng, x) => {
      if (x.shape.length >= 4) return null;
      const axis = randInt(rng, -x.shape.length - 1, x.shape.length);
      const at = normAxis(axis, x.shape.length + 1);
      return {
        label: `expand_dims(x, ${axis})`, extra: [], shape: [...x.shape.slice(0, at), 1, ...x.shape.slice(at)], out: keep(x, x),
        ours: ([a]) => tf.expand_dims(a, axis), theirs: ([a]) => tfjs.expandDims(a, axis),
      };
    },
  },
  {
    name: 'squeeze', theirs: 'squeeze', tol: 1,
    plan: (rng, x) => {
      const ones = x.shape.map((d, i) => [d, i]).filter(([d]) => d === 1).map(([, i]) => i);
      if (ones.length === 0) return null;
      const axes = rng() < 0.5 ? ones : [pick(rng, ones)];
      return {
        label: `squeeze(x, [${axes}])`, extra: [], shape: x.shape.filter((_, i) => !axes.includes(i)), out: keep(x, x),
        ours: ([a]) => tf.squeeze(a, axes), theirs: ([a]) => tfjs.squeeze(a, axes),
      };
    },
  },
  {
    name: 'slice', theirs: 'slice', tol: 1,
    plan: (rng, x) => {
      if (x.shape.length === 0) return null;
      const begin = x.shape.map((d) => nonNegativeInt(rng, d - 1));
      const size = x.shape.map((d, i) => (rng() < 0.2 ? -1 : randInt(rng, 1, d - begin[i])));
      const shape = size.map((s, i) => (s === -1 ? x.shape[i] - begin[i] : s));
      return {
        label: `slice(x, [${begin}], [${size}])`, extra: [], shape, out: keep(x, x),
        ours: ([a]) => tf.slice(a, begin, size), theirs: ([a]) => tfjs.slice(a, begin, size),
      };
    },
  },
  {
    name: 'tile', theirs: 'tile', tol: 1,
    plan: (rng, x) => {
      if (x.shape.length === 0) return null;
      const reps = x.shape.map(() => randInt(rng, 1, 2));
      const shape = x.shape.map((d, i) => d * reps[i]);
      if (sizeOf(shape) > 96) return null;
      return {
        label: `tile(x, [${reps}])`, extra: [], shape, out: keep(x, x, x.generic && reps.every((r) => r === 1)),
        ours: ([a]) => tf.tile(a, reps), theirs: ([a]) => tfjs.tile(a, reps),
      };
    },
  },
  {
    name: 'pad', theirs: 'pad / mirrorPad', tol: 1,
    plan: (rng, x) => {
      if (x.shape.length === 0) return null;
      const mode = pick(rng, ['CONSTANT', 'REFLECT', 'SYMMETRIC'] as const);
      // REFLECT may pad at most d - 1 on a side, SYMMETRIC at most d.
      const limit = (d: number) => (mode === 'REFLECT' ? d - 1 : mode === 'SYMMETRIC' ? d : 2);
      const paddings = x.shape.map((d) => [nonNegativeInt(rng, Math.min(2, limit(d))), nonNegativeInt(rng, Math.min(2, limit(d)))] as [number, number]);
      const shape = x.shape.map((d, i) => d + paddings[i][0] + paddings[i][1]);
      if (sizeOf(shape) > 96) return null;
      const value = Math.fround(rng() * 2 - 1);
      const grows = paddings.some(([a, b]) => a + b > 0);
      const iv = mode === 'CONSTANT' && grows ? { lo: Math.min(x.lo, value), hi: Math.max(x.hi, value) } : x;
      return {
        label: mode === 'CONSTANT' ? `pad(x, ${JSON.stringify(paddings)}, {constant_values: ${value}})` : `pad(x, ${JSON.stringify(paddings)}, '${mode}')`,
        extra: [], shape, out: keep(x, iv, x.generic && !grows),
        ours: ([a]) => (mode === 'CONSTANT' ? tf.pad(a, paddings, { constant_values: value }) : tf.pad(a, paddings, mode)),
        theirs: ([a]) => (mode === 'CONSTANT' ? tfjs.pad(a, paddings, value) : tfjs.mirrorPad(a, paddings, mode === 'REFLECT' ? 'reflect' : 'symmetric')),
      };
    },
  },
  {
    name: 'concat', theirs: 'concat', tol: 1,
    plan: (rng, x) => {
      if (x.shape.length === 0) return null;
      const axis = randInt(rng, 0, x.shape.length - 1);
      const other = x.shape.map((d, i) => (i === axis ? randInt(rng, 1, 3) : d));
      const shape = x.shape.map((d, i) => (i === axis ? d + other[i] : d));
      const written = rng() < 0.3 ? axis - x.shape.length : axis;
      return {
        label: `concat([x, y], ${written})`, extra: [{ shape: other, lo: -2, hi: 2, accept: within(100) }], shape,
        out: ([a, b]) => ({ lo: Math.min(a.lo, b.lo), hi: Math.max(a.hi, b.hi), generic: a.generic && b.generic && disjoint(a.sources, b.sources) }),
        ours: (xs) => tf.concat(xs, written), theirs: (xs) => tfjs.concat(xs, written),
      };
    },
  },
  {
    name: 'stack', theirs: 'stack', tol: 1,
    plan: (rng, x) => {
      if (x.shape.length >= 4) return null;
      const axis = randInt(rng, 0, x.shape.length);
      return {
        label: `stack([x, y], ${axis})`, extra: [{ shape: x.shape, lo: -2, hi: 2, accept: within(100) }],
        shape: [...x.shape.slice(0, axis), 2, ...x.shape.slice(axis)],
        out: ([a, b]) => ({ lo: Math.min(a.lo, b.lo), hi: Math.max(a.hi, b.hi), generic: a.generic && b.generic && disjoint(a.sources, b.sources) }),
        ours: (xs) => tf.stack(xs, axis), theirs: (xs) => tfjs.stack(xs, axis),
      };
    },
  },
  {
    name: 'unstack', theirs: 'unstack', tol: 1,
    plan: (rng, x) => {
      if (x.shape.length === 0) return null;
      const axis = randInt(rng, 0, x.shape.length - 1);
      const index = randInt(rng, 0, x.shape[axis] - 1);
      return {
        label: `unstack(x, {axis: ${axis}})[${index}]`, extra: [], shape: x.shape.filter((_, i) => i !== axis), out: keep(x, x),
        ours: ([a]) => tf.unstack(a, { axis })[index], theirs: ([a]) => tfjs.unstack(a, axis)[index],
      };
    },
  },
  {
    name: 'split', theirs: 'split', tol: 1,
    plan: (rng, x) => {
      const axes = x.shape.map((d, i) => [d, i]).filter(([d]) => d >= 2).map(([, i]) => i);
      if (axes.length === 0) return null;
      const axis = pick(rng, axes);
      const d = x.shape[axis];
      const first = randInt(rng, 1, d - 1);
      const sizes = [first, d - first];
      const index = randInt(rng, 0, 1);
      return {
        label: `split(x, [${sizes}], ${axis})[${index}]`, extra: [], shape: x.shape.map((v, i) => (i === axis ? sizes[index] : v)), out: keep(x, x),
        ours: ([a]) => tf.split(a, sizes, axis)[index], theirs: ([a]) => tfjs.split(a, sizes, axis)[index],
      };
    },
  },
  {
    name: 'gather', theirs: 'gather', tol: 1,
    plan: (rng, x) => {
      if (x.shape.length === 0) return null;
      const axis = randInt(rng, 0, x.shape.length - 1);
      const count = randInt(rng, 1, 4);
      const ids = Array.from({ length: count }, () => randInt(rng, 0, x.shape[axis] - 1));
      const repeats = new Set(ids).size < ids.length;
      return {
        label: `gather(x, [${ids}], {axis: ${axis}})`, extra: [], shape: x.shape.map((d, i) => (i === axis ? count : d)), out: keep(x, x, x.generic && !repeats),
        ours: ([a]) => tf.gather(a, tf.constant(i32(ids, [count])), { axis }), theirs: ([a]) => tfjs.gather(a, tfjs.tensor1d(ids, 'int32'), axis),
      };
    },
  },
  {
    name: 'nn.embedding_lookup', theirs: 'gather axis 0', tol: 1,
    plan: (rng, x) => {
      if (x.shape.length === 0 || x.shape.length > 2) return null;
      const ids = Array.from({ length: 4 }, () => randInt(rng, 0, x.shape[0] - 1));
      const repeats = new Set(ids).size < ids.length;
      return {
        label: `nn.embedding_lookup(x, [[${ids.slice(0, 2)}], [${ids.slice(2)}]])`, extra: [], shape: [2, 2, ...x.shape.slice(1)], out: keep(x, x, x.generic && !repeats),
        ours: ([a]) => tf.nn.embedding_lookup(a, tf.constant(i32(ids, [2, 2]))), theirs: ([a]) => tfjs.gather(a, tfjs.tensor2d(ids, [2, 2], 'int32'), 0),
      };
    },
  },
  {
    name: 'where', theirs: 'where', tol: 1,
    plan: (rng, x) => {
      const cond = Array.from({ length: sizeOf(x.shape) }, () => (rng() < 0.5 ? 1 : 0));
      return {
        label: `where([${cond}], x, y)`, extra: [{ shape: x.shape, lo: -2, hi: 2, accept: within(100) }], shape: x.shape,
        out: ([a, b]) => ({ lo: Math.min(a.lo, b.lo), hi: Math.max(a.hi, b.hi), generic: a.generic && b.generic && disjoint(a.sources, b.sources) }),
        ours: ([a, b]) => tf.where(tf.constant(new tf.NDArray(Uint8Array.from(cond), x.shape, 'bool')), a, b),
        theirs: ([a, b]) => tfjs.where(tfjs.tensor(cond, x.shape, 'bool'), a, b),
      };
    },
  },
];

// ---------------------------------------------------------------------------------------------
// Matrix, nn and losses

const rowsOf = (x: ValueInfo) => x.shape.length === 2 && x.shape[1] >= 2;

function randomDistribution(rng: Rng, rows: number, cols: number): number[] {
  const out: number[] = [];
  for (let r = 0; r < rows; r++) {
    const w = Array.from({ length: cols }, () => rng() + 0.05);
    const s = w.reduce((a, b) => a + b, 0);
    out.push(...w.map((v) => v / s));
  }
  return out;
}

const nnOps: OpSpec[] = [
  {
    name: 'matmul', theirs: 'matMul', tol: 1,
    plan: (rng, x) => {
      if (x.shape.length !== 2 || bound(x) > 30) return null;
      const ta = rng() < 0.3;
      const tb = rng() < 0.3;
      const [m, k] = ta ? [x.shape[1], x.shape[0]] : x.shape;
      const n = randInt(rng, 1, 4);
      return {
        label: `matmul(x, y, {transpose_a: ${ta}, transpose_b: ${tb}})`, extra: [{ shape: tb ? [n, k] : [k, n], lo: -2, hi: 2, accept: within(10) }], shape: [m, n],
        out: ([a, b]) => { const p = productInterval(a, b); return { lo: Math.min(p.lo * k, 0), hi: Math.max(p.hi * k, 0), generic: a.generic && b.generic && disjoint(a.sources, b.sources) }; },
        ours: ([a, b]) => tf.matmul(a, b, { transpose_a: ta, transpose_b: tb }), theirs: ([a, b]) => tfjs.matMul(a, b, ta, tb),
      };
    },
  },
  {
    name: 'nn.softmax', theirs: 'softmax', tol: 1,
    plan: (_rng, x) => (x.shape.length === 0 || bound(x) > 50 ? null : {
      label: 'nn.softmax(x)', extra: [], shape: x.shape, out: keep(x, { lo: 0, hi: 1 }, x.generic && x.shape[x.shape.length - 1] > 1),
      ours: ([a]) => tf.nn.softmax(a), theirs: ([a]) => tfjs.softmax(a),
    }),
  },
  {
    name: 'nn.log_softmax', theirs: 'logSoftmax', tol: 1,
    plan: (_rng, x) => (x.shape.length === 0 || bound(x) > 50 ? null : {
      label: 'nn.log_softmax(x)', extra: [], shape: x.shape, out: keep(x, { lo: x.lo - x.hi - Math.log(x.shape[x.shape.length - 1]) - 1, hi: 0 }, x.generic && x.shape[x.shape.length - 1] > 1),
      ours: ([a]) => tf.nn.log_softmax(a), theirs: ([a]) => tfjs.logSoftmax(a),
    }),
  },
  {
    name: 'nn.bias_add', theirs: 'add of a [C] bias', tol: 1,
    plan: (_rng, x) => (x.shape.length < 2 ? null : {
      label: 'nn.bias_add(x, b)', extra: [{ shape: [x.shape[x.shape.length - 1]], lo: -1, hi: 1, accept: within(100) }], shape: x.shape,
      out: ([a, b]) => ({ lo: a.lo + b.lo, hi: a.hi + b.hi, generic: a.generic && b.generic && disjoint(a.sources, b.sources) }),
      ours: ([a, b]) => tf.nn.bias_add(a, b), theirs: ([a, b]) => tfjs.add(a, b),
    }),
  },
  {
    name: 'nn.conv2d', theirs: 'conv2d (NHWC)', tol: 1,
    plan: (rng, x) => {
      if (x.shape.length !== 4 || x.shape[1] < 2 || x.shape[2] < 2 || bound(x) > 10) return null;
      const [n, h, w, c] = x.shape;
      const kh = randInt(rng, 1, Math.min(3, h));
      const kw = randInt(rng, 1, Math.min(3, w));
      const s = randInt(rng, 1, 2);
      const padding = pick(rng, ['SAME', 'VALID'] as const);
      const out = randInt(rng, 1, 3);
      const size = (d: number, k: number) => (padding === 'SAME' ? Math.ceil(d / s) : Math.ceil((d - k + 1) / s));
      return {
        label: `nn.conv2d(x, W[${kh},${kw},${c},${out}], [1,${s},${s},1], '${padding}')`, extra: [{ shape: [kh, kw, c, out], lo: -1, hi: 1 }],
        shape: [n, size(h, kh), size(w, kw), out],
        out: ([a, f]) => { const p = productInterval(a, f); const k = kh * kw * c; return { lo: Math.min(p.lo * k, 0), hi: Math.max(p.hi * k, 0), generic: a.generic && f.generic }; },
        ours: ([a, f]) => tf.nn.conv2d(a, f, [1, s, s, 1], padding), theirs: ([a, f]) => tfjs.conv2d(a as tfjs.Tensor4D, f as tfjs.Tensor4D, s, padding === 'SAME' ? 'same' : 'valid'),
      };
    },
  },
  ...(['max_pool', 'avg_pool'] as const).map((kind): OpSpec => ({
    name: `nn.${kind}`, theirs: kind === 'max_pool' ? 'maxPool (no ties)' : 'avgPool', tol: 1,
    plan: (rng, x) => {
      // Windows of 2 or 3: a 1x1 window is a strided copy, and SAME padding only appears with k >= 2.
      if (x.shape.length !== 4 || x.shape[1] < 2 || x.shape[2] < 2 || (kind === 'max_pool' && !x.generic)) return null;
      const [n, h, w, c] = x.shape;
      const k = randInt(rng, 2, Math.min(3, h, w));
      const s = randInt(rng, 1, 2);
      const padding = pick(rng, ['SAME', 'VALID'] as const);
      const size = (d: number) => (padding === 'SAME' ? Math.ceil(d / s) : Math.ceil((d - k + 1) / s));
      const pad = padding === 'SAME' ? 'same' : 'valid';
      return {
        label: `nn.${kind}(x, [1,${k},${k},1], [1,${s},${s},1], '${padding}')`, extra: [], shape: [n, size(h), size(w), c],
        out: keep(x, x, kind === 'max_pool' && s >= k && x.generic),
        ours: ([a]) => tf.nn[kind](a, [1, k, k, 1], [1, s, s, 1], padding),
        theirs: ([a]) => (kind === 'max_pool' ? tfjs.maxPool(a as tfjs.Tensor4D, k, s, pad) : tfjs.avgPool(a as tfjs.Tensor4D, k, s, pad)),
      };
    },
  })),
  {
    name: 'nn.moments', theirs: 'moments', tol: 1,
    plan: (rng, x) => {
      if (x.shape.length === 0 || bound(x) > 30) return null;
      const axes = drawAxes(rng, x.shape.length).map((a) => normAxis(a, x.shape.length));
      const which = randInt(rng, 0, 1);
      return {
        label: `nn.moments(x, [${axes}])[${which}]`, extra: [], shape: reducedShape(x.shape, axes, false),
        out: keep(x, which === 0 ? x : { lo: 0, hi: (x.hi - x.lo) ** 2 }, x.generic),
        ours: ([a]) => tf.nn.moments(a, axes)[which], theirs: ([a]) => { const mv = tfjs.moments(a, axes); return which === 0 ? mv.mean : mv.variance; },
      };
    },
  },
  {
    name: 'nn.batch_normalization', theirs: 'batchNorm', tol: 1,
    plan: (_rng, x) => {
      if (x.shape.length === 0) return null;
      const c = [x.shape[x.shape.length - 1]];
      return {
        label: 'nn.batch_normalization(x, mean, variance, offset, scale, 1e-3)',
        extra: [{ shape: c, lo: -1, hi: 1 }, { shape: c, lo: 0.5, hi: 2 }, { shape: c, lo: -1, hi: 1 }, { shape: c, lo: 0.5, hi: 2 }], shape: x.shape,
        out: ([a, m, , o, s]) => { const b = (bound(a) + bound(m)) * Math.sqrt(1 / 0.5) * bound(s) + bound(o); return { lo: -b, hi: b, generic: a.generic }; },
        ours: ([a, m, v, o, s]) => tf.nn.batch_normalization(a, m, v, o, s, 1e-3), theirs: ([a, m, v, o, s]) => tfjs.batchNorm(a, m, v, o, s, 1e-3),
      };
    },
  },
  {
    name: 'nn.l2_loss', theirs: 'sum(square(x)) / 2 (TF.js has no l2Loss)', tol: 1,
    plan: (_rng, x) => (bound(x) > 30 ? null : {
      label: 'nn.l2_loss(x)', extra: [], shape: [], out: keep(x, { lo: 0, hi: (bound(x) ** 2 * sizeOf(x.shape)) / 2 }, true),
      ours: ([a]) => tf.nn.l2_loss(a), theirs: ([a]) => tfjs.div(tfjs.sum(tfjs.square(a)), 2),
    }),
  },
  {
    name: 'nn.softmax_cross_entropy_with_logits', theirs: 'losses.softmaxCrossEntropy (Reduction.NONE)', tol: 1,
    plan: (rng, x) => {
      if (!rowsOf(x) || bound(x) > 50) return null;
      const [n, k] = x.shape;
      const labels = randomDistribution(rng, n, k);
      return {
        label: `nn.softmax_cross_entropy_with_logits({labels: [${labels.map((v) => v.toFixed(3))}], logits: x})`, extra: [], shape: [n],
        out: keep(x, { lo: 0, hi: x.hi - x.lo + Math.log(k) }, x.generic),
        ours: ([a]) => tf.nn.softmax_cross_entropy_with_logits({ labels: tf.constant(f32(labels, [n, k])), logits: a }),
        theirs: ([a]) => tfjs.losses.softmaxCrossEntropy(tfjs.tensor2d(labels, [n, k]), a, undefined, 0, tfjs.Reduction.NONE),
      };
    },
  },
  {
    name: 'nn.sparse_softmax_cross_entropy_with_logits', theirs: 'losses.softmaxCrossEntropy of oneHot labels (Reduction.NONE)', tol: 1,
    plan: (rng, x) => {
      if (!rowsOf(x) || bound(x) > 50) return null;
      const [n, k] = x.shape;
      const labels = Array.from({ length: n }, () => randInt(rng, 0, k - 1));
      return {
        label: `nn.sparse_softmax_cross_entropy_with_logits({labels: [${labels}], logits: x})`, extra: [], shape: [n],
        out: keep(x, { lo: 0, hi: x.hi - x.lo + Math.log(k) }, x.generic),
        ours: ([a]) => tf.nn.sparse_softmax_cross_entropy_with_logits({ labels: tf.constant(i32(labels, [n])), logits: a }),
        theirs: ([a]) => tfjs.losses.softmaxCrossEntropy(tfjs.oneHot(tfjs.tensor1d(labels, 'int32'), k), a, undefined, 0, tfjs.Reduction.NONE),
      };
    },
  },
  {
    name: 'nn.sigmoid_cross_entropy_with_logits', theirs: 'losses.sigmoidCrossEntropy (Reduction.NONE)', tol: 1,
    plan: (rng, x) => {
      if (x.shape.length === 0 || bound(x) > 50) return null;
      const labels = uniformValues(rng, sizeOf(x.shape), 0, 1);
      return {
        label: `nn.sigmoid_cross_entropy_with_logits({labels: [${labels.map((v) => v.toFixed(3))}], logits: x})`, extra: [], shape: x.shape,
        out: keep(x, { lo: 0, hi: bound(x) + 1 }, x.generic),
        ours: ([a]) => tf.nn.sigmoid_cross_entropy_with_logits({ labels: tf.constant(f32(labels, x.shape)), logits: a }),
        theirs: ([a]) => tfjs.losses.sigmoidCrossEntropy(tfjs.tensor(labels, x.shape), a, undefined, 0, tfjs.Reduction.NONE),
      };
    },
  },
  {
    name: 'losses.mean_squared_error', theirs: 'losses.meanSquaredError', tol: 1,
    plan: (_rng, x) => (x.shape.length === 0 || bound(x) > 30 ? null : {
      label: 'losses.mean_squared_error(x, y)', extra: [{ shape: x.shape, lo: -2, hi: 2, accept: within(30) }], shape: [],
      out: ([a, b]) => ({ lo: 0, hi: (bound(a) + bound(b)) ** 2, generic: true }),
      ours: ([a, b]) => tf.losses.mean_squared_error(a, b), theirs: ([a, b]) => tfjs.losses.meanSquaredError(a, b),
    }),
  },
  {
    name: 'losses.softmax_cross_entropy', theirs: 'losses.softmaxCrossEntropy', tol: 1,
    plan: (rng, x) => {
      if (!rowsOf(x) || bound(x) > 50) return null;
      const [n, k] = x.shape;
      const labels = Array.from({ length: n }, () => randInt(rng, 0, k - 1)).flatMap((j) => Array.from({ length: k }, (_, i) => (i === j ? 1 : 0)));
      const smoothing = pick(rng, [0, 0.1]);
      return {
        label: `losses.softmax_cross_entropy([${labels}], x, {label_smoothing: ${smoothing}})`, extra: [], shape: [],
        out: keep(x, { lo: 0, hi: x.hi - x.lo + Math.log(k) }, true),
        ours: ([a]) => tf.losses.softmax_cross_entropy(tf.constant(f32(labels, [n, k])), a, { label_smoothing: smoothing }),
        theirs: ([a]) => tfjs.losses.softmaxCrossEntropy(tfjs.tensor2d(labels, [n, k]), a, undefined, smoothing),
      };
    },
  },
  {
    name: 'losses.sparse_softmax_cross_entropy', theirs: 'losses.softmaxCrossEntropy of oneHot labels', tol: 1,
    plan: (rng, x) => {
      if (!rowsOf(x) || bound(x) > 50) return null;
      const [n, k] = x.shape;
      const labels = Array.from({ length: n }, () => randInt(rng, 0, k - 1));
      return {
        label: `losses.sparse_softmax_cross_entropy([${labels}], x)`, extra: [], shape: [],
        out: keep(x, { lo: 0, hi: x.hi - x.lo + Math.log(k) }, true),
        ours: ([a]) => tf.losses.sparse_softmax_cross_entropy(tf.constant(i32(labels, [n])), a),
        theirs: ([a]) => tfjs.losses.softmaxCrossEntropy(tfjs.oneHot(tfjs.tensor1d(labels, 'int32'), k), a),
      };
    },
  },
  {
    name: 'losses.sigmoid_cross_entropy', theirs: 'losses.sigmoidCrossEntropy', tol: 1,
    plan: (rng, x) => {
      if (x.shape.length === 0 || bound(x) > 50) return null;
      const labels = Array.from({ length: sizeOf(x.shape) }, () => (rng() < 0.5 ? 1 : 0));
      const smoothing = pick(rng, [0, 0.2]);
      return {
        label: `losses.sigmoid_cross_entropy([${labels}], x, {label_smoothing: ${smoothing}})`, extra: [], shape: [],
        out: keep(x, { lo: 0, hi: bound(x) + 1 }, true),
        ours: ([a]) => tf.losses.sigmoid_cross_entropy(tf.constant(f32(labels, x.shape)), a, { label_smoothing: smoothing }),
        theirs: ([a]) => tfjs.losses.sigmoidCrossEntropy(tfjs.tensor(labels, x.shape), a, undefined, smoothing),
      };
    },
  },
];

export const OPS: readonly OpSpec[] = [...unaryOps, ...BINARY.map(binary), ...REDUCTIONS.map(reduction), ...layoutOps, ...nnOps];

const ALIAS = 'an alias: the same builder as a covered name';
const NO_GRADIENT = 'no gradient: integer, boolean or constant results';
const NOT_AN_OP = 'not a math op: graphs, sessions, variables, initializers, randomness or collections';
const STATE = 'a state update (assign), no gradient';

/**
 * Every other function of the public `tf`, `tf.nn`, `tf.losses` and `tf.layers` namespaces, and why it
 * is not in OPS (the coverage test requires each public function in exactly one of the two). tf.nn's
 * conv2d/max_pool/avg_pool are covered in TF-1's form; their tinyflow layer forms create variables
 * and pool NCHW, which TF.js does not.
 */
export const LEFT_OUT: Readonly<Record<string, string>> = {
  sub: ALIAS, mul: ALIAS, neg: ALIAS, truediv: ALIAS, divide: ALIAS, 'nn.sigmoid': ALIAS, 'nn.tanh': ALIAS,
  cast: 'float32 to float32 is the identity; casts to int32/bool have no gradient',
  stop_gradient: 'TF.js has no stopGradient (ours is in the gradient suite)',
  'nn.dropout': 'random: TF.js draws another mask',
  'losses.compute_weighted_loss': 'the reduction inside every covered tf.losses.* call',
  'nn.linear': 'tinyflow layer (creates variables) made of matmul and add',
  'nn.flatten_layer': 'tinyflow layer: a reshape',
  'nn.mean_sparse_softmax_cross_entropy_with_logits': 'tinyflow: reduce_mean of the covered sparse cross-entropy',
  layers: 'tf.layers.*: layers with variables, made of covered ops (helper I tests them)',
  assign: STATE, assign_add: STATE, assign_sub: STATE,
  ...Object.fromEntries([
    'equal', 'not_equal', 'less', 'less_equal', 'greater', 'greater_equal', 'logical_and', 'logical_or', 'logical_not', 'argmax', 'argmin',
    'zeros', 'ones', 'fill', 'constant', 'zeros_like', 'ones_like', 'one_hot', 'shape', 'size', 'rank', 'range',
  ].map((k) => [k, NO_GRADIENT])),
  ...Object.fromEntries([
    'random_normal', 'truncated_normal', 'random_uniform', 'set_random_seed', 'normal', 'placeholder', 'group', 'global_variables', 'trainable_variables',
    'variables_initializer', 'global_variables_initializer', 'initialize_all_variables', 'Variable', 'gradients', 'Tensor', 'Operation', 'NDArray',
    'InteractiveSession', 'get_default_session', 'TensorShape', 'Graph', 'infer_variable_shapes', 'variable_scope', 'get_variable', 'get_variable_scope',
    'VariableScope', 'zeros_initializer', 'ones_initializer', 'constant_initializer', 'random_normal_initializer', 'truncated_normal_initializer',
    'random_uniform_initializer', 'glorot_uniform_initializer', 'get_collection', 'add_to_collection', 'get_default_graph', 'reset_default_graph',
    'name_scope', 'control_dependencies', 'Session',
  ].map((k) => [k, NOT_AN_OP])),
};
