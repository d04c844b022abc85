/**
 * Helpers for the neural-network op tests (*-nn.test.ts); not a test file. Built on test-support.ts:
 * the same gradient check as gradient.test.ts (L = Σ y·R with a random R; analytic gradients from
 * tf.gradients evaluated by the float64 reference interpreter vs central differences, then the cpu
 * Session in float32 vs the analytic values), and a forward check of the cpu Session vs the reference.
 */
import { expect } from 'vitest';
import * as tf from '../index';
import { evaluateReference } from '../reference-interpreter';
import { shapesCompatible } from '../graph/shape';
import { getOpDef } from './op-def';
import { pruneToFetches } from '../compile/prune';
import {
  closeMismatch, expectShape, expectShapeCompatible, floatsAwayFromZero, inFloat64, makeRng, maxAbs, ndarray,
  numElements, refFeeds, runCpu, runReference, type Feeds, type Tensor,
} from './test-support';

/**
 * The nn op types, by the *-nn.test.ts file that checks their forward values and gradients; each file
 * asserts its own group is covered, and the core suites' coverage tests (forward.test.ts,
 * gradient.test.ts) leave these to them.
 */
export const NN_OP_GROUPS = {
  conv2d: ['Conv2D', 'Conv2DBackpropInput', 'Conv2DBackpropFilter'],
  pooling: ['MaxPool', 'AvgPool', 'MaxPoolGrad', 'AvgPoolGrad'],
  losses: ['BiasAdd', 'BiasAddGrad', 'SoftmaxCrossEntropyWithLogits', 'SparseSoftmaxCrossEntropyWithLogits'],
  array: ['ConcatV2', 'ConcatSlice', 'Slice', 'SliceGrad', 'ExpandDims', 'Squeeze', 'OneHot'],
  random: ['RandomUniform', 'RandomStandardNormal', 'TruncatedNormal'],
  flatten: ['Flatten'],
  arrayExtra: ['Tile', 'TileGrad', 'Pad', 'PadGrad', 'Shape', 'Size', 'Rank'],
  selection: ['Select', 'Gather', 'GatherGrad'],
} as const;

export const NN_OP_TYPES: readonly string[] = Object.values(NN_OP_GROUPS).flat();

/**
 * A file's coverage check: every op type of its group went through a gradient check (or, for those
 * without a gradient of their own, is in `forwardOnly`) and through a forward check.
 */
export function expectGroupCovered(group: keyof typeof NN_OP_GROUPS, coverage: Coverage): void {
  for (const type of NN_OP_GROUPS[group]) {
    const def = getOpDef(type);
    expect(def, `${type} is registered`).toBeDefined();
    expect(coverage.forward.has(type), `${type}: forward (cpu vs reference) checked`).toBe(true);
    if (def?.gradient) expect(coverage.grad.has(type), `${type}: gradient checked`).toBe(true);
  }
}

/** Op types a test file has checked: gradients (vs central differences, or null) and forward values. */
export interface Coverage {
  grad: Set<string>;
  forward: Set<string>;
}

export function newCoverage(): Coverage {
  return { grad: new Set(), forward: new Set() };
}

/** Records the op types that computing `fetches` from `feeds` runs. */
export function noteForward(coverage: Coverage | undefined, fetches: Tensor[], feeds: Feeds): void {
  if (!coverage) return;
  for (const op of pruneToFetches(fetches, [], new Set(feeds.map(([t]) => t)))) coverage.forward.add(op.type);
}

const EPS = 1e-6;
const FD_RTOL = 1e-4;
const CPU_RTOL = 1e-3;

/** dL/dx by central differences in float64 reference arithmetic. */
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
          return evaluateReference([L], new Map(base).set(x, { ...value, data }))[0].data[0];
        };
        out[j] = (at(EPS) - at(-EPS)) / (2 * EPS);
      }
      return out;
    });
  });
}

export interface GradCheckOptions {
  seed: number;
  extraFeeds?: Feeds;
  /** Inputs whose gradient must be null (shape-only or integer inputs). */
  noGrad?: Tensor[];
  coverage?: Coverage;
}

/** The gradient check of y w.r.t. the fed float32 placeholders `xs`; returns the analytic gradients. */
export function gradCheck(xs: [Tensor, tf.NDArray][], y: Tensor, options: GradCheckOptions): Float64Array[] {
  const graph = y.graph;
  for (const op of graph.operations) options.coverage?.grad.add(op.type);
  const feeds: Feeds = [...xs, ...(options.extraFeeds ?? [])];
  const [yValue] = inFloat64(() => runReference([y], feeds));
  const r = tf.constant(ndarray(floatsAwayFromZero(makeRng(options.seed ^ 0x5bd1e995), numElements(yValue.shape), 0.25, 1), yValue.shape));
  const L = tf.reduce_sum(tf.multiply(y, r));
  const noGrad = options.noGrad ?? [];
  const grads = tf.gradients(L, [...xs.map(([t]) => t), ...noGrad]);
  noGrad.forEach((t, i) => expect(grads[xs.length + i], `gradient w.r.t. ${t.name}`).toBeNull());
  const dxs = grads.slice(0, xs.length).map((g, i) => {
    if (g === null) throw new Error(`tf.gradients returned null for ${xs[i][0].name}`);
    expectShapeCompatible(g.shape, xs[i][1].shape, `static shape of d/d${xs[i][0].name}`);
    expect(shapesCompatible(g.shape, xs[i][0].shape)).toBe(true);
    return g;
  });
  const analytic = inFloat64(() => runReference(dxs, feeds));
  const numeric = centralDifferences(L, feeds, xs.map(([t]) => t));
  analytic.forEach((a, i) => {
    const what = `d/d${xs[i][0].name}`;
    expectShape(a.shape, xs[i][1].shape, `${what} (reference) shape`);
    const msg = closeMismatch(a.data, numeric[i], { rtol: FD_RTOL, atol: FD_RTOL * 1e-2 * (1 + maxAbs(numeric[i])) });
    if (msg !== null) throw new Error(`${what}: analytic (float64 reference) vs central differences: ${msg}`);
  });
  const cpu = runCpu(graph, dxs, feeds);
  noteForward(options.coverage, dxs, feeds);
  cpu.forEach((c, i) => {
    const what = `d/d${xs[i][0].name}`;
    expectShape(c.shape, xs[i][1].shape, `${what} (cpu) shape`);
    const msg = closeMismatch(c.data, analytic[i].data, { rtol: CPU_RTOL, atol: CPU_RTOL * 0.1 * (1 + maxAbs(analytic[i].data)) });
    if (msg !== null) throw new Error(`${what}: cpu (float32) vs analytic (float64 reference): ${msg}`);
  });
  return analytic.map((a) => a.data);
}

/**
 * Forward check: the cpu Session's values of `fetches` vs the float32-rounding reference interpreter,
 * elementwise |cpu - ref| <= rtol·(1 + max|ref|) (sums of products reassociate in the blocked matmul).
 */
export function forwardCheck(graph: tf.Graph, fetches: Tensor[], feeds: Feeds, options: { rtol?: number; coverage?: Coverage } = {}): tf.NDArray[] {
  const rtol = options.rtol ?? 1e-5;
  noteForward(options.coverage, fetches, feeds);
  const want = runReference(fetches, feeds);
  const got = runCpu(graph, fetches, feeds);
  got.forEach((g, i) => {
    expectShape(g.shape, want[i].shape, `${fetches[i].name} shape`);
    expectShapeCompatible(fetches[i].shape, g.shape, `${fetches[i].name} static shape`);
    const msg = closeMismatch(g.data, want[i].data, { rtol: 0, atol: rtol * (1 + maxAbs(want[i].data)) });
    if (msg !== null) throw new Error(`${fetches[i].name}: cpu vs reference: ${msg}`);
  });
  return got;
}
