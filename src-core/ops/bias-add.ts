/**
 * BiasAdd(value, bias, {data_format}): adds a rank-1 bias along the channel axis — the last one for
 * NHWC (any rank >= 2), axis 1 for NCHW. Unlike a plain `add`, the channel axis is explicit, so NCHW
 * needs no reshape of the bias. Its gradient sums dy over every other axis (BiasAddGrad).
 */
import type { DataFormat } from './window';
import { formatShape, type Dim } from '../graph/shape';
import { defineOp, type NodeInfo, type TensorSpec } from './op-def';
import { emitBinary, emitReduce } from './lowering';
import { forEachIndex, opError, refArray, storeAs } from './support';
import * as m from '../api/math-core';

export interface BiasAddAttrs {
  data_format: DataFormat;
}

/** The channel axis of a value of rank `rank`. */
function channelAxis(format: DataFormat, rank: number): number {
  return format === 'NHWC' ? rank - 1 : 1;
}

function checkFormat(node: NodeInfo, attrs: BiasAddAttrs, rank: number | null): void {
  if (attrs.data_format !== 'NHWC' && attrs.data_format !== 'NCHW') {
    throw opError(node, `data_format must be 'NHWC' or 'NCHW', got '${String(attrs.data_format)}'`);
  }
  if (rank !== null && rank < 2) throw opError(node, `value must have rank >= 2, got rank ${rank}`);
  if (rank !== null && attrs.data_format === 'NCHW' && rank < 3) throw opError(node, `NCHW value must have rank >= 3, got rank ${rank}`);
}

/** Channel count of the value (null when unknown). */
function channels(value: TensorSpec, attrs: BiasAddAttrs): Dim {
  return value.shape === null ? null : value.shape[channelAxis(attrs.data_format, value.shape.length)];
}

/** The bias as a port shaped to broadcast against the value: [C] for NHWC, [C, 1, ..., 1] for NCHW. */
function biasShape(format: DataFormat, rank: number, c: number): number[] {
  return format === 'NHWC' ? [c] : [c, ...new Array<number>(rank - 2).fill(1)];
}

export const BiasAdd = defineOp<BiasAddAttrs>({
  type: 'BiasAdd',
  inferOutputs(inputs, attrs, node) {
    const [value, bias] = inputs;
    if (value.dtype !== bias.dtype) throw opError(node, `value is ${value.dtype} but bias is ${bias.dtype}`);
    if (value.dtype === 'bool') throw opError(node, 'expects numeric operands, got bool');
    checkFormat(node, attrs, value.shape === null ? null : value.shape.length);
    if (bias.shape !== null && bias.shape.length !== 1) throw opError(node, `bias must be rank 1, got shape ${formatShape(bias.shape)}`);
    const c = channels(value, attrs);
    const b = bias.shape === null ? null : bias.shape[0];
    if (c !== null && b !== null && c !== b) {
      throw opError(node, `bias has ${b} elements but value ${formatShape(value.shape)} has ${c} channels (${attrs.data_format})`);
    }
    return [{ dtype: value.dtype, shape: value.shape }];
  },
  gradient: (op, [dy]) => [dy, dy && m.biasAddGrad(dy, op.attrs.data_format)],
  lower(ctx, node) {
    const [value, bias] = node.inputs;
    const shape = biasShape(node.attrs.data_format, value.shape.length, bias.shape[0]);
    emitBinary(ctx, 'add', value, { ...bias, shape }, node.outputs[0]);
  },
  reference([value, bias], attrs) {
    const axis = channelAxis(attrs.data_format, value.shape.length);
    const out = refArray(value.shape, value.dtype);
    forEachIndex(value.shape, (idx, flat) => {
      out.data[flat] = storeAs(value.dtype, value.data[flat] + bias.data[idx[axis]]);
    });
    return [out];
  },
});

/** BiasAddGrad(dy): dy summed over every axis but the channel axis. */
export const BiasAddGrad = defineOp<BiasAddAttrs>({
  type: 'BiasAddGrad',
  inferOutputs(inputs, attrs, node) {
    const [dy] = inputs;
    if (dy.dtype === 'bool') throw opError(node, 'expects a numeric gradient, got bool');
    checkFormat(node, attrs, dy.shape === null ? null : dy.shape.length);
    return [{ dtype: dy.dtype, shape: [channels(dy, attrs)] }];
  },
  // Second order: the gradient w.r.t. dy is g broadcast along the channel axis.
  gradient: (op, [g]) => [g && m.biasAdd(m.zerosLike(op.inputs[0]), g, op.attrs.data_format)],
  lower(ctx, node) {
    const [dy] = node.inputs;
    const axis = channelAxis(node.attrs.data_format, dy.shape.length);
    const axes = dy.shape.map((_, i) => i).filter((i) => i !== axis);
    emitReduce(ctx, 'sum', dy, axes, node.outputs[0]);
  },
  reference([dy], attrs) {
    const axis = channelAxis(attrs.data_format, dy.shape.length);
    const out = refArray([dy.shape[axis]], dy.dtype);
    forEachIndex(dy.shape, (idx, flat) => {
      out.data[idx[axis]] += dy.data[flat];
    });
    for (let i = 0; i < out.data.length; i++) out.data[i] = storeAs(dy.dtype, out.data[i]);
    return [out];
  },
});
