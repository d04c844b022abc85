/**
 * Gradient checks for every differentiable op: L = reduce_sum(op(inputs) * R) with a random constant
 * R; the analytic gradients from tf.gradients are evaluated with the reference interpreter in float64
 * and compared with central differences of L (also float64 reference evaluations), then evaluated
 * through a cpu Session (float32) and compared with a looser tolerance.
 *
 * Note: the reference kernels round every float32 output to float32 (support.ts storeAs), which makes
 * a 1e-6 central difference meaningless, so evaluations here run under `inFloat64` (test-support.ts),
 * which switches that rounding off.
 */
import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import * as tf from '../index';
import * as m from '../api/math-core';
import { evaluateReference } from '../reference-interpreter';
import { getOpDef, registeredOpTypes } from './op-def';
import { NN_OP_TYPES } from './nn-test-support';
import { shapesCompatible } from '../graph/shape';
import {
  ALL_KNOWN, axesArb, broadcastOf, broadcastPairArb, closeMismatch, distinctFloats, expectShape, expectShapeCompatible,
  floatsAwayFromZero, inFloat64, inGraph, makeRng, maxAbs, ndarray, normalizeAxes, numElements, permutationArb,
  propertyRunner, randomFloats, refFeeds, runCpu, runReference, seedArb, shapeArb, staticShape, unknownsArb,
  type Feeds, type Tensor, type Unknowns,
} from './test-support';

const RUNS = 30;
const EPS = 1e-6;
/** Analytic (float64) vs central differences (float64). */
const FD_RTOL = 1e-4;
/** cpu (float32) vs analytic (float64). */
const CPU_RTOL = 1e-3;

/** Op types whose gradient was checked against central differences. */
const checked = new Set<string>();
/** Op types whose gradient was checked to be null (not differentiable). */
const checkedNull = new Set<string>();

const property = propertyRunner(RUNS);

/** A float32 placeholder (some dims possibly unknown) and its value. */
function input(shape: number[], data: Float32Array, unknowns: Unknowns = ALL_KNOWN): [Tensor, tf.NDArray] {
  return [tf.placeholder('float32', staticShape(shape, unknowns)), ndarray(data, shape, 'float32')];
}

/** dL/dx by central differences (step EPS), every element of every x, in float64 reference arithmetic. */
function centralDifferences(L: Tensor, feeds: Feeds, xs: Tensor[]): Float64Array[] {
  return inFloat64(() => {
    const base = refFeeds(feeds);
    return xs.map((x) => {
      const value = base.get(x);
      if (value === undefined) throw new Error(`no feed for ${x.name}`);
      const out = new Float64Array(value.data.length);
      for (let j = 0; j < out.length; j++) {
        const at = (delta: number) => {
          const data = Float64Array.from(value.data);
          data[j] += delta;
          const feedsAt = new Map(base).set(x, { ...value, data });
          return evaluateReference([L], feedsAt)[0].data[0];
        };
        out[j] = (at(EPS) - at(-EPS)) / (2 * EPS);
      }
      return out;
    });
  });
}

interface GradCheckOptions {
  seed: number;
  /** Inputs not differentiated (e.g. shape-only operands): their gradient must be null. */
  noGrad?: Tensor[];
}

/**
 * The gradient check. `xs` are float32 placeholders fed with float32 values; `y` is the op under test.
 * Returns the analytic gradients (float64 reference values).
 */
function gradCheck(xs: [Tensor, tf.NDArray][], y: Tensor, extraFeeds: Feeds, options: GradCheckOptions): Float64Array[] {
  const graph = y.graph;
  for (const op of graph.operations) checked.add(op.type);
  const feeds: Feeds = [...xs, ...extraFeeds];
  const [yValue] = inFloat64(() => runReference([y], feeds));
  const rng = makeRng(options.seed ^ 0x5bd1e995);
  const r = tf.constant(ndarray(floatsAwayFromZero(rng, numElements(yValue.shape), 0.25, 1), yValue.shape));
  const L = tf.reduce_sum(tf.multiply(y, r));
  const xTensors = xs.map(([t]) => t);
  const grads = tf.gradients(L, [...xTensors, ...(options.noGrad ?? [])]);
  (options.noGrad ?? []).forEach((t, i) => expect(grads[xs.length + i], `gradient w.r.t. ${t.name}`).toBeNull());

  const dxs = grads.slice(0, xs.length).map((g, i) => {
    if (g === null) throw new Error(`tf.gradients returned null for ${xs[i][0].name}`);
    expect(g.dtype).toBe('float32');
    expectShapeCompatible(g.shape, xs[i][1].shape, `static shape of the gradient w.r.t. ${xs[i][0].name}`);
    expect(shapesCompatible(g.shape, xs[i][0].shape), `static shapes of the gradient and of ${xs[i][0].name}`).toBe(true);
    return g;
  });

  const analytic = inFloat64(() => runReference(dxs, feeds));
  const numeric = centralDifferences(L, feeds, xTensors);
  analytic.forEach((a, i) => {
    const what = `d/d${xs[i][0].name}`;
    expectShape(a.shape, xs[i][1].shape, `${what} (reference) shape`);
    const n = numeric[i];
    const scale = maxAbs(n);
    const msg = closeMismatch(a.data, n, { rtol: FD_RTOL, atol: FD_RTOL * 1e-2 * (1 + scale) });
    if (msg !== null) throw new Error(`${what}: analytic (float64 reference) vs central differences: ${msg}`);
  });

  const cpu = runCpu(graph, dxs, feeds);
  cpu.forEach((c, i) => {
    const what = `d/d${xs[i][0].name}`;
    expectShape(c.shape, xs[i][1].shape, `${what} (cpu) shape`);
    const msg = closeMismatch(c.data, analytic[i].data, { rtol: CPU_RTOL, atol: CPU_RTOL * 0.1 * (1 + maxAbs(analytic[i].data)) });
    if (msg !== null) throw new Error(`${what}: cpu (float32) vs analytic (float64 reference): ${msg}`);
  });
  return analytic.map((a) => a.data);
}

const smallShape = (minRank = 0, maxRank = 3) => shapeArb({ minRank, maxRank, maxDim: 3 });
/** Unknown dims but a known rank (gradient builders may need the rank). */
const dimsUnknown = (rank = 4) => unknownsArb(rank, false);

// ---------------------------------------------------------------------------------------------

describe('unary gradients vs central differences', () => {
  type Data = (rng: () => number, n: number) => Float32Array;
  const any: Data = (rng, n) => randomFloats(rng, n, 'uniform');
  const moderate: Data = (rng, n) => Float32Array.from(randomFloats(rng, n, 'uniform'), (v) => v * 0.75);
  const positive: Data = (rng, n) => floatsAwayFromZero(rng, n, 0.2, 4, false);
  const awayFromZero: Data = (rng, n) => floatsAwayFromZero(rng, n, 0.05, 4);
  const awayFromZeroWide: Data = (rng, n) => floatsAwayFromZero(rng, n, 0.3, 4);

  const UNARY: [string, (x: Tensor) => Tensor, Data][] = [
    ['Neg', (x) => tf.negative(x), any],
    ['Abs', (x) => tf.abs(x), awayFromZero],
    ['Exp', (x) => tf.exp(x), any],
    ['Log', (x) => tf.log(x), positive],
    ['Sqrt', (x) => tf.sqrt(x), positive],
    ['Rsqrt', (x) => tf.rsqrt(x), positive],
    ['Square', (x) => tf.square(x), any],
    ['Reciprocal', (x) => tf.reciprocal(x), awayFromZeroWide],
    ['Relu', (x) => tf.nn.relu(x), awayFromZero],
    ['Sigmoid', (x) => tf.sigmoid(x), any],
    ['Tanh', (x) => tf.tanh(x), moderate],
    ['Identity', (x) => tf.identity(x), any],
    // A named float -> float cast is a Cast op (unnamed, it is x itself).
    ['Cast', (x) => tf.cast(x, tf.float32, 'cast'), any],
  ];

  for (const [type, f, data] of UNARY) {
    it(type, () => {
      property(smallShape(), dimsUnknown(), seedArb, (shape, unknowns, seed) => {
        inGraph(() => {
          const [x, xv] = input(shape, data(makeRng(seed), numElements(shape)), unknowns);
          const y = f(x);
          expect(y.op.type).toBe(type);
          gradCheck([[x, xv]], y, [], { seed });
        });
      });
    });
  }

  it('an unknown-rank placeholder through elementwise ops', () => {
    property(smallShape(), seedArb, (shape, seed) => {
      inGraph(() => {
        const [x, xv] = input(shape, randomFloats(makeRng(seed), numElements(shape), 'uniform'), { dims: [], rank: true });
        gradCheck([[x, xv]], tf.multiply(tf.tanh(x), tf.exp(x)), [], { seed });
      });
    });
  });
});

// ---------------------------------------------------------------------------------------------

describe('binary gradients with broadcasting (SumToShapeOf) vs central differences', () => {
  type Data = (rng: () => number, n: number) => Float32Array;
  const any: Data = (rng, n) => randomFloats(rng, n, 'uniform');
  const positive: Data = (rng, n) => floatsAwayFromZero(rng, n, 0.3, 3, false);
  const exponent: Data = (rng, n) => Float32Array.from(randomFloats(rng, n, 'uniform'), (v) => v / 2);
  const awayFromZero: Data = (rng, n) => floatsAwayFromZero(rng, n, 0.3, 3);
  /** a on the grid 0.25k + 0.1, b on 0.25k: |a - b| >= 0.1 everywhere, so max/min never tie. */
  const offGrid: Data = (rng, n) => Float32Array.from({ length: n }, () => Math.floor(rng() * 24 - 12) * 0.25 + 0.1);
  const onGrid: Data = (rng, n) => Float32Array.from({ length: n }, () => Math.floor(rng() * 24 - 12) * 0.25);

  const BINARY: [string, (a: Tensor, b: Tensor) => Tensor, Data, Data][] = [
    ['Add', (a, b) => tf.add(a, b), any, any],
    ['Sub', (a, b) => tf.subtract(a, b), any, any],
    ['Mul', (a, b) => tf.multiply(a, b), any, any],
    ['Div', (a, b) => tf.divide(a, b), any, awayFromZero],
    ['Pow', (a, b) => tf.pow(a, b), positive, exponent],
    ['Maximum', (a, b) => tf.maximum(a, b), offGrid, onGrid],
    ['Minimum', (a, b) => tf.minimum(a, b), offGrid, onGrid],
  ];

  for (const [type, f, dataA, dataB] of BINARY) {
    it(`${type} (both inputs, different broadcast shapes, unknown dims)`, () => {
      property(broadcastPairArb({ maxDim: 3 }), dimsUnknown(), dimsUnknown(), fc.boolean(), seedArb, ([aShape, bShape], ua, ub, swap, seed) => {
        inGraph(() => {
          const rng = makeRng(seed);
          const [a, av] = input(aShape, dataA(rng, numElements(aShape)), ua);
          const [b, bv] = input(bShape, dataB(rng, numElements(bShape)), ub);
          const y = f(a, b);
          expect(y.op.type).toBe(type);
          // Both orders of the operands, so each side's broadcast gets reduced.
          gradCheck(swap ? [[b, bv], [a, av]] : [[a, av], [b, bv]], y, [], { seed });
        });
      });
    });
  }

  it('Pow: d/db is 0 where a <= 0 (TF-1), d/da is b * a^(b-1)', () => {
    inGraph(() => {
      const a = tf.constant([-2, 0, 2]);
      const b = tf.constant([3, 2, 2]);
      const [da, db] = tf.gradients(tf.reduce_sum(tf.pow(a, b)), [a, b]);
      const [dav, dbv] = runCpu(a.graph, [da as Tensor, db as Tensor]);
      expect(Array.from(dav.data)).toEqual([12, 0, 4]);
      expect(Array.from(dbv.data.subarray(0, 2), (v) => v + 0)).toEqual([0, 0]); // -0 is fine
      expect(dbv.data[2]).toBeCloseTo(4 * Math.log(2), 5);
    });
  });

  it('Maximum / Minimum send ties to the first operand, reduce_max splits ties evenly', () => {
    inGraph(() => {
      const a = tf.constant([1, 2, 3]);
      const b = tf.constant([1, 1, 4]);
      const [dmaxA, dmaxB] = tf.gradients(tf.reduce_sum(tf.maximum(a, b)), [a, b]);
      const [dminA, dminB] = tf.gradients(tf.reduce_sum(tf.minimum(a, b)), [a, b]);
      const x = tf.constant([1, 3, 3, 2]);
      const [dx] = tf.gradients(tf.reduce_max(x), x);
      const out = runCpu(a.graph, [dmaxA, dmaxB, dminA, dminB, dx] as Tensor[]).map((v) => Array.from(v.data));
      expect(out).toEqual([[1, 1, 0], [0, 0, 1], [1, 0, 1], [0, 1, 0], [0, 0.5, 0.5, 0]]);
    });
  });
});

// ---------------------------------------------------------------------------------------------

describe('reduction gradients (Unreduce, ReductionSizeOf) vs central differences', () => {
  const REDUCTIONS: [string, typeof tf.reduce_sum, (rng: () => number, n: number) => Float32Array][] = [
    ['Sum', tf.reduce_sum, (rng, n) => randomFloats(rng, n, 'uniform')],
    ['Mean', tf.reduce_mean, (rng, n) => randomFloats(rng, n, 'uniform')],
    ['Max', tf.reduce_max, (rng, n) => distinctFloats(rng, n)],
    ['Min', tf.reduce_min, (rng, n) => distinctFloats(rng, n)],
    ['Prod', tf.reduce_prod, (rng, n) => floatsAwayFromZero(rng, n, 0.5, 1.5)],
  ];
  const caseArb = shapeArb({ maxRank: 4, maxDim: 3 }).chain((shape) =>
    fc.tuple(fc.constant(shape), axesArb(shape.length), fc.boolean(), dimsUnknown(), seedArb));

  for (const [type, f, data] of REDUCTIONS) {
    it(`${type} over random axes, keep_dims true/false`, () => {
      property(caseArb, ([shape, axes, keepDims, unknowns, seed]) => {
        inGraph(() => {
          const [x, xv] = input(shape, data(makeRng(seed), numElements(shape)), unknowns);
          const y = f(x, axes, { keep_dims: keepDims });
          expect(y.op.type).toBe(type);
          gradCheck([[x, xv]], y, [], { seed });
        });
      });
    });
  }
});

// ---------------------------------------------------------------------------------------------

describe('MatMul, layout and softmax gradients vs central differences', () => {
  it('MatMul: all transpose combinations, batched, a rank-2 operand broadcast over the batch', () => {
    property(
      fc.record({ m: fc.integer({ min: 1, max: 3 }), k: fc.integer({ min: 1, max: 3 }), n: fc.integer({ min: 1, max: 3 }), batch: fc.integer({ min: 1, max: 3 }) }),
      fc.boolean(), fc.boolean(), fc.constantFrom('2x2', '3x3', '3x2', '2x3'), dimsUnknown(), dimsUnknown(), seedArb,
      ({ m: mm, k, n, batch }, ta, tb, layout, ua, ub, seed) => {
        inGraph(() => {
          const rng = makeRng(seed);
          const [ra, rb] = layout.split('x').map(Number);
          const aShape = [...(ra === 3 ? [batch] : []), ...(ta ? [k, mm] : [mm, k])];
          const bShape = [...(rb === 3 ? [batch] : []), ...(tb ? [n, k] : [k, n])];
          const [a, av] = input(aShape, randomFloats(rng, numElements(aShape)), ua);
          const [b, bv] = input(bShape, randomFloats(rng, numElements(bShape)), ub);
          gradCheck([[a, av], [b, bv]], tf.matmul(a, b, { transpose_a: ta, transpose_b: tb }), [], { seed });
        });
      },
    );
  });

  it('Transpose with random permutations (and null)', () => {
    property(
      shapeArb({ maxRank: 4, maxDim: 3 }).chain((shape) => fc.tuple(fc.constant(shape), fc.option(permutationArb(shape.length), { freq: 4 }))),
      dimsUnknown(), seedArb,
      ([shape, perm], unknowns, seed) => {
        inGraph(() => {
          const [x, xv] = input(shape, randomFloats(makeRng(seed), numElements(shape)), unknowns);
          gradCheck([[x, xv]], tf.transpose(x, perm), [], { seed });
        });
      },
    );
  });

  it('Reshape (with -1; unknown input dims give ReshapeToShapeOf)', () => {
    property(smallShape(0, 4), fc.boolean(), dimsUnknown(), seedArb, (shape, wildcard, unknowns, seed) => {
      inGraph(() => {
        const size = numElements(shape);
        const target = wildcard ? [-1] : size % 2 === 0 ? [2, size / 2] : [1, size];
        const [x, xv] = input(shape, randomFloats(makeRng(seed), size), unknowns);
        gradCheck([[x, xv]], tf.reshape(x, target), [], { seed });
      });
    });
  });

  for (const [type, f] of [['Softmax', tf.nn.softmax], ['LogSoftmax', tf.nn.log_softmax]] as const) {
    it(type, () => {
      property(smallShape(1, 3), fc.constantFrom(1, 3), dimsUnknown(3), seedArb, (shape, scale, unknowns, seed) => {
        inGraph(() => {
          const data = Float32Array.from(randomFloats(makeRng(seed), numElements(shape)), (v) => v * scale);
          const [x, xv] = input(shape, data, unknowns);
          const y = f(x);
          expect(y.op.type).toBe(type);
          gradCheck([[x, xv]], y, [], { seed });
        });
      });
    });
  }
});

// ---------------------------------------------------------------------------------------------

describe('gradients of the shape-of ops (second-order building blocks) vs central differences', () => {
  const pairArb = fc.tuple(broadcastPairArb({ maxDim: 3 }), dimsUnknown(), dimsUnknown(), seedArb);

  it('SumToShapeOf', () => {
    property(pairArb, ([[aShape, bShape], ux, ul, seed]) => {
      inGraph(() => {
        const rng = makeRng(seed);
        const outShape = broadcastOf(aShape, bShape) as number[];
        const [x, xv] = input(outShape, randomFloats(rng, numElements(outShape)), ux);
        const [like, likeV] = input(aShape, randomFloats(rng, numElements(aShape)), ul);
        gradCheck([[x, xv]], m.sumToShapeOf(x, like), [[like, likeV]], { seed, noGrad: [like] });
      });
    });
  });

  it('BroadcastToShapeOf', () => {
    property(pairArb, ([[aShape, bShape], ux, ul, seed]) => {
      inGraph(() => {
        const rng = makeRng(seed);
        const outShape = broadcastOf(aShape, bShape) as number[];
        const [x, xv] = input(aShape, randomFloats(rng, numElements(aShape)), ux);
        const [like, likeV] = input(outShape, randomFloats(rng, numElements(outShape)), ul);
        gradCheck([[x, xv]], m.broadcastToShapeOf(x, like), [[like, likeV]], { seed, noGrad: [like] });
      });
    });
  });

  function unreduceCase(keepDims: boolean) {
    return shapeArb({ maxRank: 4, maxDim: 3 }).chain((shape) => fc.tuple(fc.constant(shape), axesArb(shape.length), dimsUnknown(), dimsUnknown(), seedArb))
      .map(([shape, axes, ud, ul, seed]) => {
        const r = normalizeAxes(axes, shape.length);
        const dyShape = shape.flatMap((d, i) => (r.includes(i) ? (keepDims ? [1] : []) : [d]));
        return { shape, axes, dyShape, ud, ul, seed };
      });
  }

  function checkUnreduce({ shape, axes, dyShape, ud, ul, seed }: { shape: number[]; axes: number[] | null; dyShape: number[]; ud: Unknowns; ul: Unknowns; seed: number }) {
    inGraph(() => {
      const rng = makeRng(seed);
      const [dy, dyV] = input(dyShape, randomFloats(rng, numElements(dyShape)), ud);
      const [like, likeV] = input(shape, randomFloats(rng, numElements(shape)), ul);
      gradCheck([[dy, dyV]], m.unreduce(dy, like, axes), [[like, likeV]], { seed, noGrad: [like] });
    });
  }

  it('Unreduce of a reduction without keep_dims', () => {
    property(unreduceCase(false), checkUnreduce);
  });

  // BUG (src-core/ops/shape-of.ts, Unreduce.gradient): it returns reduceSum(dy, axes, keep_dims=false)
  // whatever the rank of its input 0, so for a keep_dims reduction the gradient w.r.t. Unreduce's dy
  // has the wrong shape ([2] for a [2,1] input). First-order gradients never need it, but every
  // second-order gradient through a keep_dims reduction does (see the Hessian test below).
  // Fix: `gradient: (op, [dy]) => [dy && m.reshapeToShapeOf(m.reduceSum(dy, op.attrs.axes, false), op.inputs[0]), null]`.
  it('Unreduce of a keep_dims reduction (gradient keeps the keep_dims shape)', () => {
    checkUnreduce({ shape: [2, 3], axes: [1], dyShape: [2, 1], ud: ALL_KNOWN, ul: ALL_KNOWN, seed: 7 });
  });

  it('ReshapeToShapeOf', () => {
    property(smallShape(0, 4).chain((shape) => fc.tuple(fc.constant(shape), fc.shuffledSubarray(shape, { minLength: shape.length, maxLength: shape.length }))),
      dimsUnknown(), dimsUnknown(), seedArb, ([shape, shuffled], ux, ul, seed) => {
        inGraph(() => {
          const rng = makeRng(seed);
          const [x, xv] = input(shuffled, randomFloats(rng, numElements(shape)), ux);
          const [like, likeV] = input(shape, randomFloats(rng, numElements(shape)), ul);
          gradCheck([[x, xv]], m.reshapeToShapeOf(x, like), [[like, likeV]], { seed, noGrad: [like] });
        });
      });
  });
});

// ---------------------------------------------------------------------------------------------

describe('non-differentiable ops give null gradients', () => {
  const NULL_GRAD: [string[], (x: Tensor) => Tensor][] = [
    [['Sign'], (x) => tf.sign(x)],
    [['Floor'], (x) => tf.floor(x)],
    [['Ceil'], (x) => tf.ceil(x)],
    [['Round'], (x) => tf.round(x)],
    [['Step'], (x) => m.step(x)],
    [['StopGradient'], (x) => tf.stop_gradient(x)],
    [['Greater', 'Cast'], (x) => tf.cast(tf.greater(x, 0), tf.float32)],
    [['Less', 'Cast'], (x) => tf.cast(tf.less(x, 0), tf.float32)],
    [['GreaterEqual', 'Cast'], (x) => tf.cast(tf.greater_equal(x, 0), tf.float32)],
    [['LessEqual', 'Cast'], (x) => tf.cast(tf.less_equal(x, 0), tf.float32)],
    [['Equal', 'Cast'], (x) => tf.cast(tf.equal(x, 0), tf.float32)],
    [['NotEqual', 'Cast'], (x) => tf.cast(tf.not_equal(x, 0), tf.float32)],
    [['LogicalNot', 'LogicalAnd', 'LogicalOr', 'Cast'], (x) => {
      const p = tf.greater(x, 0);
      return tf.cast(tf.logical_or(tf.logical_and(p, p), tf.logical_not(p)), tf.float32);
    }],
    [['ArgMax', 'ArgMin', 'Cast'], (x) => tf.cast(tf.add(tf.argmax(x, 0), tf.argmin(x, 0)), tf.float32)],
    [['Cast'], (x) => tf.cast(tf.cast(x, tf.int32), tf.float32)],
    [['FillLike'], (x) => tf.ones_like(x)],
    [['ReductionSizeOf'], (x) => m.reductionSizeOf(x, [0])],
  ];

  for (const [types, f] of NULL_GRAD) {
    it(types.join(', '), () => {
      inGraph((g) => {
        const x = tf.placeholder('float32', [null, 3]);
        const y = f(x);
        const [dx] = tf.gradients(tf.reduce_sum(tf.multiply(y, 2)), x);
        expect(dx).toBeNull();
        for (const op of g.operations) if (types.includes(op.type)) checkedNull.add(op.type);
        for (const t of types) expect(checkedNull.has(t), `${t} is in the graph`).toBe(true);
      });
    });
  }
});

// ---------------------------------------------------------------------------------------------

describe('tf.gradients', () => {
  it('returns null for an x that the ys do not depend on (and for one only a shape depends on)', () => {
    inGraph(() => {
      const x = tf.placeholder('float32', [2]);
      const z = tf.placeholder('float32', [2]);
      const y = tf.reduce_sum(tf.square(x));
      const [dx, dz] = tf.gradients(y, [x, z]);
      expect(dx).not.toBeNull();
      expect(dz).toBeNull();
      const [dzShape] = tf.gradients(tf.add(y, tf.reduce_sum(tf.zeros_like(z))), z);
      expect(dzShape).toBeNull();
    });
  });

  it('sums over several ys, and grad_ys seeds each y (null seed = ones)', () => {
    property(smallShape(1, 3), dimsUnknown(3), seedArb, (shape, unknowns, seed) => {
      inGraph((g) => {
        const rng = makeRng(seed);
        const n = numElements(shape);
        const [x, xv] = input(shape, randomFloats(rng, n), unknowns);
        const [w, wv] = input(shape, randomFloats(rng, n), unknowns);
        const y1 = tf.multiply(tf.tanh(x), w);
        const y2 = tf.multiply(tf.square(x), tf.sigmoid(w));
        const seedValue = ndarray(randomFloats(rng, n), shape);
        const s = tf.constant(seedValue);
        const both = tf.gradients([y1, y2], [x, w]);
        const one1 = tf.gradients(y1, [x, w]);
        const one2 = tf.gradients(y2, [x, w]);
        const seeded = tf.gradients([y1, y2], [x, w], [s, null]);
        const viaSum = tf.gradients(tf.add(tf.reduce_sum(tf.multiply(y1, s)), tf.reduce_sum(y2)), [x, w]);
        const feeds: Feeds = [[x, xv], [w, wv]];
        const fetches = [...both, ...one1, ...one2, ...seeded, ...viaSum] as Tensor[];
        expect(fetches.every((t) => t !== null)).toBe(true);
        const [bx, bw, a1x, a1w, a2x, a2w, sx, sw, vx, vw] = runCpu(g, fetches, feeds).map((v) => v.data);
        const tol = { rtol: 1e-5, atol: 1e-6 };
        const sum = (a: ArrayLike<number>, b: ArrayLike<number>) => Float32Array.from(a, (v, i) => v + b[i]);
        for (const [got, want, what] of [[bx, sum(a1x, a2x), 'dx'], [bw, sum(a1w, a2w), 'dw'], [sx, vx, 'seeded dx'], [sw, vw, 'seeded dw']] as const) {
          const msg = closeMismatch(got, want, tol);
          if (msg !== null) throw new Error(`${what}: ${msg}`);
        }
      });
    });
  });

  it('rejects grad_ys of the wrong count or shape', () => {
    inGraph(() => {
      const x = tf.placeholder('float32', [2]);
      const y = tf.square(x);
      expect(() => tf.gradients([y], [x], [tf.ones([2]), tf.ones([2])])).toThrow(/grad_ys/);
      expect(() => tf.gradients(y, x, tf.ones([3]))).toThrow(/grad_ys\[0\] has shape \[3\]/);
    });
  });

  it('accumulates the gradients of a tensor used several times, and differentiates w.r.t. intermediates', () => {
    inGraph((g) => {
      const x = tf.placeholder('float32', [3]);
      const h = tf.square(x);
      const y = tf.reduce_sum(tf.add(tf.add(tf.multiply(x, x), x), tf.multiply(h, 2)));
      const [dx, dh] = tf.gradients(y, [x, h]) as Tensor[];
      const [dxv, dhv] = runCpu(g, [dx, dh], [[x, ndarray(Float32Array.of(1, -2, 0.5), [3])]]);
      // d/dx (x^2 + x + 2 x^2) = 6x + 1; d/dh = 2
      expect(Array.from(dxv.data)).toEqual([7, -11, 4]);
      expect(Array.from(dhv.data)).toEqual([2, 2, 2]);
    });
  });

  it('names every op it adds under the gradients/ scope (gradients_1/ for a second call)', () => {
    inGraph((g) => {
      const x = tf.placeholder('float32', [null, 4]);
      const w = tf.constant(ndarray(randomFloats(makeRng(3), 12), [4, 3]));
      const loss = tf.reduce_mean(tf.nn.log_softmax(tf.matmul(x, w)));
      const before = g.operations.length;
      tf.gradients(loss, [x]);
      const added = g.operations.slice(before).map((op) => op.name);
      expect(added.length).toBeGreaterThan(3);
      for (const name of added) expect(name.startsWith('gradients/'), name).toBe(true);
      const again = g.operations.length;
      tf.gradients(loss, [x]);
      for (const op of g.operations.slice(again)) expect(op.name.startsWith('gradients_1/'), op.name).toBe(true);
    });
  });

  it('second order: d2/dx2 of x^3 is 6x (gradients of gradients), via mul and via pow', () => {
    property(fc.double({ min: 0.1, max: 3, noNaN: true }), (v) => {
      inGraph((g) => {
        const x = tf.placeholder('float32', []);
        const [d1] = tf.gradients(tf.multiply(tf.multiply(x, x), x), x);
        const [d2] = tf.gradients(d1 as Tensor, x);
        const [p1] = tf.gradients(tf.pow(x, 3), x);
        const [p2] = tf.gradients(p1 as Tensor, x);
        const xv = Math.fround(v);
        const feeds: Feeds = [[x, ndarray(Float32Array.of(xv), [])]];
        const got = runCpu(g, [d1, d2, p1, p2] as Tensor[], feeds).map((a) => a.item());
        const ref = inFloat64(() => runReference([d1, d2, p1, p2] as Tensor[], feeds)).map((a) => a.data[0]);
        const want = [3 * xv * xv, 6 * xv, 3 * xv * xv, 6 * xv];
        for (let i = 0; i < 4; i++) {
          expect(Math.abs(ref[i] - want[i])).toBeLessThan(1e-9 * (1 + Math.abs(want[i])));
          expect(Math.abs(got[i] - want[i])).toBeLessThan(1e-5 * (1 + Math.abs(want[i])));
        }
      });
    });
  });

  it('second order vs central differences of the first gradient, [null, k] inputs', () => {
    type F = (x: Tensor, c: Tensor) => Tensor;
    const FUNCTIONS: [string, F, boolean][] = [
      ['x*x*x', (x) => tf.multiply(tf.multiply(x, x), x), false],
      ['pow(x, 3) + pow(x, c)', (x, c) => tf.add(tf.pow(x, 3), tf.pow(x, c)), true],
      ['tanh(x) * x', (x) => tf.multiply(tf.tanh(x), x), false],
      ['sigmoid(x * c)', (x, c) => tf.sigmoid(tf.multiply(x, c)), false],
      ['exp(x) / (1 + x * x)', (x) => tf.divide(tf.exp(x), tf.add(tf.square(x), 1)), false],
      ['log(x) * sqrt(x) + rsqrt(x)', (x) => tf.add(tf.multiply(tf.log(x), tf.sqrt(x)), tf.rsqrt(x)), true],
      ['softmax(x * c)', (x, c) => tf.nn.softmax(tf.multiply(x, c)), false],
      ['log_softmax(x)', (x) => tf.nn.log_softmax(x), false],
      ['x * reduce_mean(x * x, 0)', (x) => tf.multiply(x, tf.reduce_mean(tf.square(x), 0)), false],
      ['x * reshape(reduce_sum(x * x, 1), [-1, 1])', (x) => tf.multiply(x, tf.reshape(tf.reduce_sum(tf.square(x), 1), [-1, 1])), false],
      ['matmul(x, x, transpose_b)', (x) => tf.matmul(x, x, { transpose_b: true }), false],
      ['reduce_prod(x + 2, 1)', (x) => tf.reduce_prod(tf.add(x, 2), 1), false],
      ['reshape(transpose(x * x), [-1])', (x) => tf.reshape(tf.transpose(tf.square(x)), [-1]), false],
    ];
    property(fc.integer({ min: 0, max: FUNCTIONS.length - 1 }), fc.integer({ min: 1, max: 3 }), fc.integer({ min: 1, max: 3 }), fc.boolean(), seedArb,
      (which, n, k, unknownBatch, seed) => {
        const [, f, positive] = FUNCTIONS[which];
        inGraph(() => {
          const rng = makeRng(seed);
          const data = positive ? floatsAwayFromZero(rng, n * k, 0.3, 2, false) : Float32Array.from(randomFloats(rng, n * k), (v) => v / 2);
          const x = tf.placeholder('float32', [unknownBatch ? null : n, k]);
          const c = tf.constant(ndarray(floatsAwayFromZero(rng, k, 0.5, 1.5), [k]));
          const y = f(x, c);
          const [yv] = runReference([y], [[x, ndarray(data, [n, k])]]);
          const r = tf.constant(ndarray(randomFloats(rng, numElements(yv.shape)), yv.shape));
          const [g1] = tf.gradients(tf.reduce_sum(tf.multiply(y, r)), x);
          gradCheck([[x, ndarray(data, [n, k])]], g1 as Tensor, [], { seed });
        });
      });
  });

  // BUG (src-core/ops/shape-of.ts Unreduce.gradient drops keep_dims; see the Unreduce test above).
  // L = sum_i s_i^2, s = reduce_sum(x*x, 1, keep_dims) -> d/dx_kl sum(dL/dx) = 4 (2 x_kl sum_j x_kj + s_k).
  // Today the reference interpreter silently returns [56,56,56,308,308,308] and the cpu plan throws
  // "cpu reduce sum: out has 2 elements, expected 1".
  it('second order through a keep_dims reduction (Hessian-vector product)', () => {
    inGraph((g) => {
      const x = tf.placeholder('float32', [2, 3]);
      const s = tf.reduce_sum(tf.multiply(x, x), 1, { keep_dims: true });
      const [gx] = tf.gradients(tf.reduce_sum(tf.multiply(s, s)), x);
      const [h] = tf.gradients(tf.reduce_sum(gx as Tensor), x);
      const feeds: Feeds = [[x, ndarray(Float32Array.of(1, 2, 3, 4, 5, 6), [2, 3])]];
      const want = [104, 152, 200, 788, 908, 1028];
      expect(Array.from(runReference([h as Tensor], feeds)[0].data)).toEqual(want);
      expect(Array.from(runCpu(g, [h as Tensor], feeds)[0].data)).toEqual(want);
    });
  });
});

// ---------------------------------------------------------------------------------------------

describe('coverage', () => {
  /** Sources and state: no inputs to differentiate, or no gradient by design. */
  // The nn ops (conv, pooling, losses, array, random, flatten) are covered by their own *-nn.test.ts files.
  const NOT_HERE = new Set(['Const', 'Fill', 'Placeholder', 'VariableV2', 'Assign', 'NoOp', ...NN_OP_TYPES]);

  it('every op with a gradient was checked against central differences, or checked to give null', () => {
    const missing = registeredOpTypes().filter((t) => !NOT_HERE.has(t) && getOpDef(t)?.gradient && !checked.has(t) && !checkedNull.has(t));
    expect(missing).toEqual([]);
  });
});
