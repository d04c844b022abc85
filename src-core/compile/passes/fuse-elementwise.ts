/**
 * Elementwise fusion: a chain of float32 elementwise ops becomes one FusedElementwise node, so the
 * backend makes one pass over memory instead of one per op and no intermediate is stored. A producer
 * joins its reader's group when the reader is its only use and it has the reader's full shape (a
 * broadcast producer would be recomputed per element). Groups end at 8 inputs or 64 instructions.
 */
import type { Backend, ElementwiseInstr } from '../../../backends/interface';
import type { BiasAddAttrs } from '../../ops/bias-add';
import { BINARY_ELEMENTWISE } from '../../ops/elementwise-binary';
import { UNARY_ELEMENTWISE } from '../../ops/elementwise-unary';
import { FusedElementwise, programKey, type FusedElementwiseAttrs } from '../fused-ops';
import { constantValues, newNode, opDef, replaceUses, sameShape, specOf, useCounts, type IRGraph, type IRNode, type IRValue } from '../ir';

const MAX_INPUTS = 8;
const MAX_INSTRUCTIONS = 64;

const isF32 = (v: IRValue) => specOf(v).dtype === 'float32';

/** The instruction a node contributes, given its operands' registers; null when it cannot be fused. */
function instructionFor(n: IRNode, operands: number[]): ElementwiseInstr | null {
  const unary = UNARY_ELEMENTWISE.get(n.type);
  if (unary) return { kind: 'unary', op: unary.prim, a: operands[0] };
  const binary = BINARY_ELEMENTWISE.get(n.type);
  if (binary) return { kind: 'binary', op: binary.prim, a: operands[0], b: operands[1] };
  if (n.type === 'BiasAdd') return { kind: 'binary', op: 'add', a: operands[0], b: operands[1] };
  if (n.type === 'Identity' || n.type === 'Cast') return { kind: 'unary', op: 'identity', a: operands[0] };
  return null;
}

/** Whether a node can be part of a fused group (as root: also that it yields float32). */
export function isFusable(n: IRNode): boolean {
  if (n.kind !== 'op' || n.writesVariable || n.outputs.length !== 1) return false;
  const out = n.outputs[0].dtype;
  if (UNARY_ELEMENTWISE.has(n.type)) return isF32(n.inputs[0]);
  const binary = BINARY_ELEMENTWISE.get(n.type);
  if (binary) return n.inputs.every(isF32) && (out === 'float32' || binary.comparison);
  if (n.type === 'BiasAdd') {
    const rank = specOf(n.inputs[0]).shape.length;
    return n.inputs.every(isF32) && ((n.attrs as BiasAddAttrs).data_format === 'NHWC' || rank <= 2);
  }
  if (n.type === 'Identity') return out === 'float32';
  if (n.type === 'Cast') return out === 'float32' && (specOf(n.inputs[0]).dtype === 'bool' || isF32(n.inputs[0]));
  return false;
}

/**
 * Builds the fused node for `members` (in execution order, `root` last). Returns null when the group
 * needs a non-float32 input or exceeds the kernel's limits.
 */
export function buildFusedNode(ir: IRGraph, members: IRNode[], root: IRNode): IRNode | null {
  const inside = new Set(members);
  const program: ElementwiseInstr[] = [];
  const leaves: IRValue[] = [];
  const registers = new Map<IRNode, number>();
  const leafRegisters = new Map<string, number>();
  const operand = (v: IRValue): number | null => {
    if (inside.has(v.node)) return registers.get(v.node) as number;
    const key = `${v.node.id}:${v.index}`;
    const known = leafRegisters.get(key);
    if (known !== undefined) return known;
    const values = constantValues(v);
    if (values && values.length === 1 && isF32(v)) program.push({ kind: 'const', value: values[0] });
    else {
      if (!isF32(v)) return null;
      program.push({ kind: 'input', input: leaves.length });
      leaves.push(v);
    }
    leafRegisters.set(key, program.length - 1);
    return program.length - 1;
  };
  for (const n of members) {
    const operands: number[] = [];
    for (const v of n.inputs) {
      const r = operand(v);
      if (r === null) return null;
      operands.push(r);
    }
    const ins = instructionFor(n, operands);
    if (!ins) return null;
    program.push(ins);
    registers.set(n, program.length - 1);
  }
  if (leaves.length > MAX_INPUTS || program.length > MAX_INSTRUCTIONS) return null;
  const attrs: FusedElementwiseAttrs = { program, key: programKey(program) };
  return newNode(ir, {
    kind: 'op', type: FusedElementwise.type, name: `${root.name}/fused`, def: opDef(FusedElementwise.type), attrs,
    inputs: leaves, controls: members.flatMap((m) => m.controls), origin: root.origin,
    outputs: [{ ...root.outputs[0], shape: [...root.outputs[0].shape] }], fusedFrom: members.map((m) => m.name),
  });
}

/** Replaces `root`'s value with `fused`'s (placed where the root was). */
export function installFused(ir: IRGraph, root: IRNode, fused: IRNode): void {
  ir.nodes.splice(ir.nodes.indexOf(root), 0, fused);
  replaceUses(ir, { node: root, index: 0 }, { node: fused, index: 0 });
}

export function fuseElementwise(ir: IRGraph, backend: Backend): number {
  if (!backend.elementwise) return 0;
  const uses = useCounts(ir);
  const taken = new Set<IRNode>();
  const position = new Map(ir.nodes.map((n, i) => [n, i]));
  let groups = 0;
  for (const root of [...ir.nodes].reverse()) {
    if (taken.has(root) || !isFusable(root) || root.outputs[0].dtype !== 'float32') continue;
    const members = new Set<IRNode>([root]);
    const frontier = [root];
    while (frontier.length > 0) {
      const n = frontier.pop() as IRNode;
      for (const v of n.inputs) {
        const p = v.node;
        if (members.has(p) || taken.has(p) || !isFusable(p)) continue;
        if ((uses.get(p) as number[])[0] !== 1 || !sameShape(p.outputs[0].shape, root.outputs[0].shape)) continue;
        members.add(p);
        frontier.push(p);
      }
    }
    if (members.size < 2) continue;
    const ordered = [...members].sort((a, b) => (position.get(a) as number) - (position.get(b) as number));
    const fused = buildFusedNode(ir, ordered, root);
    if (!fused) continue;
    for (const m of members) taken.add(m);
    installFused(ir, root, fused);
    groups++;
  }
  return groups;
}
