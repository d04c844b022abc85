/**
 * The compiler's working form of one run: the pruned ops with concrete shapes (the feeds fix every
 * unknown dim), as a small mutable graph the passes rewrite before anything is lowered.
 */
import { FailedPreconditionError, InvalidArgumentError } from '../errors';
import type { DType } from '../graph/dtype';
import { formatShape, isFullyDefined, shapesCompatible } from '../graph/shape';
import type { Operation } from '../graph/operation';
import type { Tensor } from '../graph/tensor';
import { getOpDef, type Attrs, type OpDef, type TensorSpec } from '../ops/op-def';
import type { VariableAttrs } from '../ops/state';

export interface ConcreteSpec {
  dtype: DType;
  shape: number[];
}

/** Output `index` of `node`. */
export interface IRValue {
  readonly node: IRNode;
  readonly index: number;
}

export type NodeKind = 'feed' | 'variable' | 'op';

export interface IRNode {
  readonly id: number;
  kind: NodeKind;
  type: string;
  name: string;
  def: OpDef<Attrs>;
  attrs: Attrs;
  inputs: IRValue[];
  /** Nodes that must run first although no value flows from them (control dependencies). */
  controls: IRNode[];
  outputs: ConcreteSpec[];
  /** The graph op this node stands for: variables and feeds keep their identity through it. */
  origin: Operation | null;
  /** The fed tensor, for feed nodes. */
  feed?: Tensor;
  /** Names of the graph ops a fused node replaces, for `explain`. */
  fusedFrom?: string[];
  /** Output 0 is written straight into this variable's buffer (an in-place update). */
  writesVariable?: Operation;
}

export interface IRGraph {
  /** In execution order: every node after its inputs and controls. */
  nodes: IRNode[];
  /** One value per fetched tensor, in fetch order. */
  fetches: IRValue[];
  /** Ops that must run for their effects (train ops, initialisers). */
  targets: IRNode[];
  feeds: { tensor: Tensor; value: IRValue }[];
  nextId: number;
}

/** Concrete variable shapes the session knows (buffers allocated by earlier runs). */
export interface VariableShapes {
  allocatedShape(variable: Operation): readonly number[] | undefined;
}

export function newNode(ir: IRGraph, fields: Omit<IRNode, 'id'>): IRNode {
  return { ...fields, id: ir.nextId++ };
}

/** Converts the pruned ops into IR, inferring every output's concrete shape. */
export function buildIR(
  order: Operation[],
  fetchTensors: readonly Tensor[],
  targets: readonly Operation[],
  feedSpecs: ReadonlyMap<Tensor, { shape: number[]; dtype: DType }>,
  variables: VariableShapes,
): IRGraph {
  const ir: IRGraph = { nodes: [], fetches: [], targets: [], feeds: [], nextId: 0 };
  // Variables whose shape is still unknown: their first Assign binds it.
  const unbound = new Set<IRNode>();
  const values = new Map<Tensor, IRValue>();
  const byOp = new Map<Operation, IRNode>();

  for (const [tensor, spec] of feedSpecs) {
    if (!shapesCompatible(tensor.shape, spec.shape)) {
      throw new InvalidArgumentError(
        `${tensor.op.type} '${tensor.op.name}': cannot feed a value of shape ${formatShape(spec.shape)} ` +
          `for tensor '${tensor.name}', which has shape ${formatShape(tensor.shape)}`,
      );
    }
    const node = newNode(ir, {
      kind: 'feed', type: 'Feed', name: tensor.name, def: tensor.op.def, attrs: {}, inputs: [], controls: [],
      outputs: [{ dtype: tensor.dtype, shape: [...spec.shape] }], origin: tensor.op, feed: tensor,
    });
    ir.nodes.push(node);
    const value = { node, index: 0 };
    values.set(tensor, value);
    ir.feeds.push({ tensor, value });
  }

  for (const op of order) {
    const controls = op.controlInputs.map((c) => byOp.get(c)).filter((n): n is IRNode => n !== undefined);
    if (op.type === 'Placeholder') {
      const t = op.outputs[0];
      throw new InvalidArgumentError(
        `Placeholder '${op.name}': you must feed a value for placeholder tensor '${t.name}' with dtype ${t.dtype} and shape ${formatShape(t.shape)}`,
      );
    }
    if (op.type === 'Assign') bindFirstAssignment(op, values);
    if (op.type === 'VariableV2') {
      const shape = knownVariableShape(op, variables);
      const node = newNode(ir, {
        kind: 'variable', type: op.type, name: op.name, def: op.def, attrs: op.attrs, inputs: [], controls,
        // An unknown shape stays empty until the variable's first Assign binds it (see bindFirstAssignment).
        outputs: [{ dtype: op.outputs[0].dtype, shape: shape ? [...shape] : [] }], origin: op,
      });
      if (!shape) unbound.add(node);
      ir.nodes.push(node);
      byOp.set(op, node);
      values.set(op.outputs[0], { node, index: 0 });
      continue;
    }
    const inputs = op.inputs.map((t) => {
      const v = values.get(t);
      if (!v) throw new FailedPreconditionError(`input '${t.name}' was not computed by the plan`);
      if (unbound.has(v.node)) unshapedVariable(t);
      return v;
    });
    const info = { type: op.type, name: op.name };
    const specs = op.def.inferOutputs(inputs.map((v): TensorSpec => specOf(v)), op.attrs, info);
    const outputs = specs.map((spec, i): ConcreteSpec => {
      if (!isFullyDefined(spec.shape)) {
        throw new InvalidArgumentError(`${op.type} '${op.name}': output ${i} has no concrete shape (${formatShape(spec.shape)}) even with the fed shapes`);
      }
      return { dtype: spec.dtype, shape: [...spec.shape] };
    });
    const node = newNode(ir, { kind: 'op', type: op.type, name: op.name, def: op.def, attrs: op.attrs, inputs, controls, outputs, origin: op });
    ir.nodes.push(node);
    byOp.set(op, node);
    op.outputs.forEach((t, i) => {
      if (!values.has(t)) values.set(t, { node, index: i });
    });
  }
  ir.fetches = fetchTensors.map((t) => {
    const v = values.get(t);
    if (!v) throw new FailedPreconditionError(`fetch '${t.name}' was not computed by the plan`);
    if (unbound.has(v.node)) unshapedVariable(t);
    return v;
  });
  ir.targets = targets.map((op) => byOp.get(op)).filter((n): n is IRNode => n !== undefined);
  return ir;

  /** An Assign to a variable of unknown shape gives it the assigned value's concrete shape. */
  function bindFirstAssignment(op: Operation, vals: Map<Tensor, IRValue>): void {
    const [ref, value] = op.inputs;
    const target = vals.get(ref);
    const source = vals.get(value);
    if (!target || !source || !unbound.has(target.node)) return;
    const shape = source.node.outputs[source.index].shape;
    if (!shapesCompatible(ref.shape, shape)) {
      throw new InvalidArgumentError(
        `${op.type} '${op.name}': cannot assign a value of shape ${formatShape(shape)} to variable '${ref.op.name}' of shape ${formatShape(ref.shape)}`,
      );
    }
    target.node.outputs[0].shape = [...shape];
    unbound.delete(target.node);
  }
}

export function specOf(v: IRValue): ConcreteSpec {
  return v.node.outputs[v.index];
}

/**
 * A variable's concrete shape: static, else its buffer's, else (optimizer state that starts filled)
 * the shapes of the variables its dims come from.
 */
function knownVariableShape(op: Operation, variables: VariableShapes): readonly number[] | undefined {
  const t = op.outputs[0];
  if (isFullyDefined(t.shape)) return t.shape;
  const allocated = variables.allocatedShape(op);
  if (allocated || (op.attrs as VariableAttrs).default_fill === undefined) return allocated;
  const sources = (op.attrs as VariableAttrs).dim_sources ?? [];
  const dims = (t.shape ?? []).map((d, i) => {
    const source = sources[i];
    if (d !== null || !source) return d;
    const from = op.graph.get_tensor_by_name(source.tensor);
    const shape = from.op.type === 'VariableV2' ? knownVariableShape(from.op, variables) : undefined;
    return shape?.[source.axis < 0 ? source.axis + shape.length : source.axis] ?? null;
  });
  return isFullyDefined(dims) ? dims : undefined;
}

function unshapedVariable(t: Tensor): never {
  throw new FailedPreconditionError(
    `VariableV2 '${t.op.name}': its shape ${formatShape(t.shape)} is not known yet because it was never assigned; ` +
      'initialise it with tf.assign(v, tf.normal(shape)) using the shapes from tf.infer_variable_shapes(loss, {feed_dict})',
  );
}

// ---- helpers the passes share ----

/** How many times each value is used: by node inputs, and by fetches (which count as uses too). */
export function useCounts(ir: IRGraph): Map<IRNode, number[]> {
  const counts = new Map<IRNode, number[]>();
  for (const n of ir.nodes) counts.set(n, new Array<number>(n.outputs.length).fill(0));
  const note = (v: IRValue) => {
    const c = counts.get(v.node);
    if (c) c[v.index]++;
  };
  for (const n of ir.nodes) n.inputs.forEach(note);
  ir.fetches.forEach(note);
  return counts;
}

/** Points every use of `from` (inputs and fetches) at `to`. */
export function replaceUses(ir: IRGraph, from: IRValue, to: IRValue): void {
  const same = (v: IRValue) => v.node === from.node && v.index === from.index;
  for (const n of ir.nodes) n.inputs = n.inputs.map((v) => (same(v) ? to : v));
  ir.fetches = ir.fetches.map((v) => (same(v) ? to : v));
  for (const f of ir.feeds) if (same(f.value)) f.value = to;
}

/**
 * Drops nodes that neither a fetch, a target, nor a kept node needs. Stateful nodes reached from the
 * targets stay; a stateful node nothing asks for is already pruned before the IR is built.
 */
export function removeDeadNodes(ir: IRGraph): number {
  const live = new Set<IRNode>();
  const stack: IRNode[] = [...ir.targets, ...ir.fetches.map((v) => v.node), ...ir.feeds.map((f) => f.value.node)];
  while (stack.length > 0) {
    const n = stack.pop() as IRNode;
    if (live.has(n)) continue;
    live.add(n);
    for (const v of n.inputs) stack.push(v.node);
    stack.push(...n.controls);
  }
  const before = ir.nodes.length;
  ir.nodes = ir.nodes.filter((n) => live.has(n));
  return before - ir.nodes.length;
}

export function sameShape(a: readonly number[], b: readonly number[]): boolean {
  return a.length === b.length && a.every((d, i) => d === b[i]);
}

/** A registered op's definition, for nodes the passes create. */
export function opDef(type: string): OpDef<Attrs> {
  const def = getOpDef(type);
  if (!def) throw new Error(`compiler: op type '${type}' is not registered`);
  return def;
}

/** The value of a constant node as plain numbers, when `v` comes from one. */
export function constantValues(v: IRValue): ArrayLike<number> | undefined {
  if (v.node.type !== 'Const') return undefined;
  return (v.node.attrs as { values: ArrayLike<number> }).values;
}

/** A constant whose every element equals `x`. */
export function isUniformConstant(v: IRValue, x: number): boolean {
  const values = constantValues(v);
  if (values === undefined || values.length === 0) return false;
  for (let i = 0; i < values.length; i++) if (values[i] !== x) return false;
  return true;
}

/**
 * Restores execution order after a rewrite placed a node before something it reads: a depth-first
 * order that keeps nodes where they were unless a dependency has to move up.
 */
export function sortTopologically(ir: IRGraph): void {
  const done = new Set<IRNode>();
  const order: IRNode[] = [];
  const visit = (root: IRNode) => {
    const stack: [IRNode, boolean][] = [[root, false]];
    while (stack.length > 0) {
      const [n, expanded] = stack.pop() as [IRNode, boolean];
      if (done.has(n)) continue;
      if (expanded) {
        done.add(n);
        order.push(n);
        continue;
      }
      stack.push([n, true]);
      const deps = [...n.inputs.map((v) => v.node), ...n.controls];
      for (let i = deps.length - 1; i >= 0; i--) if (!done.has(deps[i])) stack.push([deps[i], false]);
    }
  };
  for (const n of ir.nodes) visit(n);
  ir.nodes = order;
}
