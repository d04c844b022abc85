/**
 * The fused elementwise kernel, interpreted without codegen (the renderer's CSP forbids eval): the
 * output is walked in blocks of BLOCK elements and each instruction runs as one tight loop over the
 * block, so the per-instruction dispatch is paid once per BLOCK elements. The loops are the `unary`
 * and `binary` primitives' own (unaryRange, binaryRow), and registers are float32 like their output
 * buffers, so a fused chain gives bit for bit what the unfused primitives give.
 *
 * Fast path: when every input is contiguous or a scalar after merging dims, instructions read inputs
 * and constants straight from their arrays (stride 1 or 0, no copy). Otherwise inputs are gathered
 * into registers block by block. Either way the last instruction stores straight into `out`: by then
 * the block's inputs have all been read, which is what makes an in-place update safe.
 */
import type { ElementwiseArgs, ElementwiseInstr, TypedArray, UnaryOp } from '../../interface';
import { collapseDims } from '../../collapse-dims';
import { MAX_FUSED_INSTRUCTIONS } from '../../fused-checks';
import { binaryCode, binaryRow } from './binary-loops';
import { unaryRange } from './unary';

/**
 * Long enough to amortise the per-instruction switch, short enough that live registers stay in L2.
 * 512 to 2048 measured the same on the 100x784 training chains: these JS loops are compute-bound, so
 * fusing saves dispatches and scratch buffers here rather than memory bandwidth.
 */
const BLOCK = 1024;
const MAX_RANK = 32;

const INPUT = 0, CONST = 1, UNARY = 2, BINARY = 3;

/** A program decoded once per key: flat arrays the block loop indexes without allocating. */
interface Plan {
  readonly length: number;
  readonly kind: Int32Array;
  /** Input index for INPUT; the binary code for BINARY. */
  readonly code: Int32Array;
  readonly unaryOp: UnaryOp[];
  readonly a: Int32Array;
  readonly b: Int32Array;
  /** Constants rounded to float32, at their register's index (read with stride 0). */
  readonly consts: Float32Array;
}

/** An args object's merged layout, cached by identity as the compiler builds args once per plan. */
interface Layout {
  readonly shape: number[];
  readonly strides: number[][];
  /** Every input is contiguous (stride 1) or a scalar (stride 0) over the merged rank-1 shape. */
  readonly flat: boolean;
  /** For `flat`: per input, 1 or 0. */
  readonly step: Int32Array;
}

function decode(program: readonly ElementwiseInstr[]): Plan {
  const length = program.length;
  const plan: Plan = {
    length,
    kind: new Int32Array(length), code: new Int32Array(length), unaryOp: new Array<UnaryOp>(length).fill('identity'),
    a: new Int32Array(length), b: new Int32Array(length), consts: new Float32Array(length),
  };
  program.forEach((instr, r) => {
    if (instr.kind === 'input') {
      plan.kind[r] = INPUT;
      plan.code[r] = instr.input;
    } else if (instr.kind === 'const') {
      plan.kind[r] = CONST;
      plan.consts[r] = instr.value;
    } else if (instr.kind === 'unary') {
      plan.kind[r] = UNARY;
      plan.unaryOp[r] = instr.op;
      plan.a[r] = instr.a;
    } else {
      plan.kind[r] = BINARY;
      plan.code[r] = binaryCode(instr.op, false);
      plan.a[r] = instr.a;
      plan.b[r] = instr.b;
    }
  });
  return plan;
}

function describeLayout(args: ElementwiseArgs): Layout {
  const { shape, strides } = collapseDims(args.shape, args.inputStrides);
  const rank = shape.length;
  if (rank > MAX_RANK) throw new Error(`cpu elementwise: rank ${rank} after merging dims exceeds ${MAX_RANK}`);
  const step = new Int32Array(strides.length);
  let flat = rank <= 1;
  strides.forEach((s, j) => {
    const stride = rank === 0 ? 0 : s[0];
    step[j] = stride;
    flat &&= stride === 0 || stride === 1;
  });
  return { shape: rank === 0 ? [1] : shape, strides: rank === 0 ? strides.map(() => [0]) : strides, flat, step };
}

/** Per-backend scratch: registers and plans are allocated once, so a steady training step allocates nothing. */
export class FusedElementwise {
  private readonly registers = new Float32Array(MAX_FUSED_INSTRUCTIONS * BLOCK);
  private readonly plans = new Map<string, Plan>();
  private readonly layouts = new WeakMap<ElementwiseArgs, Layout>();
  private readonly index = new Int32Array(MAX_RANK);

  run(inputs: readonly TypedArray[], out: TypedArray, args: ElementwiseArgs): void {
    const total = out.length;
    if (total === 0) return;
    const plan = this.plan(args);
    const layout = this.layout(args);
    for (let start = 0; start < total; start += BLOCK) {
      const n = Math.min(BLOCK, total - start);
      this.block(plan, layout, inputs, out, start, n);
    }
  }

  private plan(args: ElementwiseArgs): Plan {
    let plan = this.plans.get(args.key);
    if (plan === undefined) {
      plan = decode(args.program);
      this.plans.set(args.key, plan);
    }
    return plan;
  }

  private layout(args: ElementwiseArgs): Layout {
    let layout = this.layouts.get(args);
    if (layout === undefined) {
      layout = describeLayout(args);
      this.layouts.set(args, layout);
    }
    return layout;
  }

  /** Runs every instruction over elements [start, start + n) of the output; the last one stores to `out`. */
  private block(plan: Plan, layout: Layout, inputs: readonly TypedArray[], out: TypedArray, start: number, n: number): void {
    const regs = this.registers;
    const last = plan.length - 1;
    for (let r = 0; r <= last; r++) {
      const kind = plan.kind[r];
      const target = r === last ? out : regs;
      const at = r === last ? start : r * BLOCK;
      if (kind === INPUT) {
        if (!layout.flat) this.load(layout, inputs, plan.code[r], r, start, n);
        if (r === last) this.copy(plan, layout, inputs, r, start, out, n);
      } else if (kind === CONST) {
        if (r === last) this.copy(plan, layout, inputs, r, start, out, n);
      } else if (kind === UNARY) {
        const a = plan.a[r];
        const src = this.source(plan, layout, inputs, a);
        const from = this.offset(plan, layout, a, start);
        if (this.step(plan, layout, a) === 1) {
          unaryRange(plan.unaryOp[r], src, from, target, at, n, 'float32');
        } else {
          // A scalar operand: one value, computed once and spread over the block.
          unaryRange(plan.unaryOp[r], src, from, regs, r * BLOCK, 1, 'float32');
          target.fill(regs[r * BLOCK], at, at + n);
        }
      } else {
        const a = plan.a[r];
        const b = plan.b[r];
        binaryRow(plan.code[r],
          this.source(plan, layout, inputs, a), this.offset(plan, layout, a, start), this.step(plan, layout, a),
          this.source(plan, layout, inputs, b), this.offset(plan, layout, b, start), this.step(plan, layout, b), target, at, n);
      }
    }
  }

  /** A program whose result is an input or a constant: the block is a copy. */
  private copy(plan: Plan, layout: Layout, inputs: readonly TypedArray[], r: number, start: number, out: TypedArray, n: number): void {
    const src = this.source(plan, layout, inputs, r);
    const from = this.offset(plan, layout, r, start);
    if (this.step(plan, layout, r) === 0) out.fill(src[from], start, start + n);
    else for (let i = 0; i < n; i++) out[start + i] = src[from + i];
  }

  // Where a register's block lives: flat inputs and constants are read in place (stride 1 or 0),
  // gathered inputs and results from their registers.
  private source(plan: Plan, layout: Layout, inputs: readonly TypedArray[], r: number): TypedArray {
    const kind = plan.kind[r];
    if (kind === INPUT && layout.flat) return inputs[plan.code[r]];
    return kind === CONST ? plan.consts : this.registers;
  }

  private offset(plan: Plan, layout: Layout, r: number, start: number): number {
    const kind = plan.kind[r];
    if (kind === INPUT && layout.flat) return layout.step[plan.code[r]] === 0 ? 0 : start;
    return kind === CONST ? r : r * BLOCK;
  }

  private step(plan: Plan, layout: Layout, r: number): number {
    const kind = plan.kind[r];
    if (kind === INPUT && layout.flat) return layout.step[plan.code[r]];
    return kind === CONST ? 0 : 1;
  }

  /** Gathers input j's elements for output [start, start + n) into register r with an odometer. */
  private load(layout: Layout, inputs: readonly TypedArray[], j: number, r: number, start: number, n: number): void {
    const src = inputs[j];
    const regs = this.registers;
    const base = r * BLOCK;
    if (layout.flat) {
      const step = layout.step[j];
      if (step === 0) regs.fill(src[0], base, base + n);
      else for (let i = 0; i < n; i++) regs[base + i] = src[start + i];
      return;
    }
    const { shape } = layout;
    const strides = layout.strides[j];
    const index = this.index;
    const rank = shape.length;
    let offset = 0;
    for (let d = rank - 1, rest = start; d >= 0; d--) {
      index[d] = rest % shape[d];
      offset += index[d] * strides[d];
      rest = Math.floor(rest / shape[d]);
    }
    const inner = shape[rank - 1];
    const innerStride = strides[rank - 1];
    for (let i = 0; i < n;) {
      // Run along the innermost dim, then carry into the outer ones.
      const run = Math.min(inner - index[rank - 1], n - i);
      for (let e = 0; e < run; e++, offset += innerStride) regs[base + i + e] = src[offset];
      i += run;
      index[rank - 1] += run;
      for (let d = rank - 1; d > 0 && index[d] === shape[d]; d--) {
        offset += strides[d - 1] - strides[d] * shape[d];
        index[d] = 0;
        index[d - 1]++;
      }
    }
  }
}

