/**
 * Runs a random graph in ours (tf.gradients + Session, on a given backend) and in TF.js (cpu,
 * tfjs.grads), compares the output and the gradients of loss = Σ y² w.r.t. every input, and on a
 * mismatch asks a float64 referee who is right: for gradients, central differences of the loss in
 * float64 (our reference kernels with float32 rounding off, independent of any gradient code); for
 * forward values, the float64 reference interpreter.
 */
import * as tfjs from '@tensorflow/tfjs';
import * as tf from '../../src-core/index';
import type { Backend } from '../../backends/interface';
import { evaluateReference } from '../../src-core/reference-interpreter';
import { withFloat64References } from '../../src-core/ops/support';
import type { RefArray } from '../../src-core/ops/op-def';
import { describeGraph, type RandomGraph } from './graph-gen';

/** Relative tolerance per element plus an absolute one relative to the tensor's largest magnitude. */
export interface Tolerance {
  rtol: number;
  /** atol = atolScale · max|expected|. */
  atolScale: number;
}

/** float32 through a chain of up to 6 ops: forward values, then gradients (one more pass, longer sums). */
export const FORWARD_TOL: Tolerance = { rtol: 1e-4, atolScale: 1e-5 };
export const GRADIENT_TOL: Tolerance = { rtol: 1e-3, atolScale: 1e-4 };
/** How close ours must be to the float64 referee when TF.js and ours disagree. */
export const REFEREE_TOL: Tolerance = { rtol: 2e-3, atolScale: 2e-4 };

export interface Results {
  output: { shape: number[]; data: Float32Array };
  grads: Float32Array[];
}

/** Where `got` is outside `tol` of `want`, as text (first elements), or null. */
export function mismatch(got: ArrayLike<number>, want: ArrayLike<number>, tol: Tolerance, scale = 1): string | null {
  if (got.length !== want.length) return `length ${got.length} vs ${want.length}`;
  let max = 0;
  for (let i = 0; i < want.length; i++) max = Math.max(max, Math.abs(want[i]));
  const bad: string[] = [];
  let count = 0;
  for (let i = 0; i < want.length; i++) {
    const limit = scale * (tol.rtol * Math.abs(want[i]) + tol.atolScale * max);
    if (Math.abs(got[i] - want[i]) <= limit) continue;
    count++;
    if (bad.length < 4) bad.push(`[${i}] ${got[i]} vs ${want[i]}`);
  }
  return count === 0 ? null : `${count}/${want.length} elements: ${bad.join(', ')}`;
}

/** The graph's largest op tolerance factor. */
export function toleranceScale(g: RandomGraph): number {
  return Math.max(1, ...g.nodes.map((n) => (n.kind === 'op' ? n.op.tol : 1)));
}

const inputIndices = (g: RandomGraph) => g.nodes.flatMap((n, i) => (n.kind === 'input' ? [i] : []));

interface OurGraph {
  graph: tf.Graph;
  placeholders: tf.Tensor[];
  output: tf.Tensor;
  loss: tf.Tensor;
  grads: tf.Tensor[];
}

export function buildOurs(g: RandomGraph): OurGraph {
  const graph = new tf.Graph();
  return graph.as_default(() => {
    const tensors: tf.Tensor[] = [];
    const placeholders: tf.Tensor[] = [];
    g.nodes.forEach((n) => {
      if (n.kind === 'input') {
        const p = tf.placeholder('float32', n.shape);
        placeholders.push(p);
        tensors.push(p);
      } else {
        tensors.push(n.planned.ours(n.operands.map((i) => tensors[i])));
      }
    });
    const output = tensors[g.output];
    const loss = tf.reduce_sum(tf.square(output));
    // An input reaching the loss only through zero-gradient ops (floor...) may have no gradient: zeros.
    const grads = (tf.gradients(loss, placeholders)).map((d, i) => d ?? tf.zeros_like(placeholders[i]));
    return { graph, placeholders, output, loss, grads };
  });
}

function feedsOf(g: RandomGraph, placeholders: tf.Tensor[]): [tf.Tensor, tf.NDArray][] {
  return inputIndices(g).map((node, k) => {
    const n = g.nodes[node];
    if (n.kind !== 'input') throw new Error('unreachable: not an input');
    return [placeholders[k], new tf.NDArray(Float32Array.from(n.values), n.shape)];
  });
}

export async function runOurs(g: RandomGraph, built: OurGraph, backend: Backend | 'cpu'): Promise<Results> {
  const sess = tf.Session({ backend, graph: built.graph });
  try {
    const [out, ...grads] = await sess.run([built.output, ...built.grads], { feed_dict: feedsOf(g, built.placeholders) });
    return { output: { shape: [...out.shape], data: Float32Array.from(out.data) }, grads: grads.map((d) => Float32Array.from(d.data)) };
  } finally {
    sess.close();
  }
}

export function runTheirs(g: RandomGraph): Results {
  const inputs = inputIndices(g);
  const values = inputs.map((node) => {
    const n = g.nodes[node];
    if (n.kind !== 'input') throw new Error('unreachable: not an input');
    return tfjs.tensor(n.values, n.shape, 'float32');
  });
  const forward = (xs: tfjs.Tensor[]): tfjs.Tensor => {
    const tensors: tfjs.Tensor[] = [];
    g.nodes.forEach((n, i) => {
      tensors.push(n.kind === 'input' ? xs[inputs.indexOf(i)] : n.planned.theirs(n.operands.map((o) => tensors[o])));
    });
    return tensors[g.output];
  };
  try {
    const out = tfjs.tidy(() => forward(values));
    const grads = tfjs.grads((...xs: tfjs.Tensor[]) => tfjs.sum(tfjs.square(forward(xs))))(values);
    const result = { output: { shape: [...out.shape], data: Float32Array.from(out.dataSync()) }, grads: grads.map((d) => Float32Array.from(d.dataSync())) };
    tfjs.dispose([out, ...grads]);
    return result;
  } finally {
    tfjs.dispose(values);
  }
}

/** The output in float64 by the reference interpreter (float32 rounding off). */
export function refereeForward(g: RandomGraph, built: OurGraph): Float64Array {
  const feeds = new Map<tf.Tensor, RefArray>(feedsOf(g, built.placeholders).map(([t, v]) => [t, { shape: [...v.shape], dtype: 'float32', data: Float64Array.from(v.data) }]));
  return withFloat64References(() => evaluateReference([built.output], feeds)[0].data);
}

/** d loss / d input k by central differences in float64. */
export function refereeGradient(g: RandomGraph, built: OurGraph, k: number): Float64Array {
  const feeds = new Map<tf.Tensor, RefArray>(feedsOf(g, built.placeholders).map(([t, v]) => [t, { shape: [...v.shape], dtype: 'float32', data: Float64Array.from(v.data) }]));
  return centralDifferences(built.loss, feeds, built.placeholders[k]);
}

/**
 * d loss / d x by central differences of the float64 reference interpreter (float32 rounding off), step
 * 1e-5 · max(1, |x|): truncation error ~1e-10 relative for smooth ops; `feeds` must hold x (restored after).
 */
export function centralDifferences(loss: tf.Tensor, feeds: Map<tf.Tensor, RefArray>, x: tf.Tensor): Float64Array {
  const target = feeds.get(x);
  if (!target) throw new Error(`centralDifferences: no feed for '${x.name}'`);
  const lossAt = () => withFloat64References(() => evaluateReference([loss], feeds)[0].data[0]);
  const out = new Float64Array(target.data.length);
  for (let j = 0; j < target.data.length; j++) {
    const v = target.data[j];
    const h = 1e-5 * Math.max(1, Math.abs(v));
    target.data[j] = v + h;
    const up = lossAt();
    target.data[j] = v - h;
    const down = lossAt();
    target.data[j] = v;
    out[j] = (up - down) / (2 * h);
  }
  return out;
}

export interface Finding {
  seed: number;
  backend: string;
  what: string;
  /** 'tfjs': TF.js was wrong (ours matched the referee); 'precision': both within the referee's tolerance. */
  verdict: 'tfjs' | 'precision';
  ops: string[];
}

/**
 * Compares ours with TF.js; disagreements go to the referee. Returns what was found where ours was
 * right; throws (with the seed and the graph) where ours is wrong.
 */
export function judge(g: RandomGraph, built: OurGraph, ours: Results, theirs: Results | Error, backend: string): Finding[] {
  const scale = toleranceScale(g);
  const found: Finding[] = [];
  const ops = g.nodes.flatMap((n) => (n.kind === 'op' ? [n.op.name] : []));
  const fail = (msg: string): never => {
    throw new Error(`differential (${backend}): ${msg}\nreplay: ${describeGraph(g)}`);
  };
  if (theirs instanceof Error) {
    // TF.js could not run the graph: the referee alone checks ours.
    const forward = mismatch(ours.output.data, refereeForward(g, built), REFEREE_TOL, scale);
    if (forward !== null) fail(`forward: ours vs float64 referee ${forward} (TF.js threw: ${theirs.message})`);
    ours.grads.forEach((got, k) => {
      const bad = mismatch(got, refereeGradient(g, built, k), REFEREE_TOL, scale);
      if (bad !== null) fail(`d loss/d input ${k}: ours vs central differences ${bad} (TF.js threw: ${theirs.message})`);
    });
    return [{ seed: g.seed, backend, what: `TF.js threw: ${theirs.message}`, verdict: 'tfjs', ops }];
  }
  if (ours.output.shape.join() !== theirs.output.shape.join()) fail(`output shape [${ours.output.shape}] vs TF.js [${theirs.output.shape}]`);
  const forwardDiff = mismatch(ours.output.data, theirs.output.data, FORWARD_TOL, scale);
  if (forwardDiff !== null) {
    const ref = refereeForward(g, built);
    const oursBad = mismatch(ours.output.data, ref, REFEREE_TOL, scale);
    if (oursBad !== null) fail(`forward: ours vs TF.js ${forwardDiff}; ours vs float64 referee ${oursBad}`);
    const theirsBad = mismatch(theirs.output.data, ref, REFEREE_TOL, scale);
    // Our float64 kernels referee only arithmetic; a TF.js value far from them could be a semantic difference, so look.
    if (theirsBad !== null) fail(`forward: TF.js differs from ours and the float64 referee (${theirsBad}); a semantic difference to look into`);
    found.push({ seed: g.seed, backend, what: `forward: ${forwardDiff}`, verdict: 'precision', ops });
  }
  ours.grads.forEach((got, k) => {
    const diff = mismatch(got, theirs.grads[k], GRADIENT_TOL, scale);
    if (diff === null) return;
    const ref = refereeGradient(g, built, k);
    const oursBad = mismatch(got, ref, REFEREE_TOL, scale);
    if (oursBad !== null) fail(`d loss/d input ${k}: ours vs TF.js ${diff}; ours vs central differences ${oursBad}`);
    const theirsBad = mismatch(theirs.grads[k], ref, REFEREE_TOL, scale);
    found.push({ seed: g.seed, backend, what: `d loss/d input ${k}: ${diff}`, verdict: theirsBad === null ? 'precision' : 'tfjs', ops });
  });
  return found;
}
