/**
 * The graph viewer's payloads on the real LeNet: node kinds and init-only ops decided from the graph
 * (inspect:snapshot's graph), and the compiled plan of the training step as a graph (inspect:plan).
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { NDArray } from '../../src-core';
import { PlanGraphSchema, type Res } from '../../src-app-api/schemas';
import { parsePayload } from '../../src-app-api/wire';
import { ComputeEngine } from './engine';
import { trainingPlan } from './graph-plan';
import { modelGraph } from './inspect';
import { ModelRuntime } from './model-runtime';

const BATCH = 8;
let runtime: ModelRuntime;

beforeAll(async () => {
  runtime = new ModelRuntime('lenet', 0.001, 'cpu');
  await runtime.initialize();
});
afterAll(() => runtime.session.close());

const batch = () => ({ images: new NDArray(new Float32Array(BATCH * 784), [BATCH, 784]), labels: new NDArray(new Float32Array(BATCH * 10), [BATCH, 10]), source: 'test' as const });

describe('the graph payload of inspect:snapshot (LeNet)', () => {
  let graph: Res<'inspect:snapshot'>['graph'];
  beforeAll(() => {
    graph = modelGraph(runtime);
  });

  it('classifies every node by kind from the graph: variables, placeholders, forward ops, gradients, optimizer', () => {
    const kindOf = new Map(graph.nodes.map((n) => [n.id, n.kind]));
    const conv1Weights = graph.nodes.find((n) => n.op === 'VariableV2' && n.id.startsWith('conv1'));
    expect(conv1Weights?.kind).toBe('variable');
    expect(graph.nodes.filter((n) => n.kind === 'placeholder').map((n) => n.op)).toEqual(expect.arrayContaining(['Placeholder']));
    for (const n of graph.nodes) if (n.id.startsWith('gradients/')) expect(n.kind, n.id).toBe('gradient');
    // Adam's update ops feed only the train op: they are the optimizer, not the forward model.
    const optimizer = graph.nodes.filter((n) => n.kind === 'optimizer');
    expect(optimizer.length).toBeGreaterThan(5);
    expect(optimizer.some((n) => /Apply|Assign|Adam/.test(`${n.op} ${n.id}`))).toBe(true);
    expect(kindOf.get(graph.nodes.find((n) => n.op === 'Conv2D' && !n.id.startsWith('gradients'))?.id ?? '')).toBe('op');
    expect(graph.truncated).toBe(false);
  });

  it('marks as init-only exactly the ops only the initializer reaches, and none the training step runs', () => {
    const init = new Set(graph.nodes.filter((n) => n.init).map((n) => n.id));
    expect(init.size).toBeGreaterThan(10);
    // The initializer's assigns (one per variable, Adam's slots included), the initial values they
    // assign and the init group are init-only...
    const variables = graph.nodes.filter((n) => n.kind === 'variable');
    expect(graph.nodes.filter((n) => n.init && n.op === 'Assign').length).toBe(variables.length);
    expect(graph.nodes.find((n) => n.id === 'init')?.init).toBe(true);
    const feedsAssign = new Set(graph.edges.filter(([, to]) => init.has(to)).map(([from]) => from));
    for (const n of graph.nodes) if (n.init && n.op !== 'Assign' && n.op !== 'NoOp') expect(feedsAssign.has(n.id), n.id).toBe(true);
    // ...and no variable, placeholder or gradient is; nothing init-only feeds a node the step needs.
    for (const n of graph.nodes) if (n.init) expect(['variable', 'placeholder', 'gradient'], n.id).not.toContain(n.kind);
    for (const [from, to] of graph.edges) if (init.has(from)) expect(init.has(to), `${from} → ${to}`).toBe(true);
  });
});

describe('inspect:plan (LeNet training step)', () => {
  it('is the explained plan as a graph: fused kernels, feeds and variables as sources, edges between its own nodes', () => {
    const plan = PlanGraphSchema.parse(trainingPlan(runtime, batch()));
    const explained = runtime.session.explain([runtime.model.loss, runtime.model.trainOp], {
      feed_dict: [[runtime.model.x, runtime.imagesFor(batch().images)], [runtime.model.labels, batch().labels]],
    });
    expect(plan.kernels).toBe(explained.steps);
    expect(plan.batchSize).toBe(BATCH);
    expect(plan.nodes.filter((n) => n.kind !== 'variable' && n.kind !== 'placeholder').map((n) => n.id)).toEqual(explained.nodes.map((n) => n.name));
    const fused = plan.nodes.filter((n) => n.kind === 'fused');
    expect(fused.length).toBeGreaterThan(0);
    for (const f of fused) expect(f.fusedFrom.length).toBeGreaterThan(0);
    expect(fused.some((f) => f.fusedFrom.length > 1)).toBe(true);
    expect(plan.nodes.some((n) => n.writesVariable !== null)).toBe(true);
    expect(plan.nodes.filter((n) => n.kind === 'variable').length).toBeGreaterThan(3);

    const ids = new Set(plan.nodes.map((n) => n.id));
    const indegree = new Map<string, number>();
    for (const [from, to] of plan.edges) {
      expect(ids.has(from) && ids.has(to), `${from} → ${to}`).toBe(true);
      indegree.set(to, (indegree.get(to) ?? 0) + 1);
    }
    // Sources have no inputs; every kernel that is not a folded constant reads something.
    for (const n of plan.nodes) {
      if (n.kind === 'variable' || n.kind === 'placeholder') expect(indegree.get(n.id) ?? 0, n.id).toBe(0);
      else if (n.op !== 'Const' && n.op !== 'NoOp') expect(indegree.get(n.id) ?? 0, n.id).toBeGreaterThan(0);
    }
  });
});

describe('inspect:plan through the engine', () => {
  it('answers before any training with the plan of the model the worker holds; a payload with fields is refused by name', async () => {
    const engine = new ComputeEngine(() => {});
    const plan = PlanGraphSchema.parse(await engine.handle('inspect:plan', {}));
    expect(plan.kernels).toBeGreaterThan(0);
    expect(plan.nodes.some((n) => n.kind === 'placeholder')).toBe(true);
    expect(() => parsePayload('inspect:plan', { model: 'lenet' })).toThrow("IPC 'inspect:plan'");
  });
});
