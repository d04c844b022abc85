/**
 * Softmax cross-entropy, forward and backward as one kernel. The loss op's gradient starts with
 * softmax(logits) - labels (for sparse labels, their one-hot rows); when the plan computes both the loss
 * and that difference from the same logits and labels, one fused node gives both from one softmax.
 */
import type { Backend } from '../../../backends/interface';
import { FusedSoftmaxCrossEntropy } from '../fused-ops';
import { newNode, opDef, replaceUses, sortTopologically, sameShape, specOf, type IRGraph, type IRNode, type IRValue } from '../ir';

const same = (a: IRValue, b: IRValue) => a.node === b.node && a.index === b.index;

/** The dense labels the loss node compares against, as the gradient's Sub sees them. */
function labelsMatch(loss: IRNode, gradientLabels: IRValue): boolean {
  if (loss.type === 'SoftmaxCrossEntropyWithLogits') return same(loss.inputs[1], gradientLabels);
  // Sparse labels: the gradient one-hot encodes the same label tensor into float32 rows.
  const oneHot = gradientLabels.node;
  return oneHot.type === 'OneHot' && same(oneHot.inputs[0], loss.inputs[1]) && specOf(gradientLabels).dtype === 'float32';
}

export function fuseSoftmaxCrossEntropy(ir: IRGraph, _backend: Backend): number {
  let fused = 0;
  for (const loss of [...ir.nodes]) {
    if (loss.type !== 'SoftmaxCrossEntropyWithLogits' && loss.type !== 'SparseSoftmaxCrossEntropyWithLogits') continue;
    const logits = loss.inputs[0];
    if (specOf(logits).shape.length !== 2) continue;
    const diff = ir.nodes.find((n) => {
      if (n.type !== 'Sub' || n.inputs[0].node.type !== 'Softmax') return false;
      const probs = n.inputs[0].node;
      return same(probs.inputs[0], logits) && labelsMatch(loss, n.inputs[1]) && sameShape(specOf(n.inputs[1]).shape, specOf(logits).shape);
    });
    if (!diff) continue;
    const labels = diff.inputs[1];
    const node = newNode(ir, {
      kind: 'op', type: FusedSoftmaxCrossEntropy.type, name: `${loss.name}/fused`, def: opDef(FusedSoftmaxCrossEntropy.type), attrs: {},
      inputs: [logits, labels], controls: [...loss.controls, ...diff.inputs[0].node.controls, ...diff.controls], origin: loss.origin,
      outputs: [{ ...loss.outputs[0] }, { ...diff.outputs[0] }], fusedFrom: [loss.name, diff.inputs[0].node.name, diff.name],
    });
    // Where the loss was; the sort below moves the labels' one-hot up if the gradient made it later.
    ir.nodes.splice(ir.nodes.indexOf(loss), 0, node);
    replaceUses(ir, { node: loss, index: 0 }, { node, index: 0 });
    replaceUses(ir, { node: diff, index: 0 }, { node, index: 1 });
    fused++;
  }
  if (fused > 0) sortTopologically(ir);
  return fused;
}
