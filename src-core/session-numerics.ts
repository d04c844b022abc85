/**
 * `sess.findNonFinite(...)`: runs a plan node by node and looks at every output as it is made, to name
 * the first node (in execution order) whose output holds NaN or ±Infinity, with what its inputs held.
 * The plan is compiled with every pass off, so each graph op is its own node (nothing fused away) and
 * no buffer is reused: an input read after its node ran still holds the value the node saw.
 */
import type { Backend, BackendBuffer, TypedArray } from '../backends/interface';
import type { Plan } from './compile/plan';
import { formatShape } from './graph/shape';

/** An input of the first non-finite node, and what it held. */
export interface NonFiniteInput {
  /** The producing node (a fed placeholder, a variable or an op), and which of its outputs. */
  name: string;
  op: string;
  shape: number[];
  /** "has NaN", "has 0s", "has values up to 3.1e+38", …; null when nothing about it stands out. */
  note: string | null;
}

export interface NonFiniteValue {
  node: string;
  op: string;
  /** Which output held the value, and its shape. */
  output: number;
  shape: number[];
  nan: number;
  infinity: number;
  inputs: NonFiniteInput[];
  /** "the first non-finite value came from Log 'Log_3' [100,10] (10 ±Infinity): input Softmax 'Softmax' has 0s" */
  message: string;
}

/** Ops that make a non-finite value from a zero input (log 0, x / 0, 0^-1). */
const ZERO_SENSITIVE = new Set(['Log', 'Div', 'RealDiv', 'Reciprocal', 'Rsqrt', 'Pow', 'Inv', 'FloorDiv', 'Xlogy']);
/** Ops that make NaN from a negative input. */
const NEGATIVE_SENSITIVE = new Set(['Log', 'Sqrt', 'Rsqrt', 'Pow']);
/** Beyond this an input is worth naming: one more multiply or exp can overflow float32. */
const LARGE = 1e18;

interface Counts {
  nan: number;
  infinity: number;
  zeros: number;
  negatives: number;
  maxAbs: number;
}

function count(data: TypedArray): Counts {
  const c: Counts = { nan: 0, infinity: 0, zeros: 0, negatives: 0, maxAbs: 0 };
  for (let i = 0; i < data.length; i++) {
    const x = Number(data[i]);
    if (Number.isNaN(x)) c.nan++;
    else if (!Number.isFinite(x)) c.infinity++;
    else {
      if (x === 0) c.zeros++;
      else if (x < 0) c.negatives++;
      const a = Math.abs(x);
      if (a > c.maxAbs) c.maxAbs = a;
    }
  }
  return c;
}

function isFloat(data: TypedArray): boolean {
  return data instanceof Float32Array || data instanceof Float64Array;
}

/** What stands out about an input of `op`, the node that made the first non-finite value. */
function noteFor(c: Counts, op: string): string | null {
  if (c.nan > 0 && c.infinity > 0) return 'has NaN and Infinity';
  if (c.nan > 0) return 'has NaN';
  if (c.infinity > 0) return 'has Infinity';
  const notes: string[] = [];
  if (c.zeros > 0 && ZERO_SENSITIVE.has(op)) notes.push('has 0s');
  if (c.negatives > 0 && NEGATIVE_SENSITIVE.has(op)) notes.push('has negative values');
  if (c.maxAbs > LARGE) notes.push(`has values up to ${c.maxAbs.toExponential(1)}`);
  return notes.length > 0 ? notes.join(' and ') : null;
}

function describeFound(found: Omit<NonFiniteValue, 'message'>): string {
  const what = [found.nan > 0 ? `${found.nan} NaN` : '', found.infinity > 0 ? `${found.infinity} ±Infinity` : ''].filter(Boolean).join(', ');
  const head = `the first non-finite value came from ${found.op} '${found.node}' ${formatShape(found.shape)} (${what})`;
  const noted = found.inputs.filter((i) => i.note !== null).map((i) => `input ${i.op} '${i.name}' ${i.note}`);
  return noted.length > 0 ? `${head}: ${noted.join(', ')}` : `${head}; its inputs were finite and unremarkable`;
}

/**
 * Runs `plan`'s steps node by node on `backend`, checking each node's float outputs right after it ran.
 * Every step runs either way, so the session ends in the same state as after a plain run.
 */
export async function runCheckingEachNode(backend: Backend, plan: Plan): Promise<NonFiniteValue | null> {
  const read = (buffer: BackendBuffer): Promise<TypedArray> | TypedArray => (backend.readSync ? backend.readSync(buffer) : backend.read(buffer));
  const nodes = plan.explanation.nodes;
  let found: NonFiniteValue | null = null;
  let next = 0;
  for (let i = 0; i < nodes.length; i++) {
    for (let k = 0; k < nodes[i].kernels; k++) plan.steps[next++]();
    if (found !== null) continue;
    const ports = plan.nodePorts[i];
    for (let o = 0; o < ports.outputs.length && found === null; o++) {
      const data = await read(ports.outputs[o].buffer);
      if (!isFloat(data)) continue;
      const c = count(data);
      if (c.nan + c.infinity === 0) continue;
      const outputBuffers = new Set(ports.outputs.map((p) => p.buffer));
      const inputs: NonFiniteInput[] = [];
      for (const input of ports.inputs) {
        const name = input.index === 0 ? input.producer : `${input.producer}:${input.index}`;
        // Written in place by this very node (an assign's variable): its old value is gone.
        const values = outputBuffers.has(input.port.buffer) ? null : await read(input.port.buffer);
        const note = values !== null && isFloat(values) ? noteFor(count(values), nodes[i].type) : null;
        inputs.push({ name, op: input.op, shape: [...input.port.shape], note });
      }
      const partial = { node: nodes[i].name, op: nodes[i].type, output: o, shape: [...ports.outputs[o].shape], nan: c.nan, infinity: c.infinity, inputs };
      found = { ...partial, message: describeFound(partial) };
    }
  }
  return found;
}
