/**
 * Argument checks for the fused kernels (elementwise, matmulEpilogue, softmaxCrossEntropy), shared by
 * the built-in backends so every one rejects the same descriptors with the same words. Like
 * argument-checks.ts they run before a kernel touches memory; program checks are O(program length).
 */
import type { ArgumentChecks } from './argument-checks';
import type { BackendBuffer, ElementwiseArgs, MatMulArgs, SoftmaxCrossEntropyArgs } from './interface';
import { BINARY_OPS, UNARY_OPS } from './interface';

/** The limits ElementwiseArgs documents; backends size their scratch by them. */
export const MAX_FUSED_INSTRUCTIONS = 64;
export const MAX_FUSED_INPUTS = 8;

type Fail = (method: string, message: string) => never;

const UNARY = new Set<string>(UNARY_OPS);
const BINARY = new Set<string>(BINARY_OPS);

/** Every operand names an earlier register, every op exists, every input index is in range. */
export function checkProgram(fail: Fail, args: ElementwiseArgs, inputs: number): void {
  const method = 'elementwise';
  const { program } = args;
  if (program.length === 0 || program.length > MAX_FUSED_INSTRUCTIONS) {
    fail(method, `a program has 1 to ${MAX_FUSED_INSTRUCTIONS} instructions, got ${program.length}`);
  }
  const earlier = (r: number, at: number) => Number.isInteger(r) && r >= 0 && r < at;
  program.forEach((instr, at) => {
    const bad = (why: string): never => fail(method, `instruction ${at} (${instr.kind}): ${why}`);
    if (instr.kind === 'input') {
      if (!earlier(instr.input, inputs)) bad(`input ${instr.input} of ${inputs}`);
    } else if (instr.kind === 'const') {
      if (typeof instr.value !== 'number') bad('value is not a number');
    } else if (instr.kind === 'unary') {
      if (!UNARY.has(instr.op)) bad(`unknown op '${instr.op}'`);
      if (!earlier(instr.a, at)) bad(`operand ${instr.a} is not an earlier register`);
    } else if (instr.kind === 'binary') {
      if (!BINARY.has(instr.op)) bad(`unknown op '${instr.op}'`);
      if (!earlier(instr.a, at) || !earlier(instr.b, at)) bad(`operands ${instr.a}, ${instr.b} are not earlier registers`);
    } else {
      bad('unknown instruction kind');
    }
  });
}

/** Buffers, shapes and strides of an elementwise call (the program itself: checkProgram). */
export function checkElementwiseCall(
  checks: ArgumentChecks, fail: Fail, inputs: readonly BackendBuffer[], out: BackendBuffer, args: ElementwiseArgs,
): void {
  const method = 'elementwise';
  if (inputs.length > MAX_FUSED_INPUTS) fail(method, `at most ${MAX_FUSED_INPUTS} inputs, got ${inputs.length}`);
  if (args.inputStrides.length !== inputs.length) fail(method, `${args.inputStrides.length} stride lists for ${inputs.length} inputs`);
  if (args.shape.length === 0) fail(method, 'shape must have rank >= 1');
  checks.checkDtype(method, 'out', out, 'float32');
  checks.checkSize(method, 'out', out, checks.shapeSize(method, args.shape));
  inputs.forEach((input, j) => {
    checks.checkDtype(method, `input ${j}`, input, 'float32');
    if (out.size > 0) checks.checkStridedView(method, `input ${j}`, input, args.shape, args.inputStrides[j], 0);
  });
}

/** Sizes of matmulEpilogue's operands; the bias is a float32 vector of n. */
export function checkMatmulEpilogueCall(
  checks: ArgumentChecks, fail: Fail, a: BackendBuffer, b: BackendBuffer, bias: BackendBuffer | null, out: BackendBuffer,
  args: MatMulArgs, wantsBias: boolean,
): void {
  const method = 'matmulEpilogue';
  const { batch, m, n, k, aBatchStride, bBatchStride } = args;
  for (const [name, value] of Object.entries({ batch, m, n, k, aBatchStride, bBatchStride })) checks.checkCount(method, name, value);
  for (const [role, buffer] of [['a', a], ['b', b], ['out', out]] as const) checks.checkDtype(method, role, buffer, 'float32');
  checks.checkSize(method, 'out', out, batch * m * n);
  if (batch > 0) {
    checks.checkAtLeast(method, 'a', a, (batch - 1) * aBatchStride + m * k);
    checks.checkAtLeast(method, 'b', b, (batch - 1) * bBatchStride + k * n);
  }
  if (wantsBias !== (bias !== null)) fail(method, wantsBias ? 'the epilogue adds a bias but none was given' : 'a bias was given to an epilogue without one');
  if (bias !== null) {
    checks.checkDtype(method, 'bias', bias, 'float32');
    checks.checkSize(method, 'bias', bias, n);
  }
}

export function checkCrossEntropyCall(
  checks: ArgumentChecks, logits: BackendBuffer, labels: BackendBuffer, loss: BackendBuffer, backprop: BackendBuffer,
  args: SoftmaxCrossEntropyArgs,
): void {
  const method = 'softmaxCrossEntropy';
  checks.checkCount(method, 'rows', args.rows);
  checks.checkCount(method, 'cols', args.cols);
  for (const [role, buffer, size] of [
    ['logits', logits, args.rows * args.cols], ['labels', labels, args.rows * args.cols],
    ['loss', loss, args.rows], ['backprop', backprop, args.rows * args.cols],
  ] as const) {
    checks.checkDtype(method, role, buffer, 'float32');
    checks.checkSize(method, role, buffer, size);
  }
}
