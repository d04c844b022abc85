/**
 * What the graph viewer needs to know about each op that only the graph can tell: its kind (variable,
 * placeholder, forward op, gradient, optimizer) and whether only the variables' initializer reaches it.
 */
import type { Operation } from '../../src-core';
import type { GraphNodeKind } from '../../src-app-api/schemas';

/** Ops the app adds around the model (backend moves, checkpoints, saliency): not part of the diagram. */
export const APP_SCOPES = ['restore', 'saliency'];

export function isAppOp(name: string): boolean {
  return APP_SCOPES.some((s) => name === s || name.startsWith(`${s}/`) || name.startsWith(`${s}_`));
}

/** Every op `roots` depend on, through data and control inputs, the roots included. */
export function ancestors(roots: readonly Operation[]): Set<Operation> {
  const seen = new Set<Operation>();
  const stack = [...roots];
  while (stack.length > 0) {
    const op = stack.pop() as Operation;
    if (seen.has(op)) continue;
    seen.add(op);
    for (const t of op.inputs) stack.push(t.op);
    for (const c of op.controlInputs) stack.push(c);
  }
  return seen;
}

export function isGradientName(name: string): boolean {
  return name === 'gradients' || name.startsWith('gradients/') || name.startsWith('gradients_');
}

/**
 * Kinds from the graph's structure, not from name lists: an optimizer op is one the train op needs but
 * the loss does not (the update arithmetic, slots' reads, the step counter), apart from the gradients
 * and the variables themselves.
 */
export function nodeKinds(ops: readonly Operation[], forward: readonly Operation[], trainOp: Operation): Map<Operation, GraphNodeKind> {
  const forwardSet = ancestors(forward);
  const trainSet = ancestors([trainOp]);
  const kinds = new Map<Operation, GraphNodeKind>();
  for (const op of ops) {
    let kind: GraphNodeKind = 'op';
    if (op.type === 'VariableV2') kind = 'variable';
    else if (op.type === 'Placeholder') kind = 'placeholder';
    else if (isGradientName(op.name)) kind = 'gradient';
    else if (trainSet.has(op) && !forwardSet.has(op)) kind = 'optimizer';
    kinds.set(op, kind);
  }
  return kinds;
}

/**
 * The ops only initialisation needs: the initializer assigns, the ops whose every consumer is one of
 * those (initial values, their random ops and shapes), and the init groups that run nothing else.
 * `ops` in creation order, which is topological: walking it backwards sees consumers first.
 */
export function initOnly(ops: readonly Operation[], initializers: ReadonlySet<Operation>): Set<Operation> {
  const consumers = new Map<Operation, Operation[]>();
  const add = (from: Operation, to: Operation): void => {
    const list = consumers.get(from);
    if (list) list.push(to);
    else consumers.set(from, [to]);
  };
  for (const op of ops) {
    for (const t of op.inputs) add(t.op, op);
    for (const c of op.controlInputs) add(c, op);
  }
  const init = new Set<Operation>();
  for (let i = ops.length - 1; i >= 0; i--) {
    const op = ops[i];
    const users = consumers.get(op) ?? [];
    if (initializers.has(op) || (users.length > 0 && users.every((u) => init.has(u)))) init.add(op);
  }
  // The init group itself (a NoOp over the assigns) has no consumers: it is init when all it runs is.
  for (const op of ops) {
    if (op.inputs.length === 0 && op.controlInputs.length > 0 && (consumers.get(op) ?? []).length === 0 && op.controlInputs.every((c) => init.has(c))) init.add(op);
  }
  return init;
}
