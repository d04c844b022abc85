/**
 * Seeded random graphs over the op table: a chain of 2–6 ops where each op takes the previous value
 * and its further operands are earlier values (making a DAG) or fresh graph inputs. The first op is a
 * chosen "focus" op, on an input drawn until the op applies, so a run over many seeds covers every op.
 * A graph is a pure function of (seed, focus): the printed seed replays it.
 */
import { makeRng } from '../conformance/data';
import { OPS, type OpSpec, type Planned } from './op-table';
import { bound, pick, randInt, sizeOf, uniformValues, union, type Rng, type ValueInfo } from './values';

export interface InputNode {
  kind: 'input';
  shape: number[];
  /** float32 values, row-major. */
  values: number[];
}

export interface OpNode {
  kind: 'op';
  op: OpSpec;
  planned: Planned;
  /** Indices into RandomGraph.nodes: x first, then the extra operands. */
  operands: number[];
}

export interface RandomGraph {
  seed: number;
  /** The op the graph starts with; (seed, focus) replays it. */
  focus: string;
  nodes: (InputNode | OpNode)[];
  info: ValueInfo[];
  /** The value the loss Σ y² is taken of: the last node. */
  output: number;
}

const MAX_SIZE = 96;
const MAX_BOUND = 1e4;

const INTERVALS = [{ lo: -2, hi: 2 }, { lo: 0.5, hi: 2 }, { lo: -1, hi: 1 }, { lo: -4, hi: -0.5 }];

function randomShape(rng: Rng): number[] {
  for (;;) {
    const rank = randInt(rng, 0, 4);
    const shape = Array.from({ length: rank }, () => randInt(rng, 1, 4));
    if (sizeOf(shape) <= 48) return shape;
  }
}

class Builder {
  readonly nodes: (InputNode | OpNode)[] = [];
  readonly info: ValueInfo[] = [];

  constructor(private readonly rng: Rng) {}

  input(shape: number[], lo: number, hi: number): number {
    const values = uniformValues(this.rng, sizeOf(shape), lo, hi);
    const index = this.nodes.length;
    this.nodes.push({ kind: 'input', shape, values });
    this.info.push({ shape, lo, hi, generic: true, sources: new Set([index]), leaf: true });
    return index;
  }

  /** Forgets the nodes from `mark` on (fresh inputs of an op that was not added: no input is left unused). */
  rollback(mark: number): void {
    this.nodes.length = mark;
    this.info.length = mark;
  }

  /** Adds `planned` on x when every result is small and bounded; null (nothing added) otherwise. */
  apply(op: OpSpec, planned: Planned, x: number): number | null {
    if (sizeOf(planned.shape) > MAX_SIZE) return null;
    const mark = this.nodes.length;
    const operands = [x];
    for (const want of planned.extra) {
      const same = (v: ValueInfo) => v.shape.length === want.shape.length && v.shape.every((d, i) => d === want.shape[i]);
      const reuse = this.info.map((v, i) => [v, i] as const).filter(([v]) => same(v) && want.accept !== undefined && want.accept(v));
      // Reusing an earlier value half of the time makes the graph a DAG (gradients accumulate).
      operands.push(reuse.length > 0 && this.rng() < 0.5 ? pick(this.rng, reuse)[1] : this.input(want.shape, want.lo, want.hi));
    }
    const infos = operands.map((i) => this.info[i]);
    const out = planned.out(infos);
    if (!(bound(out) <= MAX_BOUND)) {
      this.rollback(mark);
      return null;
    }
    const index = this.nodes.length;
    this.nodes.push({ kind: 'op', op, planned, operands });
    this.info.push({ shape: planned.shape, lo: out.lo, hi: out.hi, generic: out.generic, sources: infos.map((v) => v.sources).reduce(union), leaf: false });
    return index;
  }
}

/** The focus op on a fresh input, drawing inputs until the op applies. */
function startWith(b: Builder, rng: Rng, focus: OpSpec, seed: number): number {
  for (let attempt = 0; attempt < 200; attempt++) {
    const iv = pick(rng, INTERVALS);
    const x = b.input(randomShape(rng), iv.lo, iv.hi);
    const planned = focus.plan(rng, b.info[x]);
    const out = planned ? b.apply(focus, planned, x) : null;
    if (out !== null) return out;
    b.rollback(x);
  }
  throw new Error(`differential: no input found for ${focus.name} (seed ${seed})`);
}

export function generateGraph(seed: number, focus: OpSpec): RandomGraph {
  const rng = makeRng(seed);
  const b = new Builder(rng);
  let current = startWith(b, rng, focus, seed);
  const length = randInt(rng, 2, 6);
  for (let step = 1; step < length; step++) {
    for (let attempt = 0; attempt < 40; attempt++) {
      const op = pick(rng, OPS);
      const planned = op.plan(rng, b.info[current]);
      const next = planned ? b.apply(op, planned, current) : null;
      if (next !== null) {
        current = next;
        break;
      }
    }
  }
  return { seed, focus: focus.name, nodes: b.nodes, info: b.info, output: current };
}

/** The graph as replayable text: inputs with shapes and intervals, then one line per op. */
export function describeGraph(g: RandomGraph): string {
  const lines = g.nodes.map((n, i) => {
    if (n.kind === 'input') return `  v${i} = input [${n.shape}] in [${g.info[i].lo}, ${g.info[i].hi}]`;
    const [x, ...rest] = n.operands;
    const call = n.planned.label.replace(/\bx\b/, `v${x}`).replace(/\by\b/, rest.length > 0 ? `v${rest[0]}` : 'y');
    // Labels name a second operand y; filters, biases and batch-norm parameters are listed here.
    const extra = rest.length > 0 && !/\by\b/.test(n.planned.label) ? ` with ${rest.map((o) => `v${o}`).join(', ')}` : rest.length > 1 ? ` (operands ${n.operands.map((o) => `v${o}`).join(', ')})` : '';
    return `  v${i} = ${call}${extra}  -> [${n.planned.shape}]`;
  });
  return [`seed ${g.seed}, focus ${g.focus} (replay: DIFFERENTIAL_REPLAY=${g.seed}:${g.focus}):`, ...lines, `  loss = reduce_sum(square(v${g.output}))`].join('\n');
}
