/**
 * The optional fused elementwise kernel: random SSA programs over random broadcast shapes (in place
 * too), against a float64 oracle that rounds every step to float32 as the unfused primitives would.
 * Programs keep every op inside its domain (log of a positive, division by |b| + 0.5, ...) and apply
 * the discontinuous ops (comparisons, step, floor, ...) to exact inputs only, so a correct kernel
 * differs from the oracle by rounding alone and the tolerance can be tight.
 */
import { describe } from 'vitest';
import fc from 'fast-check';
import { COMPARISON_OPS, type BackendBuffer, type BinaryOp, type ElementwiseArgs, type ElementwiseInstr, type UnaryOp } from '../../backends/interface';
import { stridesOf } from '../../src-core/graph/shape';
import type { Harness, Scope } from './harness';
import { expectClose, expectWithin } from './compare';
import { RUNS, grid, makeRng, numel, seed, uncollapsedStrides } from './data';
import { elementwiseOracle } from './oracles';

const SMOOTH_UNARY: readonly UnaryOp[] = ['identity', 'neg', 'abs', 'square', 'relu', 'sigmoid', 'tanh'];
/** Need a positive operand: fed through a guard |x| + 0.5. */
const GUARDED_UNARY: readonly UnaryOp[] = ['log', 'sqrt', 'rsqrt', 'reciprocal'];
const JUMPY_UNARY: readonly UnaryOp[] = ['sign', 'step', 'floor', 'ceil', 'round', 'logicalNot'];
const SMOOTH_BINARY: readonly BinaryOp[] = ['add', 'sub', 'mul', 'max', 'min'];
const JUMPY_BINARY: readonly BinaryOp[] = [
  'equal', 'notEqual', 'less', 'lessEqual', 'greater', 'greaterEqual', 'logicalAnd', 'logicalOr',
];

/** Builds a program instruction by instruction; registers are instruction indices. */
class ProgramBuilder {
  readonly program: ElementwiseInstr[] = [];
  readonly inputRegs: number[] = [];

  constructor(private readonly rng: () => number, inputs: number) {
    for (let j = 0; j < inputs; j++) this.inputRegs.push(this.push({ kind: 'input', input: j }));
  }

  push(instr: ElementwiseInstr): number {
    this.program.push(instr);
    return this.program.length - 1;
  }

  pick<T>(items: readonly T[]): T {
    return items[Math.floor(this.rng() * items.length)];
  }

  anyReg(): number {
    return Math.floor(this.rng() * this.program.length);
  }

  /** |a| + 0.5: a positive operand for log, sqrt, division, a pow base. */
  guard(a: number): number {
    const half = this.push({ kind: 'const', value: 0.5 });
    return this.push({ kind: 'binary', op: 'add', a: this.push({ kind: 'unary', op: 'abs', a }), b: half });
  }

  step(): void {
    const choice = this.rng();
    if (choice < 0.25) this.push({ kind: 'unary', op: this.pick(SMOOTH_UNARY), a: this.anyReg() });
    else if (choice < 0.35) this.push({ kind: 'unary', op: this.pick(GUARDED_UNARY), a: this.guard(this.anyReg()) });
    else if (choice < 0.4) this.push({ kind: 'unary', op: 'exp', a: this.push({ kind: 'unary', op: 'tanh', a: this.anyReg() }) });
    else if (choice < 0.5) this.push({ kind: 'unary', op: this.pick(JUMPY_UNARY), a: this.pick(this.inputRegs) });
    else if (choice < 0.75) this.push({ kind: 'binary', op: this.pick(SMOOTH_BINARY), a: this.anyReg(), b: this.anyReg() });
    else if (choice < 0.8) this.push({ kind: 'binary', op: 'div', a: this.anyReg(), b: this.guard(this.anyReg()) });
    else if (choice < 0.85) {
      const base = this.guard(this.anyReg());
      this.push({ kind: 'binary', op: 'pow', a: base, b: this.push({ kind: 'unary', op: 'tanh', a: this.anyReg() }) });
    } else if (choice < 0.95) {
      this.push({ kind: 'binary', op: this.pick(JUMPY_BINARY), a: this.pick(this.inputRegs), b: this.pick(this.inputRegs) });
    } else {
      this.push({ kind: 'binary', op: 'mul', a: this.anyReg(), b: this.push({ kind: 'const', value: 4 * this.rng() - 2 }) });
    }
  }
}

/** A canonical text of the program, as the compiler would key it. */
function programKey(program: readonly ElementwiseInstr[]): string {
  return program.map((i) => (i.kind === 'input' ? `i${i.input}` : i.kind === 'const' ? `c${i.value}` :
    i.kind === 'unary' ? `${i.op}(${i.a})` : `${i.op}(${i.a},${i.b})`)).join(';');
}

export function randomProgram(rng: () => number, inputs: number, steps: number): ElementwiseInstr[] {
  const builder = new ProgramBuilder(rng, inputs);
  for (let s = 0; s < steps && builder.program.length < 56; s++) builder.step();
  return builder.program;
}

interface FusedCase {
  readonly shape: number[];
  readonly inputShapes: number[][];
  readonly program: ElementwiseInstr[];
  /** The input whose buffer is also the output, or -1. */
  readonly inPlace: number;
}

function argsOf(c: FusedCase): ElementwiseArgs {
  const shape = c.shape.length === 0 ? [1] : c.shape;
  return {
    shape,
    inputStrides: c.inputShapes.map((inputShape) => (c.shape.length === 0 ? [0] : uncollapsedStrides(inputShape, c.shape))),
    program: c.program,
    key: programKey(c.program),
  };
}

function describeCase(c: FusedCase, args: ElementwiseArgs, s: number): string {
  const inputs = c.inputShapes.map((x) => `[${x}]`).join(' ');
  return `elementwise [${c.shape}] ← ${inputs}${c.inPlace >= 0 ? ` in place of input ${c.inPlace}` : ''}: ${args.key} (seed ${s})`;
}

/** Runs the fused kernel in `sc` (in place where the case says so) and returns its output buffer. */
function runFused(sc: Scope, c: FusedCase, args: ElementwiseArgs, values: readonly Float32Array[]): BackendBuffer {
  const inputs = values.map((v) => sc.upload('float32', v));
  const out = c.inPlace >= 0 ? inputs[c.inPlace] : sc.alloc('float32', numel(args.shape));
  const elementwise = sc.backend.elementwise;
  if (elementwise === undefined) throw new Error(`${sc.backend.name} has no fused elementwise kernel`);
  elementwise.call(sc.backend, inputs, out, args);
  return out;
}

/**
 * The same program as the compiler emits it without the kernel: one primitive per instruction into
 * a contiguous float32 buffer (inputs broadcast by stridedCopy; comparisons and logicalNot write bool,
 * cast back to float32).
 */
function runPrimitives(sc: Scope, args: ElementwiseArgs, values: readonly Float32Array[]): BackendBuffer {
  const { backend } = sc;
  const size = numel(args.shape);
  const contiguous = stridesOf(args.shape);
  const inputs = values.map((v) => sc.upload('float32', v));
  const regs: BackendBuffer[] = [];
  const asFloat = (bool: BackendBuffer): BackendBuffer => {
    const out = sc.alloc('float32', size);
    backend.cast(bool, out);
    return out;
  };
  for (const instr of args.program) {
    if (instr.kind === 'input') {
      const out = sc.alloc('float32', size);
      backend.stridedCopy(inputs[instr.input], out, { shape: args.shape, strides: args.inputStrides[instr.input], offset: 0 });
      regs.push(out);
    } else if (instr.kind === 'const') {
      const out = sc.alloc('float32', size);
      backend.fill(out, instr.value);
      regs.push(out);
    } else if (instr.kind === 'unary') {
      const bool = instr.op === 'logicalNot';
      const out = sc.alloc(bool ? 'bool' : 'float32', size);
      backend.unary(instr.op, regs[instr.a], out);
      regs.push(bool ? asFloat(out) : out);
    } else {
      const bool = COMPARISON_OPS.has(instr.op);
      const out = sc.alloc(bool ? 'bool' : 'float32', size);
      backend.binary(instr.op, regs[instr.a], regs[instr.b], out, { shape: args.shape, aStrides: contiguous, bStrides: contiguous });
      regs.push(bool ? asFloat(out) : out);
    }
  }
  return regs[regs.length - 1];
}

async function checkFused(h: Harness, c: FusedCase, s: number): Promise<void> {
  const rng = makeRng(s);
  const values = c.inputShapes.map((shape) => grid(rng, numel(shape)));
  const args = argsOf(c);
  const got = await h.compute(h.backend, (sc) => runFused(sc, c, args, values));
  const { value, magnitude } = elementwiseOracle(values, args);
  expectClose(got, value, h.tol.elementwiseFused, describeCase(c, args, s), magnitude);
}

async function checkAgainstPrimitives(h: Harness, c: FusedCase, s: number): Promise<void> {
  const rng = makeRng(s);
  const values = c.inputShapes.map((shape) => grid(rng, numel(shape)));
  const args = argsOf(c);
  const got = await h.compute(h.backend, (sc) => runFused(sc, c, args, values));
  const want = await h.compute(h.backend, (sc) => runPrimitives(sc, args, values));
  expectWithin(got, want, h.tol.fusedVsPrimitives, `${describeCase(c, args, s)} vs the primitives on ${h.backend.name}`);
}

/** An output shape and, per input, a broadcast of it (dims squashed to 1, leading dims dropped). */
const fusedCase = fc
  .record({
    shape: fc.array(fc.integer({ min: 1, max: 5 }), { minLength: 0, maxLength: 4 }),
    inputs: fc.array(fc.record({ mask: fc.array(fc.boolean(), { minLength: 4, maxLength: 4 }), drop: fc.integer({ min: 0, max: 4 }) }), { minLength: 1, maxLength: 8 }),
    steps: fc.integer({ min: 1, max: 10 }),
    inPlace: fc.boolean(),
    programSeed: seed,
  })
  .map(({ shape, inputs, steps, inPlace, programSeed }): FusedCase => {
    const inputShapes = inputs.map(({ mask, drop }) => shape.map((d, i) => (mask[i] ? 1 : d)).slice(Math.min(drop, shape.length)));
    // In place needs an input that is read with the output's own contiguous layout: make input 0 one.
    if (inPlace) inputShapes[0] = [...shape];
    return { shape, inputShapes, program: randomProgram(makeRng(programSeed), inputs.length, steps), inPlace: inPlace ? 0 : -1 };
  });

const NO_KERNEL = 'the backend has no fused elementwise kernel; the compiler emits unary/binary primitives';

/** The training chains the kernel exists for, on sizes that span several blocks with ragged tails. */
const LARGE: readonly { label: string; case: FusedCase }[] = [
  {
    label: 'sgd update w - 0.5·g in place',
    case: {
      shape: [100, 784], inputShapes: [[100, 784], [100, 784]], inPlace: 0,
      program: [{ kind: 'input', input: 0 }, { kind: 'const', value: 0.5 }, { kind: 'input', input: 1 },
        { kind: 'binary', op: 'mul', a: 1, b: 2 }, { kind: 'binary', op: 'sub', a: 0, b: 3 }],
    },
  },
  {
    label: 'relu grad dy·step(x)',
    case: {
      shape: [37, 129], inputShapes: [[37, 129], [37, 129]], inPlace: -1,
      program: [{ kind: 'input', input: 0 }, { kind: 'input', input: 1 }, { kind: 'unary', op: 'step', a: 1 },
        { kind: 'binary', op: 'mul', a: 0, b: 2 }],
    },
  },
  {
    label: 'bias row and column broadcast with a transcendental',
    case: {
      shape: [53, 67], inputShapes: [[53, 67], [67], [53, 1]], inPlace: -1,
      program: [{ kind: 'input', input: 0 }, { kind: 'input', input: 1 }, { kind: 'input', input: 2 },
        { kind: 'binary', op: 'add', a: 0, b: 1 }, { kind: 'unary', op: 'sigmoid', a: 3 },
        { kind: 'binary', op: 'mul', a: 4, b: 2 }],
    },
  },
  {
    label: 'eight broadcast inputs, updating the first in place',
    case: {
      shape: [9, 130], inputShapes: [[9, 130], [130], [9, 1], [1], [9, 130], [130], [9, 130], [1, 130]], inPlace: 0,
      program: [
        ...Array.from({ length: 8 }, (_, input): ElementwiseInstr => ({ kind: 'input', input })),
        { kind: 'binary', op: 'add', a: 0, b: 1 }, { kind: 'binary', op: 'mul', a: 8, b: 2 },
        { kind: 'binary', op: 'sub', a: 9, b: 3 }, { kind: 'binary', op: 'max', a: 10, b: 4 },
        { kind: 'unary', op: 'tanh', a: 5 }, { kind: 'binary', op: 'add', a: 11, b: 12 },
        { kind: 'binary', op: 'greater', a: 6, b: 7 }, { kind: 'binary', op: 'mul', a: 13, b: 14 },
      ],
    },
  },
];

/** Every random program is a new shader on a GPU backend (an async one): fewer of them keep its suite fast. */
function runs(h: Harness): number {
  return h.backend.capabilities.sync ? RUNS : Math.ceil(RUNS / 3);
}

export function elementwiseFusedChecks(h: Harness): void {
  describe('elementwise (fused, optional)', () => {
    h.check('elementwise-fused/random', 'random programs over random broadcast shapes, in place too, vs a float64 oracle', async (t) => {
      t.skip(typeof h.backend.elementwise !== 'function', NO_KERNEL);
      await fc.assert(
        fc.asyncProperty(fusedCase, seed, async (c, s) => checkFused(h, c, s)),
        { numRuns: runs(h) },
      );
    });

    h.check('elementwise-fused/primitives', 'random programs give what the unary/binary primitives give on the same backend', async (t) => {
      t.skip(typeof h.backend.elementwise !== 'function', NO_KERNEL);
      t.skip(!h.supports('bool'), 'the unfused comparisons write bool, which the backend does not declare');
      await fc.assert(
        fc.asyncProperty(fusedCase, seed, async (c, s) => checkAgainstPrimitives(h, c, s)),
        { numRuns: runs(h) },
      );
    });

    h.check('elementwise-fused/training-chains', 'the sgd-update and relu-grad chains, broadcasts and eight inputs over thousands of elements', async (t) => {
      t.skip(typeof h.backend.elementwise !== 'function', NO_KERNEL);
      for (const [i, { label, case: c }] of LARGE.entries()) {
        await checkFused(h, c, 100 + i).catch((error: unknown) => {
          throw new Error(`${label}: ${error instanceof Error ? error.message : String(error)}`);
        });
      }
    });
  });
}
