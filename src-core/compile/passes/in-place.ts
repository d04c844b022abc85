/**
 * In-place variable updates: for `assign(W, f(W, ...))` with f elementwise, the kernel computing f
 * writes straight into W's buffer (each element's inputs are read before it is written), so the
 * update needs neither a temporary nor the assign's copy. Safe only when every other reader of W in
 * the step runs before the update, nothing else assigns W, and the new value has no other reader.
 */
import type { Backend } from '../../../backends/interface';
import type { Operation } from '../../graph/operation';
import { FusedElementwise } from '../fused-ops';
import { sameShape, useCounts, type IRGraph, type IRNode, type IRValue } from '../ir';
import { buildFusedNode, installFused, isFusable } from './fuse-elementwise';

/**
 * Every value that is the variable's value before `assign` writes it: the variable and reshape-like
 * views of it. The assign's own output (and views of that) is the new value, which readers may see.
 */
function oldValueAliases(ir: IRGraph, variable: IRNode, assign: IRNode): Set<IRNode> {
  const aliases = new Set<IRNode>([variable]);
  for (const n of ir.nodes) {
    const from = n.def.aliasInput;
    if (n !== assign && n.kind === 'op' && from !== undefined && aliases.has(n.inputs[from]?.node)) aliases.add(n);
  }
  return aliases;
}

function updateInPlace(ir: IRGraph, assign: IRNode, uses: Map<IRNode, number[]>): boolean {
  const [ref, value] = assign.inputs;
  const variable = ref.node;
  let producer = value.node;
  if (variable.kind !== 'variable' || producer.kind !== 'op' || producer.writesVariable) return false;
  if ((uses.get(producer) as number[])[value.index] !== 1 || value.index !== 0) return false;
  if (!sameShape(producer.outputs[0].shape, variable.outputs[0].shape) || producer.outputs[0].dtype !== 'float32') return false;
  if (producer.type !== FusedElementwise.type && !isFusable(producer)) return false;
  if (ir.nodes.some((n) => n !== assign && n.type === 'Assign' && n.inputs[0].node === variable)) return false;

  const aliases = oldValueAliases(ir, variable, assign);
  const readsVariable = (v: IRValue) => aliases.has(v.node);
  // The kernel may read W only element for element: as W itself, in W's own shape.
  if (!producer.inputs.every((v) => !readsVariable(v) || (v.node === variable && sameShape(v.node.outputs[0].shape, producer.outputs[0].shape)))) return false;
  const at = ir.nodes.indexOf(producer);
  const lateReader = ir.nodes.some((n, i) => i > at && n !== assign && !aliases.has(n) && n.inputs.some(readsVariable));
  if (lateReader) return false;

  if (producer.type !== FusedElementwise.type) {
    const single = buildFusedNode(ir, [producer], producer);
    if (!single) return false;
    installFused(ir, producer, single);
    producer = single;
  }
  producer.writesVariable = variable.origin as Operation;
  return true;
}

export function updateVariablesInPlace(ir: IRGraph, backend: Backend): number {
  if (!backend.elementwise) return 0;
  let updated = 0;
  for (const assign of ir.nodes.filter((n) => n.type === 'Assign')) {
    if (updateInPlace(ir, assign, useCounts(ir))) updated++;
  }
  return updated;
}
