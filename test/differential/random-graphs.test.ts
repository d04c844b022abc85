/**
 * The differential group (issue 14.4): seeded random graphs over every op of the table, forward and
 * gradients, ours (cpu and wasm Sessions) against TF.js (cpu backend), within float32 tolerances
 * (differential.ts: forward rtol 1e-4 + 1e-5·max, gradients rtol 1e-3 + 1e-4·max, times the graph's op
 * factor). A disagreement goes to the float64 referee; the test fails only where ours is wrong, printing
 * the seed and the graph. Replay one graph: DIFFERENTIAL_REPLAY=<seed>:<op> npx vitest run test/differential.
 */
import * as tfjs from '@tensorflow/tfjs';
import { beforeAll, describe, expect, it } from 'vitest';
import * as tf from '../../src-core/index';
import { createWasmBackend } from '../../backends/wasm';
import type { Backend } from '../../backends/interface';
import { LEFT_OUT, OPS } from './op-table';
import { describeGraph, generateGraph, type RandomGraph } from './graph-gen';
import { buildOurs, judge, runOurs, runTheirs, type Finding } from './differential';

const GRAPHS = 200;
const FIRST_SEED = 14_004;

beforeAll(async () => {
  await tfjs.setBackend('cpu');
});

function plannedGraphs(): RandomGraph[] {
  const replay = process.env.DIFFERENTIAL_REPLAY;
  if (replay !== undefined && replay !== '') {
    const [seed, name] = replay.split(':');
    const op = OPS.find((o) => o.name === name);
    if (!op || !Number.isInteger(Number(seed))) throw new Error(`DIFFERENTIAL_REPLAY must be <seed>:<op name>, got '${replay}'`);
    return [generateGraph(Number(seed), op)];
  }
  return Array.from({ length: GRAPHS }, (_, i) => generateGraph(FIRST_SEED + i, OPS[i % OPS.length]));
}

async function check(g: RandomGraph, wasm: Backend): Promise<Finding[]> {
  const built = buildOurs(g);
  let theirs: ReturnType<typeof runTheirs> | Error;
  try {
    theirs = runTheirs(g);
  } catch (e) {
    theirs = e instanceof Error ? e : new Error(String(e));
  }
  const found: Finding[] = [];
  for (const [name, backend] of [['cpu', 'cpu'], ['wasm', wasm]] as const) {
    found.push(...judge(g, built, await runOurs(g, built, backend), theirs, name));
  }
  return found;
}

describe('differential: random graphs vs TF.js (cpu)', () => {
  it('every public function of tf, tf.nn, tf.losses is in the op table or left out with a reason, never both', () => {
    const names = OPS.map((o) => o.name);
    expect(new Set(names).size).toBe(names.length);
    const functions = (ns: object, prefix: string) => Object.entries(ns).filter(([, v]) => typeof v === 'function').map(([k]) => prefix + k);
    const publicNames = [...functions(tf, ''), ...functions(tf.nn, 'nn.'), ...functions(tf.losses, 'losses.')];
    expect(publicNames.filter((n) => !names.includes(n) && LEFT_OUT[n] === undefined), 'public functions neither covered nor left out').toEqual([]);
    expect(names.filter((n) => LEFT_OUT[n] !== undefined), 'covered and left out').toEqual([]);
    expect(names.filter((n) => !publicNames.includes(n)), 'table names that are not public').toEqual([]);
    expect(typeof tf.layers === 'object' && LEFT_OUT.layers !== undefined).toBe(true);
  });

  it(`${GRAPHS} seeded graphs of 2-6 ops, forward and gradients, on cpu and wasm`, { timeout: 120_000 }, async () => {
    const start = performance.now();
    const wasm = createWasmBackend();
    const graphs = plannedGraphs();
    const used = new Map<string, number>();
    const findings: Finding[] = [];
    let opCount = 0;
    for (const g of graphs) {
      for (const n of g.nodes) {
        if (n.kind !== 'op') continue;
        used.set(n.op.name, (used.get(n.op.name) ?? 0) + 1);
        opCount++;
      }
      findings.push(...(await check(g, wasm)));
    }
    wasm.dispose();
    if (graphs.length === GRAPHS) expect(OPS.filter((o) => !used.has(o.name)).map((o) => o.name)).toEqual([]);
    // cpu and wasm meet the same TF.js result: one line per graph.
    const bySeed = new Map<number, Finding>();
    for (const f of findings) if (!bySeed.has(f.seed) || f.verdict === 'tfjs') bySeed.set(f.seed, f);
    const tfjsWrong = [...bySeed.values()].filter((f) => f.verdict === 'tfjs');
    console.log([
      `differential: ${graphs.length} graphs, ${opCount} op applications of ${used.size}/${OPS.length} ops, cpu and wasm, ${((performance.now() - start) / 1000).toFixed(1)} s`,
      `  graphs where ours and TF.js disagreed beyond float32 tolerance: ${bySeed.size}; TF.js wrong by the float64 referee in ${tfjsWrong.length}, ` +
        `float32 noise in ${bySeed.size - tfjsWrong.length}; ours wrong in none (the test fails otherwise)`,
      ...tfjsWrong.map((f) => `  seed ${f.seed}: ${f.what.split('\n')[0].slice(0, 140)} [ops: ${[...new Set(f.ops)].join(', ')}]`),
    ].join('\n'));
  });

  it('a wrong value or gradient in ours is caught, with the seed and the graph to replay it', async () => {
    const g = generateGraph(FIRST_SEED, OPS.find((o) => o.name === 'multiply') ?? OPS[0]);
    const built = buildOurs(g);
    const ours = await runOurs(g, built, 'cpu');
    const theirs = runTheirs(g);
    expect(judge(g, built, ours, theirs, 'cpu').filter((f) => f.verdict === 'tfjs')).toEqual([]);
    const wrongOutput = { ...ours, output: { ...ours.output, data: ours.output.data.map((v, i) => (i === 0 ? v + 0.5 + Math.abs(v) : v)) } };
    expect(() => judge(g, built, wrongOutput, theirs, 'cpu')).toThrow(new RegExp(`ours vs float64 referee[\\s\\S]*seed ${FIRST_SEED}, focus multiply`));
    ours.grads[0][0] += 0.5 + Math.abs(ours.grads[0][0]);
    expect(() => judge(g, built, ours, theirs, 'cpu')).toThrow(new RegExp(`central differences[\\s\\S]*seed ${FIRST_SEED}, focus multiply`));
    // Where TF.js cannot run the graph, the referee alone still catches ours.
    expect(() => judge(g, built, ours, new Error('TF.js failed'), 'cpu')).toThrow(/central differences .*TF.js threw: TF.js failed/);
    expect(describeGraph(g)).toContain('loss = reduce_sum(square(');
  });
});
