/**
 * Ops only the compiler creates: each stands for a group of graph ops and lowers to one of the
 * backend interface's optional fused kernels. They have shape rules and float64 references like any
 * op (tests check a fused plan against them), but no gradients: they exist after differentiation.
 */
import type { BinaryOp, ElementwiseArgs, ElementwiseInstr, MatMulEpilogue, UnaryOp } from '../../backends/interface';
import { broadcastShapes, formatShape, numElements, type Shape } from '../graph/shape';
import { defineOp, type RefArray } from '../ops/op-def';
import { BINARY_ELEMENTWISE } from '../ops/elementwise-binary';
import { UNARY_ELEMENTWISE } from '../ops/elementwise-unary';
import { matMulArgs, MatMul, type MatMulAttrs } from '../ops/matmul';
import { emitDenseLoss, refLoss } from '../ops/cross-entropy';
import { Softmax } from '../ops/softmax';
import { emitBinary, mergedBroadcastStrides } from '../ops/lowering';
import { broadcastOffset, forEachIndex, opError, refArray, storeAs } from '../ops/support';

// ---- elementwise chains ----

export interface FusedElementwiseAttrs {
  program: ElementwiseInstr[];
  key: string;
}

const UNARY_REF = new Map<UnaryOp, (v: number) => number>([
  ['identity', (v) => v],
  ...[...UNARY_ELEMENTWISE.values()].map((e): [UnaryOp, (v: number) => number] => [e.prim, e.ref]),
]);
const BINARY_REF = new Map<BinaryOp, (a: number, b: number) => number>(
  [...BINARY_ELEMENTWISE.values()].map((e): [BinaryOp, (a: number, b: number) => number] => [e.prim, e.ref]),
);

/** A canonical text of a program, the kernel cache key. */
export function programKey(program: readonly ElementwiseInstr[]): string {
  return program
    .map((i) => {
      switch (i.kind) {
        case 'input': return `i${i.input}`;
        case 'const': return `c${i.value}`;
        case 'unary': return `${i.op}(${i.a})`;
        case 'binary': return `${i.op}(${i.a},${i.b})`;
      }
    })
    .join(';');
}

/** The fused kernel's descriptor: every input broadcast over `outShape`, dims merged as for binary ops. */
export function elementwiseArgs(inputShapes: readonly (readonly number[])[], outShape: readonly number[], program: ElementwiseInstr[], key: string): ElementwiseArgs {
  const { shape, strides } = mergedBroadcastStrides(inputShapes, outShape);
  return { shape, inputStrides: strides, program, key };
}

/** Runs a program on one element's input values in float64, rounding each step to float32. */
export function evaluateProgram(program: readonly ElementwiseInstr[], inputs: readonly number[]): number {
  const regs: number[] = [];
  for (const ins of program) {
    let v: number;
    switch (ins.kind) {
      case 'input': v = inputs[ins.input]; break;
      case 'const': v = ins.value; break;
      case 'unary': v = (UNARY_REF.get(ins.op) as (x: number) => number)(regs[ins.a]); break;
      case 'binary': v = (BINARY_REF.get(ins.op) as (x: number, y: number) => number)(regs[ins.a], regs[ins.b]); break;
    }
    regs.push(Math.fround(v));
  }
  return regs[regs.length - 1];
}

export const FusedElementwise = defineOp<FusedElementwiseAttrs>({
  type: 'FusedElementwise',
  inferOutputs(inputs, _attrs, node) {
    let shape: Shape = [];
    for (const x of inputs) {
      if (x.dtype !== 'float32') throw opError(node, `fused elementwise inputs are float32, got ${x.dtype}`);
      const next = broadcastShapes(shape, x.shape);
      if (next === undefined) throw opError(node, `inputs do not broadcast: ${inputs.map((i) => formatShape(i.shape)).join(' vs ')}`);
      shape = next;
    }
    return [{ dtype: 'float32', shape }];
  },
  lower(ctx, node) {
    const out = node.outputs[0];
    const { backend } = ctx;
    if (!backend.elementwise) throw opError(node, `backend '${backend.name}' has no fused elementwise kernel`);
    if (out.buffer.size === 0) return;
    const args = elementwiseArgs(node.inputs.map((p) => p.shape), out.shape, node.attrs.program, node.attrs.key);
    const buffers = node.inputs.map((p) => p.buffer);
    const kernel = backend.elementwise.bind(backend);
    ctx.emit(() => kernel(buffers, out.buffer, args));
  },
  reference(inputs, attrs, node) {
    const [spec] = FusedElementwise.inferOutputs(inputs.map((x) => ({ dtype: x.dtype, shape: x.shape })), attrs, node);
    const out = refArray(spec.shape as number[], 'float32');
    const values = new Array<number>(inputs.length);
    forEachIndex(spec.shape as number[], (idx, flat) => {
      inputs.forEach((x, j) => (values[j] = x.data[broadcastOffset(idx, x.shape)]));
      out.data[flat] = evaluateProgram(attrs.program, values);
    });
    return [out];
  },
});

// ---- matmul + bias + activation ----

export interface FusedMatMulAttrs extends MatMulAttrs {
  bias: boolean;
  activation: MatMulEpilogue['activation'];
}

export const FusedMatMul = defineOp<FusedMatMulAttrs>({
  type: 'FusedMatMul',
  inferOutputs(inputs, attrs, node) {
    return MatMul.inferOutputs(inputs.slice(0, 2), attrs, node);
  },
  lower(ctx, node) {
    const [a, b, bias] = node.inputs;
    const out = node.outputs[0];
    const { backend } = ctx;
    if (!backend.matmulEpilogue) throw opError(node, `backend '${backend.name}' has no fused matmul epilogue`);
    if (out.buffer.size === 0) return;
    const args = matMulArgs(a.shape, b.shape, node.attrs, node);
    const epilogue: MatMulEpilogue = { bias: node.attrs.bias, activation: node.attrs.activation };
    const kernel = backend.matmulEpilogue.bind(backend);
    const biasBuffer = bias ? bias.buffer : null;
    ctx.emit(() => kernel(a.buffer, b.buffer, biasBuffer, out.buffer, args, epilogue));
  },
  reference(inputs, attrs, node) {
    const [product] = MatMul.reference(inputs.slice(0, 2), attrs, node);
    const n = product.shape[product.shape.length - 1];
    const bias = attrs.bias ? inputs[2] : undefined;
    const data = product.data.map((v, i) => {
      const withBias = bias ? Math.fround(v + bias.data[i % n]) : v;
      return storeAs('float32', attrs.activation === 'relu' ? (withBias > 0 || Number.isNaN(withBias) ? withBias : 0) : withBias);
    });
    return [refArray(product.shape, 'float32', data)];
  },
});

// ---- softmax cross-entropy, forward and backward ----

/**
 * loss = -Σ labels · log softmax(logits) per row, and backprop = softmax(logits) - labels: the forward
 * op and the one its gradient starts from, computed from one softmax.
 */
export const FusedSoftmaxCrossEntropy = defineOp({
  type: 'FusedSoftmaxCrossEntropy',
  inferOutputs(inputs) {
    const [logits] = inputs;
    const shape = logits.shape as number[];
    return [{ dtype: 'float32', shape: shape.slice(0, -1) }, { dtype: 'float32', shape: [...shape] }];
  },
  lower(ctx, node) {
    const [logits, labels] = node.inputs;
    const [loss, backprop] = node.outputs;
    if (backprop.buffer.size === 0) return;
    const cols = logits.shape[logits.shape.length - 1];
    const rows = numElements(logits.shape) / cols;
    const { backend } = ctx;
    if (backend.softmaxCrossEntropy) {
      const kernel = backend.softmaxCrossEntropy.bind(backend);
      ctx.emit(() => kernel(logits.buffer, labels.buffer, loss.buffer, backprop.buffer, { rows, cols }));
      return;
    }
    emitDenseLoss(ctx, node, logits, labels, loss);
    const probs = { ...backprop, buffer: ctx.temp('float32', backprop.buffer.size) };
    Softmax.lower(ctx, { type: Softmax.type, name: node.name, attrs: {}, inputs: [logits], outputs: [probs] });
    emitBinary(ctx, 'sub', probs, labels, backprop);
  },
  reference([logits, labels]) {
    const cols = logits.shape[logits.shape.length - 1];
    const loss = refLoss(logits, (r, c) => labels.data[r * cols + c]);
    const [probs] = Softmax.reference([logits], {}, { type: 'Softmax', name: 'reference' });
    const backprop: RefArray = refArray(logits.shape, 'float32', probs.data.map((p, i) => storeAs('float32', p - labels.data[i])));
    return [loss, backprop];
  },
});
