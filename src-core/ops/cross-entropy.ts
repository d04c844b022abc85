/**
 * Softmax cross-entropy losses, one value per row (every axis but the last, the classes):
 *   loss = -Σ_c labels_c · log_softmax(logits)_c
 * computed the stable way (log-sum-exp with the row max subtracted, through LogSoftmax's own lowering,
 * so a backend's fused softmax kernel is used when it has one).
 *
 * The gradient is fused, as in TF: d logits = (softmax(logits) - labels) · dy, built directly as graph
 * ops rather than by differentiating through log and softmax — fewer ops, and exact where softmax
 * saturates (logits of ±1e4 give a finite gradient, not 0·∞).
 */
import type { DType } from '../graph/dtype';
import { formatShape, shapesCompatible, type Shape } from '../graph/shape';
import type { Tensor } from '../graph/tensor';
import { defineOp, type LowerContext, type NodeInfo, type Port, type RefArray } from './op-def';
import { emitBinary, emitConstant, emitIota, emitReduce } from './lowering';
import { opError, refArray, storeAs } from './support';
import { LogSoftmax } from './softmax';
import * as m from '../api/math-core';

const f32: DType = 'float32';

function rowsCols(shape: readonly number[]): [number, number] {
  return [shape.slice(0, -1).reduce((p, d) => p * d, 1), shape[shape.length - 1]];
}

/** loss[r] = -Σ_c labels[r, c] · log_softmax(logits)[r, c], with labels already dense float32. */
export function emitDenseLoss(ctx: LowerContext, node: NodeInfo, logits: Port, labels: Port, out: Port): void {
  if (out.buffer.size === 0) return;
  const [rows, cols] = rowsCols(logits.shape);
  const full = (buffer: Port['buffer']): Port => ({ buffer, shape: [rows, cols], dtype: f32 });
  const logProbs = full(ctx.temp(f32, rows * cols));
  LogSoftmax.lower(ctx, { type: LogSoftmax.type, name: node.name, attrs: {}, inputs: [full(logits.buffer)], outputs: [logProbs] });
  const terms = full(ctx.temp(f32, rows * cols));
  emitBinary(ctx, 'mul', full(labels.buffer), logProbs, terms);
  const sums = { buffer: ctx.temp(f32, rows), shape: out.shape, dtype: f32 };
  emitReduce(ctx, 'sum', terms, [1], sums);
  // 0 - Σ rather than -Σ: a perfectly predicted row gives +0, not -0.
  emitBinary(ctx, 'sub', emitConstant(ctx, f32, [], [0]), sums, out);
}

/** Reference: the loss of each row, in float64, from a per-row target distribution. */
export function refLoss(logits: RefArray, target: (row: number, col: number) => number): RefArray {
  const [rows, cols] = rowsCols(logits.shape);
  const out = refArray(logits.shape.slice(0, -1), 'float32');
  for (let r = 0; r < rows; r++) {
    let max = -Infinity;
    for (let c = 0; c < cols; c++) max = Math.max(max, logits.data[r * cols + c]);
    let sum = 0;
    for (let c = 0; c < cols; c++) sum += Math.exp(logits.data[r * cols + c] - max);
    const lse = Math.log(sum);
    let loss = 0;
    for (let c = 0; c < cols; c++) {
      const t = target(r, c);
      if (t !== 0) loss += t * (lse - (logits.data[r * cols + c] - max));
    }
    out.data[r] = storeAs('float32', loss);
  }
  return out;
}

function checkLogits(node: NodeInfo, logits: { dtype: DType; shape: Shape }): void {
  if (logits.dtype !== 'float32') throw opError(node, `expects float32 logits, got ${logits.dtype}`);
  if (logits.shape !== null && logits.shape.length < 1) throw opError(node, 'logits must have rank >= 1 (classes last), got a scalar');
}

/** dy [...] as [..., 1], to scale each row of a [..., classes] gradient. */
const perRow = (dy: Tensor): Tensor => m.expandDims(dy, -1);

export const SoftmaxCrossEntropyWithLogits = defineOp({
  type: 'SoftmaxCrossEntropyWithLogits',
  inferOutputs(inputs, _attrs, node) {
    const [logits, labels] = inputs;
    checkLogits(node, logits);
    if (labels.dtype !== 'float32') throw opError(node, `expects float32 labels, got ${labels.dtype}`);
    if (!shapesCompatible(logits.shape, labels.shape)) {
      throw opError(node, `logits and labels must have the same shape, got ${formatShape(logits.shape)} vs ${formatShape(labels.shape)}`);
    }
    const shape = logits.shape ?? labels.shape;
    return [{ dtype: 'float32', shape: shape === null ? null : shape.slice(0, -1) }];
  },
  gradient(op, [dy]) {
    if (dy === null) return [null, null];
    const [logits, labels] = op.inputs;
    return [m.mul(m.sub(m.softmax(logits), labels), perRow(dy)), m.mul(m.neg(perRow(dy)), m.logSoftmax(logits))];
  },
  lower(ctx, node) {
    const [logits, labels] = node.inputs;
    emitDenseLoss(ctx, node, logits, labels, node.outputs[0]);
  },
  reference([logits, labels]) {
    const cols = logits.shape[logits.shape.length - 1];
    return [refLoss(logits, (r, c) => labels.data[r * cols + c])];
  },
});

/**
 * Labels are class indices (int32, or float32 holding whole numbers, as tinyflow's datasets give).
 * The one-hot rows come from comparing each label with a compile-time iota [0, classes). A label
 * outside [0, classes) matches no class: its row's loss is 0 (TF raises an error on CPU instead, which
 * would need the labels read back to the host).
 */
export const SparseSoftmaxCrossEntropyWithLogits = defineOp({
  type: 'SparseSoftmaxCrossEntropyWithLogits',
  inferOutputs(inputs, _attrs, node) {
    const [logits, labels] = inputs;
    checkLogits(node, logits);
    if (labels.dtype !== 'int32' && labels.dtype !== 'float32') throw opError(node, `expects int32 or float32 labels, got ${labels.dtype}`);
    const rowShape = logits.shape === null ? null : logits.shape.slice(0, -1);
    if (!shapesCompatible(rowShape, labels.shape)) {
      throw opError(node, `labels must have the logits' shape without the class axis: logits ${formatShape(logits.shape)} vs labels ${formatShape(labels.shape)}`);
    }
    return [{ dtype: 'float32', shape: rowShape ?? labels.shape }];
  },
  gradient(op, [dy]) {
    if (dy === null) return [null, null];
    const [logits, labels] = op.inputs;
    const classes = logits.shape === null ? null : logits.shape[logits.shape.length - 1];
    if (classes === null) throw opError(op, `the gradient needs a known number of classes, logits are ${formatShape(logits.shape)}`);
    const oneHot = m.oneHot(labels, classes, { on_value: 1, off_value: 0, axis: -1, dtype: 'float32' });
    return [m.mul(m.sub(m.softmax(logits), oneHot), perRow(dy)), null];
  },
  lower(ctx, node) {
    const [logits, labels] = node.inputs;
    const out = node.outputs[0];
    if (out.buffer.size === 0) return;
    const [rows, cols] = rowsCols(logits.shape);
    const hits = { buffer: ctx.temp('bool', rows * cols), shape: [rows, cols], dtype: 'bool' as const };
    emitBinary(ctx, 'equal', { ...labels, shape: [rows, 1] }, emitIota(ctx, labels.dtype, [cols]), hits);
    const dense = { buffer: ctx.temp(f32, rows * cols), shape: [rows, cols], dtype: f32 };
    const { backend } = ctx;
    ctx.emit(() => backend.cast(hits.buffer, dense.buffer));
    emitDenseLoss(ctx, node, logits, dense, out);
  },
  reference([logits, labels]) {
    return [refLoss(logits, (r, c) => (labels.data[r] === c ? 1 : 0))];
  },
});
