/** Softmax and log-softmax over the last axis, stable (max subtracted), fused where a backend can. */
import type { DType } from '../graph/dtype';
import { defineOp, type LowerContext, type OpDef, type Port } from './op-def';
import { emitBinary, emitReduce, emitUnary } from './lowering';
import { opError, refArray, storeAs } from './support';
import * as m from '../api/math-core';

function rowsCols(shape: readonly number[]): [number, number] {
  const cols = shape[shape.length - 1];
  return [cols === 0 ? 0 : shape.reduce((p, d) => p * d, 1) / cols, cols];
}

/** The unfused lowering: max, subtract, exp, sum, then divide (or subtract the log of the sum). */
function lowerWithPrimitives(ctx: LowerContext, x: Port, out: Port, log: boolean): void {
  const [rows, cols] = rowsCols(x.shape);
  const f32: DType = 'float32';
  const col = (buffer: Port['buffer']): Port => ({ buffer, shape: [rows, 1], dtype: f32 });
  const full = (buffer: Port['buffer']): Port => ({ buffer, shape: [rows, cols], dtype: f32 });
  const xm = full(x.buffer);
  const rowMax = col(ctx.temp(f32, rows));
  emitReduce(ctx, 'max', xm, [1], rowMax);
  const shifted = full(ctx.temp(f32, rows * cols));
  emitBinary(ctx, 'sub', xm, rowMax, shifted);
  const exps = full(ctx.temp(f32, rows * cols));
  emitUnary(ctx, 'exp', shifted, exps);
  const sums = col(ctx.temp(f32, rows));
  emitReduce(ctx, 'sum', exps, [1], sums);
  if (log) {
    const logSums = col(ctx.temp(f32, rows));
    emitUnary(ctx, 'log', sums, logSums);
    emitBinary(ctx, 'sub', shifted, logSums, full(out.buffer));
  } else {
    emitBinary(ctx, 'div', exps, sums, full(out.buffer));
  }
}

function defineSoftmax(type: string, log: boolean): OpDef {
  return defineOp({
    type,
    inferOutputs(inputs, _attrs, node) {
      const [x] = inputs;
      if (x.dtype !== 'float32') throw opError(node, `expects float32 logits, got ${x.dtype}`);
      if (x.shape !== null && x.shape.length < 1) throw opError(node, 'logits must have rank >= 1, got a scalar');
      return [{ dtype: 'float32', shape: x.shape }];
    },
    gradient(op, [dy]) {
      if (dy === null) return [null];
      const y = op.outputs[0];
      const last = -1;
      if (log) return [m.sub(dy, m.mul(m.exp(y), m.reduceSum(dy, [last], true)))];
      return [m.mul(m.sub(dy, m.reduceSum(m.mul(dy, y), [last], true)), y)];
    },
    lower(ctx, node) {
      const [x] = node.inputs;
      const out = node.outputs[0];
      if (out.buffer.size === 0) return;
      const { backend } = ctx;
      if (backend.softmax) {
        const [rows, cols] = rowsCols(x.shape);
        const fused = backend.softmax.bind(backend);
        ctx.emit(() => fused(x.buffer, out.buffer, { rows, cols, log }));
      } else {
        lowerWithPrimitives(ctx, x, out, log);
      }
    },
    reference([x]) {
      const [rows, cols] = rowsCols(x.shape);
      const out = refArray(x.shape, 'float32');
      for (let r = 0; r < rows; r++) {
        let max = -Infinity;
        for (let c = 0; c < cols; c++) max = Math.max(max, x.data[r * cols + c]);
        let sum = 0;
        for (let c = 0; c < cols; c++) sum += Math.exp(x.data[r * cols + c] - max);
        for (let c = 0; c < cols; c++) {
          const v = x.data[r * cols + c] - max;
          out.data[r * cols + c] = storeAs('float32', log ? v - Math.log(sum) : Math.exp(v) / sum);
        }
      }
      return [out];
    },
  });
}

export const Softmax = defineSoftmax('Softmax', false);
export const LogSoftmax = defineSoftmax('LogSoftmax', true);
