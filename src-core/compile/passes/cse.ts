/**
 * Common-subexpression elimination: two stateless nodes of the same type, attributes and inputs
 * compute the same values, so the later one's uses move to the earlier one. Gradient graphs repeat
 * a lot (softmax of the same logits, the same reshapes and casts); constants are merged by value.
 */
import { replaceUses, type IRGraph, type IRNode } from '../ir';

/** Constants larger than this are not compared by value (hashing them costs more than they save). */
const MAX_KEYED_CONSTANT = 256;

function stableText(value: unknown): string {
  if (ArrayBuffer.isView(value)) return `[${Array.from(value as unknown as ArrayLike<number>, (v) => (Object.is(v, -0) ? '-0' : String(v))).join(',')}]`;
  if (Array.isArray(value)) return `[${value.map(stableText).join(',')}]`;
  if (value !== null && typeof value === 'object') {
    const entries = Object.entries(value as Record<string, unknown>).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
    return `{${entries.map(([k, v]) => `${k}:${stableText(v)}`).join(',')}}`;
  }
  return typeof value === 'number' && Object.is(value, -0) ? '-0' : JSON.stringify(value) ?? 'undefined';
}

function keyOf(n: IRNode): string | null {
  if (n.kind !== 'op' || n.def.stateful || n.writesVariable || n.outputs.length === 0) return null;
  if (n.type === 'Const' && (n.attrs as { values: ArrayLike<number> }).values.length > MAX_KEYED_CONSTANT) return null;
  const inputs = n.inputs.map((v) => `${v.node.id}:${v.index}`).join(',');
  const controls = n.controls.map((c) => c.id).join(',');
  const outputs = n.outputs.map((o) => `${o.dtype}[${o.shape.join(',')}]`).join(',');
  return `${n.type}|${stableText(n.attrs)}|${inputs}|${controls}|${outputs}`;
}

export function eliminateCommonSubexpressions(ir: IRGraph): number {
  const seen = new Map<string, IRNode>();
  let merged = 0;
  for (const n of ir.nodes) {
    const key = keyOf(n);
    if (key === null) continue;
    const first = seen.get(key);
    if (!first) {
      seen.set(key, n);
      continue;
    }
    n.outputs.forEach((_, i) => replaceUses(ir, { node: n, index: i }, { node: first, index: i }));
    merged++;
  }
  return merged;
}
