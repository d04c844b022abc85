/**
 * The compiled plan of the running session's training step as a graph, for the viewer's plan mode:
 * what `tinyflow explain` prints (fused kernels, buffers, in-place updates), with edges.
 *
 * The plan lists its nodes but not their inputs, so the edges come from the graph ops each plan node
 * stands for (a fused node: the ops it fuses). An input op the passes removed (folded, merged, simplified
 * away) is looked through to the plan nodes that feed it.
 */
import type { Operation } from '../../src-core';
import { Operation as OperationClass } from '../../src-core/graph/operation';
import { GRAPH_LIMITS, type GraphNodeKind, type PlanGraph } from '../../src-app-api/schemas';
import { isGradientName, nodeKinds } from './graph-view';
import type { ModelRuntime } from './model-runtime';
import type { InspectBatch } from './node-values';

type PlanNode = PlanGraph['nodes'][number];

export function trainingPlan(runtime: ModelRuntime, batch: InspectBatch): PlanGraph {
  const { model } = runtime;
  const trainOp = model.trainOp instanceof OperationClass ? model.trainOp : model.trainOp.op;
  const explanation = runtime.session.explain([model.loss, trainOp], { feed_dict: [[model.x, runtime.imagesFor(batch.images)], [model.labels, batch.labels]] });
  const byName = new Map(runtime.graph.operations.map((op) => [op.name, op]));
  const graphKinds = nodeKinds(runtime.graph.operations, [model.loss.op, model.probabilities.op, model.accuracy.op], trainOp);

  const nodes: PlanNode[] = [];
  /** Graph op name → the plan node computing it. */
  const planOf = new Map<string, string>();
  const members = new Map<string, Operation[]>();
  for (const n of explanation.nodes) {
    const covers = n.fusedFrom ?? [n.name];
    const kind: GraphNodeKind = n.fusedFrom ? 'fused' : isGradientName(n.name) ? 'gradient' : (graphKinds.get(byName.get(n.name) as Operation) ?? 'op');
    nodes.push({
      id: n.name,
      op: n.type,
      kind: kind === 'variable' || kind === 'placeholder' ? 'op' : kind,
      fusedFrom: (n.fusedFrom ?? []).slice(0, GRAPH_LIMITS.fusedFrom),
      kernels: n.kernels,
      outputs: n.outputs.slice(0, 64).map((o) => ({ shape: o.shape.slice(0, 16), dtype: o.dtype, bytes: o.bytes, buffer: o.buffer })),
      writesVariable: n.writesVariable ?? null,
      scratchBytes: n.scratchBytes,
    });
    for (const name of covers) planOf.set(name, n.name);
    members.set(n.name, covers.map((name) => byName.get(name)).filter((op): op is Operation => op !== undefined));
  }

  // Feeds and variables are the plan's sources: they hold their own buffers and run no kernel.
  const sources = new Map<string, PlanNode>();
  const sourceOf = (op: Operation): string | null => {
    if (op.type !== 'Placeholder' && op.type !== 'VariableV2') return null;
    if (!sources.has(op.name)) {
      const out = op.outputs[0];
      const shape = (out.shape ?? []).map((d) => d ?? -1);
      sources.set(op.name, { id: op.name, op: op.type, kind: op.type === 'Placeholder' ? 'placeholder' : 'variable', fusedFrom: [], kernels: 0, outputs: [{ shape, dtype: out.dtype, bytes: 0, buffer: -1 }], writesVariable: null, scratchBytes: 0 });
    }
    return op.name;
  };

  // The plan nodes feeding graph op `op`, looking through ops the passes removed (memoised: a removed
  // subgraph is shared by many consumers).
  const feeding = new Map<Operation, string[]>();
  const producersOf = (op: Operation): string[] => {
    const planned = planOf.get(op.name) ?? sourceOf(op);
    if (planned !== null && planned !== undefined) return [planned];
    const known = feeding.get(op);
    if (known) return known;
    feeding.set(op, []); // a cycle cannot happen in a graph; this only guards the recursion
    const found = new Set<string>();
    for (const t of op.inputs) for (const p of producersOf(t.op)) found.add(p);
    const list = [...found];
    feeding.set(op, list);
    return list;
  };

  const edges = new Set<string>();
  const edgeList: [string, string][] = [];
  for (const n of nodes) {
    // A folded constant's graph inputs are gone from the step: it has none.
    if (n.op === 'Const') continue;
    const own = members.get(n.id) ?? [];
    const inside = new Set(own);
    for (const op of own) {
      for (const t of op.inputs) {
        if (inside.has(t.op)) continue;
        for (const from of producersOf(t.op)) {
          const key = `${from}\u0000${n.id}`;
          if (from === n.id || edges.has(key)) continue;
          edges.add(key);
          edgeList.push([from, n.id]);
        }
      }
    }
  }
  const all = [...sources.values(), ...nodes];
  const m = explanation.memory;
  return {
    model: runtime.name,
    backend: explanation.backend,
    batchSize: batch.images.shape[0],
    kernels: explanation.steps,
    passes: explanation.passes.slice(0, 64).map((p) => ({ name: p.name, enabled: p.enabled, summary: p.summary })),
    memory: { buffers: m.buffers, bytes: m.bytes, requestedBytes: m.requestedBytes, variableBytes: m.variableBytes },
    nodes: all.slice(0, GRAPH_LIMITS.nodes),
    edges: edgeList.slice(0, GRAPH_LIMITS.edges),
    truncated: all.length > GRAPH_LIMITS.nodes || edgeList.length > GRAPH_LIMITS.edges,
  };
}
