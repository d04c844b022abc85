/**
 * matmul → bias add → relu as one kernel, where the backend offers `matmulEpilogue`: the product's
 * output block gets its bias and activation while it is still in cache, and neither intermediate is
 * ever stored. Each absorbed value must have no reader but the next op of the chain.
 */
import type { Backend } from '../../../backends/interface';
import type { MatMulAttrs } from '../../ops/matmul';
import type { BiasAddAttrs } from '../../ops/bias-add';
import { FusedMatMul, type FusedMatMulAttrs } from '../fused-ops';
import { newNode, opDef, replaceUses, sameShape, specOf, useCounts, type IRGraph, type IRNode, type IRValue } from '../ir';

/** The bias vector when `n` adds a length-`cols` vector along the last axis of `product`. */
function biasOf(n: IRNode, product: IRNode, cols: number): IRValue | null {
  const isProduct = (v: IRValue) => v.node === product && v.index === 0;
  const isVector = (v: IRValue) => {
    const s = specOf(v).shape;
    return s[s.length - 1] === cols && s.slice(0, -1).every((d) => d === 1) && specOf(v).dtype === 'float32';
  };
  if (n.type === 'BiasAdd') {
    const format = (n.attrs as BiasAddAttrs).data_format;
    return isProduct(n.inputs[0]) && (format === 'NHWC' || specOf(n.inputs[0]).shape.length === 2) ? n.inputs[1] : null;
  }
  if (n.type !== 'Add') return null;
  const [a, b] = n.inputs;
  if (isProduct(a) && isVector(b)) return b;
  if (isProduct(b) && isVector(a)) return a;
  return null;
}

export function fuseMatMulEpilogues(ir: IRGraph, backend: Backend): number {
  if (!backend.matmulEpilogue) return 0;
  let fused = 0;
  for (const product of [...ir.nodes]) {
    if (product.type !== 'MatMul' || product.outputs[0].dtype !== 'float32') continue;
    const uses = useCounts(ir);
    const soleReader = (node: IRNode): IRNode | undefined => {
      if ((uses.get(node) as number[])[0] !== 1) return undefined;
      return ir.nodes.find((r) => r.inputs.some((v) => v.node === node && v.index === 0));
    };
    const shape = product.outputs[0].shape;
    const cols = shape[shape.length - 1];
    let last = product;
    let bias: IRValue | null = null;
    const first = soleReader(product);
    if (first) bias = biasOf(first, product, cols);
    if (first && bias && sameShape(first.outputs[0].shape, shape)) last = first;
    else bias = null;
    const after = soleReader(last);
    const relu = after?.type === 'Relu' ? after : undefined;
    if (relu) last = relu;
    if (last === product) continue;
    const attrs: FusedMatMulAttrs = { ...(product.attrs as MatMulAttrs), bias: bias !== null, activation: relu ? 'relu' : 'none' };
    const members = [product, ...(bias ? [first as IRNode] : []), ...(relu ? [relu] : [])];
    const node = newNode(ir, {
      kind: 'op', type: FusedMatMul.type, name: `${last.name}/fused`, def: opDef(FusedMatMul.type), attrs,
      inputs: bias ? [...product.inputs, bias] : [...product.inputs],
      // Every absorbed op's control dependencies still hold for the fused kernel, as in elementwise fusion.
      controls: members.flatMap((m) => m.controls),
      outputs: [{ ...last.outputs[0], shape: [...last.outputs[0].shape] }], origin: last.origin,
      fusedFrom: members.map((n) => n.name),
    });
    ir.nodes.splice(ir.nodes.indexOf(last), 0, node);
    replaceUses(ir, { node: last, index: 0 }, { node, index: 0 });
    fused++;
  }
  return fused;
}
