/**
 * Exact algebraic rewrites: each replaces a node by a value that is bit-for-bit what it computed.
 * x*1, 1*x, x/1, x+0, 0+x, x-0, -(-x), same-dtype casts, identities, transpose of transpose, shape
 * adapters (sum-to, broadcast-to) between equal shapes, and reductions over size-1 axes (a reshape).
 * A value is never forwarded to a variable this plan assigns: the node was a snapshot of it.
 */
import type { Attrs } from '../../ops/op-def';
import type { ReduceAttrs } from '../../ops/reduce';
import type { TransposeAttrs } from '../../ops/layout';
import { isUniformConstant, newNode, opDef, replaceUses, sameShape, specOf, type IRGraph, type IRNode, type IRValue } from '../ir';

type Rule = (n: IRNode, ir: IRGraph) => IRValue | null;

const REDUCTIONS = new Set(['Sum', 'Mean', 'Max', 'Min', 'Prod']);
const SHAPE_ADAPTERS = new Set(['SumToShapeOf', 'BroadcastToShapeOf', 'Unreduce', 'ReshapeToShapeOf']);

/** `x` when it has exactly the node's output dtype and shape (so it can stand for the output). */
function sameAsOutput(n: IRNode, x: IRValue): IRValue | null {
  const out = n.outputs[0];
  const s = specOf(x);
  return s.dtype === out.dtype && sameShape(s.shape, out.shape) ? x : null;
}

const rules: Rule[] = [
  // Neutral operands.
  (n) => {
    if (n.inputs.length !== 2) return null;
    const [a, b] = n.inputs;
    switch (n.type) {
      case 'Mul':
        if (isUniformConstant(b, 1)) return sameAsOutput(n, a);
        if (isUniformConstant(a, 1)) return sameAsOutput(n, b);
        return null;
      case 'Add':
        if (isUniformConstant(b, 0)) return sameAsOutput(n, a);
        if (isUniformConstant(a, 0)) return sameAsOutput(n, b);
        return null;
      case 'Sub':
        return isUniformConstant(b, 0) ? sameAsOutput(n, a) : null;
      case 'Div':
        return isUniformConstant(b, 1) ? sameAsOutput(n, a) : null;
      default:
        return null;
    }
  },
  // Copies that change nothing.
  (n) => {
    if (n.type === 'Identity') return n.inputs[0];
    if (n.type === 'Cast') return sameAsOutput(n, n.inputs[0]);
    if (SHAPE_ADAPTERS.has(n.type)) return sameAsOutput(n, n.inputs[0]);
    return null;
  },
  (n) => {
    if (n.type !== 'Neg') return null;
    const inner = n.inputs[0].node;
    return inner.type === 'Neg' ? inner.inputs[0] : null;
  },
  // transpose(transpose(x, p), q) is transpose(x, p∘q), or x itself.
  (n, ir) => {
    if (n.type !== 'Transpose' || n.inputs[0].node.type !== 'Transpose') return null;
    const inner = n.inputs[0].node;
    const rank = n.outputs[0].shape.length;
    const p = resolvedPerm(inner.attrs as TransposeAttrs, rank);
    const q = resolvedPerm(n.attrs as TransposeAttrs, rank);
    const composed = q.map((axis) => p[axis]);
    const source = inner.inputs[0];
    if (composed.every((axis, i) => axis === i)) return sameAsOutput(n, source);
    const merged = newNode(ir, { ...n, attrs: { perm: composed }, inputs: [source], controls: [...n.controls] });
    insertBefore(ir, n, merged);
    return { node: merged, index: 0 };
  },
  // A reduction over size-1 axes only moves no data: a reshape to its output shape.
  (n, ir) => {
    if (!REDUCTIONS.has(n.type)) return null;
    const x = specOf(n.inputs[0]);
    const axes = (n.attrs as ReduceAttrs).axes ?? x.shape.map((_, i) => i);
    if (!axes.every((a) => x.shape[a < 0 ? a + x.shape.length : a] === 1)) return null;
    const reshape = newNode(ir, {
      ...n, type: 'Reshape', def: opDef('Reshape'), attrs: { shape: [...n.outputs[0].shape] } as Attrs, controls: [...n.controls],
    });
    insertBefore(ir, n, reshape);
    return { node: reshape, index: 0 };
  },
];

function resolvedPerm(attrs: TransposeAttrs, rank: number): number[] {
  return attrs.perm ?? Array.from({ length: rank }, (_, i) => rank - 1 - i);
}

function insertBefore(ir: IRGraph, anchor: IRNode, node: IRNode): void {
  ir.nodes.splice(ir.nodes.indexOf(anchor), 0, node);
}

/**
 * step(x) is step(relu(x)) exactly (both are 1 just where x > 0). Reading relu's output instead of x
 * leaves x with relu as its only reader, so a matmul + bias + relu epilogue can absorb the chain.
 */
function stepReadsRelu(ir: IRGraph): number {
  let changes = 0;
  for (const n of ir.nodes) {
    if (n.type !== 'Step') continue;
    const x = n.inputs[0];
    const relu = ir.nodes.find((r) => r.type === 'Relu' && r.inputs[0].node === x.node && r.inputs[0].index === x.index);
    if (!relu || ir.nodes.indexOf(relu) > ir.nodes.indexOf(n)) continue;
    n.inputs = [{ node: relu, index: 0 }];
    changes++;
  }
  return changes;
}

/** Applies the rules until none fires; returns the number of rewrites. */
export function simplify(ir: IRGraph): number {
  const assigned = new Set(ir.nodes.filter((n) => n.type === 'Assign').map((n) => n.inputs[0].node));
  let changes = 0;
  for (const n of [...ir.nodes]) {
    if (n.kind !== 'op' || n.def.stateful || n.writesVariable) continue;
    for (const rule of rules) {
      const replacement = rule(n, ir);
      if (!replacement || replacement.node === n) continue;
      // The node was a snapshot of a variable the step overwrites: keep it.
      if (replacement.node.kind === 'variable' && assigned.has(replacement.node)) continue;
      replaceUses(ir, { node: n, index: 0 }, replacement);
      changes++;
      break;
    }
  }
  return changes + stepReadsRelu(ir);
}
