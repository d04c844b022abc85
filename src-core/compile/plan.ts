/**
 * Compiles one (fetch set, feed shapes) into a Plan: pruned, converted to IR with concrete shapes,
 * rewritten by the optimisation passes, then lowered node by node to a flat list of backend calls with
 * every buffer placed by the static memory plan. Running a plan writes the feeds, runs the steps and
 * reads the fetches, with no allocation.
 */
import type { Backend, BackendBuffer } from '../../backends/interface';
import { withPrimitiveChecks } from '../../backends/registry';
import type { DType } from '../graph/dtype';
import { byteWidth } from '../graph/dtype';
import { numElements } from '../graph/shape';
import type { Operation } from '../graph/operation';
import type { Tensor } from '../graph/tensor';
import type { LowerContext, Port } from '../ops/op-def';
import { BufferPlanner } from './buffer-planner';
import { buildIR, type IRGraph, type IRNode, type IRValue, type VariableShapes } from './ir';
import { runPasses, type Optimizations, type PassReport } from './passes';
import type { PlanExplanation, ExplainedNode } from './explain';
import { pruneToFetches } from './prune';

/** Where variable values live: owned by the session, shared by all its plans. */
export interface VariableStore extends VariableShapes {
  /** The variable's buffer, allocated with `shape` on first use. */
  bufferFor(variable: Operation, shape: readonly number[]): BackendBuffer;
  /** Host state shared by every plan of the session (see LowerContext.sessionState). */
  sessionState<T>(key: string, create: () => T): T;
}

export interface FeedSlot {
  tensor: Tensor;
  port: Port;
}

export interface Plan {
  readonly feeds: FeedSlot[];
  /** One port per fetched tensor, in fetch order. */
  readonly fetches: Port[];
  readonly steps: (() => void)[];
  /** Variables whose value the plan reads; they must be initialised first. */
  readonly readsVariables: Operation[];
  /** Variables the plan assigns; they count as initialised after it runs. */
  readonly assignsVariables: Operation[];
  /** Buffers the plan owns (freed with it). */
  readonly ownedBuffers: BackendBuffer[];
  /** What the compiler did: kernels, fused groups, buffers, peak memory. */
  readonly explanation: PlanExplanation;
  /**
   * Per lowered node, parallel to `explanation.nodes`: where its inputs and outputs live, so a checking
   * run (Session.findNonFinite) can look at every value between two nodes.
   */
  readonly nodePorts: NodePorts[];
}

/** One lowered node's values: each input with the node that produced it, and its outputs. */
export interface NodePorts {
  inputs: { producer: string; op: string; index: number; port: Port }[];
  outputs: Port[];
}

export interface CompileRequest {
  fetchTensors: Tensor[];
  targets: Operation[];
  /** Fed tensors and the concrete shape and dtype of this run's values. */
  feedSpecs: Map<Tensor, { shape: number[]; dtype: DType }>;
  optimizations: Optimizations;
}

export function compilePlan(backend: Backend, variables: VariableStore, req: CompileRequest): Plan {
  const fed = new Set(req.feedSpecs.keys());
  const order = pruneToFetches(req.fetchTensors, req.targets, fed);
  const ir = buildIR(order, req.fetchTensors, req.targets, req.feedSpecs, variables);
  const passes = runPasses(ir, backend, req.optimizations);
  const owned: BackendBuffer[] = [];
  try {
    return lowerPlan(backend, variables, ir, passes, req.optimizations, owned);
  } catch (e) {
    for (const b of owned) backend.free(b);
    throw e;
  }
}

/** Where one value lives, and until when its buffer is needed. */
interface Storage {
  buffer: BackendBuffer;
  /** Position of the last node that reads it (Infinity: fetched, or must survive the step). */
  lastUse: number;
  pooled: boolean;
  released: boolean;
}

function lowerPlan(
  backend: Backend, variables: VariableStore, ir: IRGraph, passes: PassReport[], opts: Optimizations, owned: BackendBuffer[],
): Plan {
  const planner = new BufferPlanner(backend, owned, opts.memoryPlan);
  const lastUse = lastUses(ir);
  const storage = new Map<IRNode, Storage[]>();
  const storageOf = (v: IRValue): Storage => (storage.get(v.node) as Storage[])[v.index];
  const pooled = (dtype: DType, size: number, use: number): Storage => ({ buffer: planner.acquire(dtype, size), lastUse: use, pooled: true, released: false });
  const dedicated = (dtype: DType, size: number): Storage => fixed(planner.acquire(dtype, size, { shared: false }));
  const fixed = (buffer: BackendBuffer): Storage => ({ buffer, lastUse: Infinity, pooled: false, released: false });
  const release = (s: Storage, position: number) => {
    if (!s.pooled || s.released || s.lastUse > position) return;
    s.released = true;
    planner.release(s.buffer);
  };

  const feeds: FeedSlot[] = ir.feeds.map(({ tensor, value }) => {
    const spec = value.node.outputs[0];
    const s = pooled(spec.dtype, numElements(spec.shape), lastUse(value));
    storage.set(value.node, [s]);
    return { tensor, port: { buffer: s.buffer, shape: spec.shape, dtype: spec.dtype } };
  });

  const steps: (() => void)[] = [];
  const inits: (() => void)[] = [];
  const reads = new Set<Operation>();
  const assigns = new Set<Operation>();
  const explained: ExplainedNode[] = [];
  const nodePorts: NodePorts[] = [];
  // Per node being lowered: its scratch buffers and its kernel count.
  let temps: Storage[] = [];
  let kernels = 0;
  const ctx: LowerContext = {
    // Every primitive call the ops emit passes the shared argument checks first, whatever the backend.
    backend: withPrimitiveChecks(backend),
    temp: (dtype, size) => {
      const s = pooled(dtype, size, -1);
      temps.push(s);
      return s.buffer;
    },
    emit: (step) => {
      kernels++;
      steps.push(step);
    },
    init: (step) => inits.push(step),
    constant: (dtype, size) => dedicated(dtype, size).buffer,
    sessionState: (key, create) => variables.sessionState(key, create),
  };

  ir.nodes.forEach((node, position) => {
    if (node.kind === 'feed') return;
    if (node.kind === 'variable') {
      const spec = node.outputs[0];
      storage.set(node, [fixed(variables.bufferFor(node.origin as Operation, spec.shape))]);
      return;
    }
    noteVariableUse(node, reads, assigns);
    const inputs = node.inputs.map((v): Port => ({ ...v.node.outputs[v.index], buffer: storageOf(v).buffer }));
    const outStorage = node.outputs.map((spec, i): Storage => {
      if (i === 0 && node.writesVariable) return fixed(variables.bufferFor(node.writesVariable, spec.shape));
      if (i === 0 && node.def.aliasInput !== undefined) {
        // Reshape-like ops and assign share their input's buffer, which then lives as long as either value.
        const shared = storageOf(node.inputs[node.def.aliasInput]);
        shared.lastUse = Math.max(shared.lastUse, lastUse({ node, index: 0 }));
        return shared;
      }
      if (node.def.constantOutputs) return dedicated(spec.dtype, numElements(spec.shape));
      return pooled(spec.dtype, numElements(spec.shape), lastUse({ node, index: i }));
    });
    storage.set(node, outStorage);
    const outputs = node.outputs.map((spec, i): Port => ({ ...spec, buffer: outStorage[i].buffer }));
    temps = [];
    kernels = 0;
    node.def.lower(ctx, { type: node.type, name: node.name, attrs: node.attrs, inputs, outputs });
    explained.push(explainNode(node, outputs, temps, kernels, planner));
    nodePorts.push({ inputs: node.inputs.map((v, i) => ({ ...producerOf(v.node), index: v.index, port: inputs[i] })), outputs });
    for (const s of temps) release(s, position);
    for (const v of node.inputs) release(storageOf(v), position);
    for (const s of outStorage) release(s, position);
  });
  for (const v of ir.fetches) if (v.node.kind === 'variable') reads.add(v.node.origin as Operation);
  for (const init of inits) init();

  const fetches = ir.fetches.map((v): Port => ({ ...v.node.outputs[v.index], buffer: storageOf(v).buffer }));
  const variableBytes = [...storage.entries()]
    .filter(([n]) => n.kind === 'variable')
    .reduce((sum, [n]) => sum + numElements(n.outputs[0].shape) * byteWidth(n.outputs[0].dtype), 0);
  const memory = planner.summary();
  const planReport = passes.find((p) => p.name === 'memoryPlan');
  if (planReport?.enabled) {
    planReport.changes = memory.requestedBuffers - memory.buffers;
    planReport.summary = `${planReport.changes} buffers reused by lifetime (${memory.buffers} held for ${memory.requestedBuffers} values and scratch)`;
  }
  const explanation: PlanExplanation = {
    backend: backend.name,
    passes,
    nodes: explained,
    steps: steps.length,
    memory: { ...memory, variableBytes },
  };
  return { feeds, fetches, steps, readsVariables: [...reads], assignsVariables: [...assigns], ownedBuffers: owned, explanation, nodePorts };
}

/** A feed or a variable is named after the graph op it stands for (the Placeholder, the VariableV2). */
function producerOf(node: IRNode): { producer: string; op: string } {
  const origin = node.kind === 'op' ? null : node.origin;
  return origin ? { producer: origin.name, op: origin.type } : { producer: node.name, op: node.type };
}

/** Position of each value's last reader; fetched values and unread outputs of kept nodes as noted. */
function lastUses(ir: IRGraph): (v: IRValue) => number {
  const last = new Map<IRNode, number[]>();
  ir.nodes.forEach((n, position) => last.set(n, new Array<number>(n.outputs.length).fill(position)));
  ir.nodes.forEach((n, position) => {
    for (const v of n.inputs) {
      const l = last.get(v.node) as number[];
      l[v.index] = Math.max(l[v.index], position);
    }
  });
  for (const v of ir.fetches) (last.get(v.node) as number[])[v.index] = Infinity;
  return (v) => (last.get(v.node) as number[])[v.index];
}

/** An Assign's first input is the variable it writes, not a read of its value. */
function noteVariableUse(node: IRNode, reads: Set<Operation>, assigns: Set<Operation>): void {
  node.inputs.forEach((v, i) => {
    if (v.node.kind !== 'variable') return;
    const variable = v.node.origin as Operation;
    if (node.type === 'Assign' && i === 0) assigns.add(variable);
    else reads.add(variable);
  });
  if (node.writesVariable) assigns.add(node.writesVariable);
}

function explainNode(node: IRNode, outputs: Port[], temps: Storage[], kernels: number, planner: BufferPlanner): ExplainedNode {
  return {
    name: node.name,
    type: node.type,
    ...(node.fusedFrom ? { fusedFrom: [...node.fusedFrom] } : {}),
    kernels,
    outputs: outputs.map((p) => ({
      shape: [...p.shape],
      dtype: p.dtype,
      bytes: numElements(p.shape) * byteWidth(p.dtype),
      buffer: planner.idOf(p.buffer),
    })),
    ...(node.writesVariable ? { writesVariable: node.writesVariable.name } : {}),
    scratchBytes: temps.reduce((sum, s) => sum + s.buffer.size * byteWidth(s.buffer.dtype), 0),
  };
}
