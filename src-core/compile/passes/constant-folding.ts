/**
 * Constant folding: a node whose values depend on no feed, variable or stateful (random) op is
 * evaluated once at compile time with its float64 reference kernel, rounded to its dtype, and becomes a
 * constant written once when the plan is built. Inputs used only for their shape count as known,
 * since every shape is concrete here (so gradient shape helpers fold too).
 */
import type { RefArray } from '../../ops/op-def';
import { numElements } from '../../graph/shape';
import { typedArrayFrom } from '../../graph/dtype';
import { constantValues, newNode, opDef, replaceUses, type IRGraph, type IRNode } from '../ir';

/** Larger results stay computed per step: a constant that big costs more to hold than to compute. */
const MAX_FOLDED_ELEMENTS = 1 << 18;

function foldable(n: IRNode): boolean {
  if (n.kind !== 'op' || n.def.stateful || n.type === 'Const' || n.writesVariable || n.outputs.length === 0) return false;
  const shapeOnly = new Set(n.def.shapeOnlyInputs ?? []);
  if (!n.inputs.every((v, i) => shapeOnly.has(i) || constantValues(v) !== undefined)) return false;
  return n.outputs.every((o) => numElements(o.shape) <= MAX_FOLDED_ELEMENTS);
}

export function foldConstants(ir: IRGraph): number {
  let folded = 0;
  for (const n of [...ir.nodes]) {
    if (!foldable(n)) continue;
    const shapeOnly = new Set(n.def.shapeOnlyInputs ?? []);
    const inputs = n.inputs.map((v, i): RefArray => {
      const spec = v.node.outputs[v.index];
      // Shape-only inputs are never read: an empty data array keeps folding cheap.
      const data = shapeOnly.has(i) ? new Float64Array(0) : Float64Array.from(constantValues(v) as ArrayLike<number>);
      return { shape: [...spec.shape], dtype: spec.dtype, data };
    });
    const results = n.def.reference(inputs, n.attrs, { type: n.type, name: n.name });
    results.forEach((r, i) => {
      const constant = newNode(ir, {
        kind: 'op', type: 'Const', name: `${n.name}/folded${i === 0 ? '' : `_${i}`}`, def: opDef('Const'),
        attrs: { dtype: r.dtype, shape: [...n.outputs[i].shape], values: typedArrayFrom(r.dtype, r.data) },
        inputs: [], controls: [], outputs: [{ ...n.outputs[i], shape: [...n.outputs[i].shape] }], origin: n.origin,
      });
      ir.nodes.splice(ir.nodes.indexOf(n), 0, constant);
      replaceUses(ir, { node: n, index: i }, { node: constant, index: 0 });
    });
    folded++;
  }
  return folded;
}
