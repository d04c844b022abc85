/**
 * The Inspect view's node details: one graph node's output evaluated on the current batch, summarised
 * as statistics and a histogram. Nodes whose evaluation would write variables (an assign, the train op,
 * anything downstream of them) are refused, so looking at the graph never trains the model.
 */
import type { NDArray, Operation, Tensor } from '../../src-core';
import type { PlanProfile } from '../../src-core/session';
import type { NodeInspection, NodeValues } from '../../src-app-api/schemas';
import type { ModelRuntime } from './model-runtime';

export interface InspectBatch {
  images: NDArray;
  labels: NDArray;
  source: 'train' | 'test';
}

/** Ops the app adds around the model (backend moves, checkpoints, saliency): not part of the diagram. */
const APP_SCOPES = ['restore', 'saliency'];

export async function inspectNode(runtime: ModelRuntime, batch: InspectBatch, step: number, name: string, bins: number): Promise<NodeInspection> {
  const op = runtime.graph.operations.find((o) => o.name === name);
  if (op === undefined || APP_SCOPES.some((s) => name === s || name.startsWith(`${s}/`))) {
    throw new Error(`inspect:node: the model has no node '${name}'`);
  }
  const base = { node: op.name, op: op.type, step, batch: { source: batch.source, size: batch.images.shape[0] }, ...nodeTime(runtime, op) };
  if (op.outputs.length === 0) return { ...base, shape: null, values: null, unavailable: 'this op has no output: it only runs the ops it groups' };
  const writer = mutatingAncestor(op);
  if (writer !== null) {
    return { ...base, shape: null, values: null, unavailable: `evaluating it would run ${writer.type} '${writer.name}' and change the variables` };
  }
  const { model } = runtime;
  const out = await runtime.session.run(op.outputs[0] as Tensor, [[model.x, runtime.imagesFor(batch.images)], [model.labels, batch.labels]]);
  return { ...base, shape: [...out.shape], values: summarise(out.data, bins), unavailable: null };
}

/** The training step's profiled plan: the one that ran the train op most often in this session. */
function trainingProfile(runtime: ModelRuntime): PlanProfile | undefined {
  const trainName = runtime.model.trainOp.name;
  return runtime.session.profileReport().filter((p) => p.fetches.includes(trainName) && p.runs > 0).sort((a, b) => b.runs - a.runs)[0];
}

/**
 * Every graph op's mean kernel time per training step, from the session's per-node profile: an op the
 * compiler fused with others gets the fused kernel's time; folded or merged ops are absent.
 */
export function nodeTimes(runtime: ModelRuntime): Map<string, number> {
  const times = new Map<string, number>();
  const plan = trainingProfile(runtime);
  if (!plan) return times;
  for (const n of plan.nodes) {
    if (n.fusedFrom) for (const name of n.fusedFrom) times.set(name, n.meanMs);
    else times.set(n.name, n.meanMs);
  }
  return times;
}

/** The node's time with what it covers, or why there is none. */
function nodeTime(runtime: ModelRuntime, op: Operation): { timeMs: number | null; timeNote: string | null } {
  const plan = trainingProfile(runtime);
  if (!plan) return { timeMs: null, timeNote: 'not measured yet: no training step has run in this session' };
  const own = plan.nodes.find((n) => n.name === op.name && !n.fusedFrom);
  if (own) return { timeMs: own.meanMs, timeNote: `mean of ${plan.runs} training steps (${plan.kernelTimes ? 'kernel time' : 'time to enqueue on the GPU'})` };
  const fused = plan.nodes.find((n) => n.fusedFrom?.includes(op.name));
  if (fused) {
    const others = (fused.fusedFrom ?? []).length - 1;
    return { timeMs: fused.meanMs, timeNote: `one fused kernel with ${others} other op${others === 1 ? '' : 's'} (${fused.type}); mean of ${plan.runs} steps` };
  }
  return { timeMs: null, timeNote: 'no kernel in the training step: folded into a constant, merged with an identical node, a view of its input, or not needed' };
}

/** The first op at or above `op` (through data and control inputs) that writes state, or null. */
function mutatingAncestor(op: Operation): Operation | null {
  const seen = new Set<Operation>();
  const stack: Operation[] = [op];
  while (stack.length > 0) {
    const o = stack.pop() as Operation;
    if (seen.has(o)) continue;
    seen.add(o);
    // A stateful op whose output aliases an input is an in-place write (Assign); variables and placeholders are reads.
    if (o.def.stateful === true && o.def.aliasInput !== undefined) return o;
    for (const t of o.inputs) stack.push(t.op);
    for (const c of o.controlInputs) stack.push(c);
  }
  return null;
}

export function summarise(data: ArrayLike<number | bigint | boolean>, bins: number): NodeValues {
  let count = 0, nonFinite = 0, sum = 0, min = Infinity, max = -Infinity;
  const values = new Float64Array(data.length);
  for (let i = 0; i < data.length; i++) {
    const v = Number(data[i]);
    if (!Number.isFinite(v)) {
      nonFinite++;
      continue;
    }
    values[count++] = v;
    sum += v;
    if (v < min) min = v;
    if (v > max) max = v;
  }
  const counts = new Array<number>(bins).fill(0);
  if (count === 0) return { count, nonFinite, min: 0, max: 0, mean: 0, std: 0, histogram: { lo: 0, hi: 0, counts } };
  const mean = sum / count;
  let sq = 0;
  for (let i = 0; i < count; i++) sq += (values[i] - mean) ** 2;
  // A constant tensor still gets a visible bar: widen the range around its one value.
  const [lo, hi] = min === max ? [min - 0.5, max + 0.5] : [min, max];
  const width = (hi - lo) / bins;
  for (let i = 0; i < count; i++) counts[Math.min(bins - 1, Math.floor((values[i] - lo) / width))]++;
  return { count, nonFinite, min, max, mean, std: Math.sqrt(sq / count), histogram: { lo, hi, counts } };
}
