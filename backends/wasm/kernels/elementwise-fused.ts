import type { ElementwiseArgs, ElementwiseInstr } from '../../interface';
import { collapseDims } from '../../collapse-dims';
import { MAX_FUSED_INPUTS, MAX_FUSED_INSTRUCTIONS } from '../../fused-checks';
import { fail } from '../checks';
import type { WasmBuffer } from '../wasm-buffer';
import { BINARY_CODE, UNARY_CODE } from './codes';
import { checkProgramStatus } from './status';
import { MAX_RANK, memoize, type KernelContext } from './context';

/*
 * The layout of csrc/fused.c's fused_args, in int32 words: the program (4 words per instruction) and
 * its length, then rank, shape and per-input strides, then the input pointers.
 */
const PROGRAM_WORDS = MAX_FUSED_INSTRUCTIONS * 4 + 1;
const LAYOUT_AT = PROGRAM_WORDS;
const LAYOUT_WORDS = 1 + MAX_RANK + MAX_FUSED_INPUTS * MAX_RANK;
const INPUTS_AT = LAYOUT_AT + LAYOUT_WORDS;
const INPUT = 0, CONST = 1, UNARY = 2, BINARY = 3;

const bits = new Float32Array(1);
const bitsAsInt = new Int32Array(bits.buffer);

function float32Bits(value: number): number {
  bits[0] = value;
  return bitsAsInt[0];
}

/** The bytecode fused.c interprets: [kind, code, a, b] per instruction, then the count. */
function encode(program: readonly ElementwiseInstr[]): Int32Array {
  const words = new Int32Array(PROGRAM_WORDS);
  program.forEach((instr, r) => {
    const w = r * 4;
    if (instr.kind === 'input') words.set([INPUT, instr.input], w);
    else if (instr.kind === 'const') words.set([CONST, float32Bits(instr.value)], w);
    else if (instr.kind === 'unary') words.set([UNARY, UNARY_CODE[instr.op], instr.a], w);
    else words.set([BINARY, BINARY_CODE[instr.op], instr.a, instr.b], w);
  });
  words[PROGRAM_WORDS - 1] = program.length;
  return words;
}

interface Layout {
  readonly words: Int32Array;
  /** Every input contiguous or a scalar over a rank-1 shape: the kernel reads inputs in place. */
  readonly flat: boolean;
}

function describeLayout(args: ElementwiseArgs): Layout {
  const { shape, strides } = collapseDims(args.shape, args.inputStrides);
  if (shape.length > MAX_RANK) fail('elementwise', `rank ${shape.length} after merging dims exceeds the kernels' limit of ${MAX_RANK}`);
  // Everything of size 1 merges away: one element is a rank-1 shape read at stride 0.
  const dims = shape.length === 0 ? [1] : shape;
  const words = new Int32Array(LAYOUT_WORDS);
  words[0] = dims.length;
  words.set(dims, 1);
  strides.forEach((s, j) => words.set(shape.length === 0 ? [0] : s, 1 + MAX_RANK + j * MAX_RANK));
  const flat = dims.length === 1 && strides.every((s) => shape.length === 0 || s[0] === 0 || s[0] === 1);
  return { words, flat };
}

/**
 * Per backend: the encoded programs by key and layouts by args identity, so a steady step only copies
 * a few hundred prepared words into the module's static argument block and makes one call.
 */
export class FusedElementwiseKernel {
  private readonly programs = new Map<string, Int32Array>();
  private readonly layouts = new WeakMap<ElementwiseArgs, Layout>();
  private argsWord = -1;

  run(ctx: KernelContext, inputs: readonly WasmBuffer[], out: WasmBuffer, args: ElementwiseArgs): void {
    if (out.size === 0) return;
    let program = this.programs.get(args.key);
    if (program === undefined) {
      program = encode(args.program);
      this.programs.set(args.key, program);
    }
    const layout = memoize(this.layouts, args, describeLayout);
    if (this.argsWord < 0) this.argsWord = Number(ctx.kernels.fused_args_block()) >> 2;
    const i32 = ctx.heap.i32;
    i32.set(program, this.argsWord);
    i32.set(layout.words, this.argsWord + LAYOUT_AT);
    for (let j = 0; j < inputs.length; j++) i32[this.argsWord + INPUTS_AT + j] = inputs[j].offset;
    const status = ctx.kernels.elementwise_f32(out.offset, out.size, +layout.flat);
    checkProgramStatus(status, (at) => {
      const instr = args.program[at];
      return instr === undefined || !('op' in instr) ? String(instr?.kind) : `${instr.kind} '${instr.op}'`;
    });
  }
}
