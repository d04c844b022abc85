/**
 * Fused softmax cross-entropy: one workgroup per row, tree reductions in workgroup memory for the row
 * max and Σ exp(x − max), then one pass that writes backprop = softmax − label and sums the loss
 * −Σ label·(x − max − log Σ) (a third reduction), which stays finite where log(softmax) underflows.
 */
import type { SoftmaxCrossEntropyArgs } from '../../interface';
import type { GpuContext } from '../context';
import type { WebGpuBuffer } from '../buffer';
import { declare, treeReduce } from '../wgsl';
import { rowMaxAndExpSum } from './softmax';

function shader(wg: number): string {
  const bindings = [
    { name: 'x', type: 'f32' }, { name: 'labels', type: 'f32' },
    { name: 'loss', type: 'f32', write: true }, { name: 'backprop', type: 'f32', write: true },
  ] as const;
  return `${declare(bindings)}
${rowMaxAndExpSum(wg)}  let logTotal = log(total);
  workgroupBarrier();
  var l = 0.0;
  for (var c = i32(lid); c < cols; c += ${wg}) {
    let shifted = x[base + c] - rowMax;
    let label = labels[base + c];
    backprop[base + c] = exp(shifted) / total - label;
    l = l - label * (shifted - logTotal);
  }
  sh[lid] = l;
${treeReduce(wg, (a, b) => `${a} + ${b}`)}
  if (lid == 0u) { loss[row] = sh[0]; }
}
`;
}

export function softmaxCrossEntropyKernel(
  ctx: GpuContext, logits: WebGpuBuffer, labels: WebGpuBuffer, loss: WebGpuBuffer, backprop: WebGpuBuffer, args: SoftmaxCrossEntropyArgs,
): void {
  const { rows, cols } = args;
  if (rows === 0) return;
  const pipeline = ctx.pipeline('softmaxCrossEntropy', () => shader(ctx.workgroupSize));
  const method = 'softmaxCrossEntropy';
  ctx.dispatch(pipeline, [logits.gpu(method), labels.gpu(method), loss.gpu(method), backprop.gpu(method)],
    Int32Array.of(rows, cols), ctx.grid(rows, 1));
}
