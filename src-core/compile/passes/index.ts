/**
 * The optimisation passes, in the order they run. Each is a small module that rewrites the IR and
 * says what it did; each can be turned off through `tf.Session({optimizations})` to debug a plan or
 * to measure what the pass is worth.
 */
import type { Backend } from '../../../backends/interface';
import { removeDeadNodes, type IRGraph } from '../ir';
import { foldConstants } from './constant-folding';
import { eliminateCommonSubexpressions } from './cse';
import { simplify } from './simplify';
import { fuseSoftmaxCrossEntropy } from './softmax-cross-entropy';
import { fuseMatMulEpilogues } from './matmul-epilogue';
import { fuseElementwise } from './fuse-elementwise';
import { updateVariablesInPlace } from './in-place';

export interface Optimizations {
  /** Evaluate at compile time what depends on no feed, variable or random op. */
  constantFolding: boolean;
  /** Compute identical expressions once. */
  cse: boolean;
  /** Exact algebraic rewrites: x*1, x+0, transpose of transpose, reductions over size-1 axes. */
  simplify: boolean;
  /** Elementwise chains, matmul + bias + relu, softmax cross-entropy forward and backward. */
  fusion: boolean;
  /** `assign(W, W - lr*g)` computed straight into W's buffer. */
  inPlace: boolean;
  /** Buffers reused across values whose lifetimes do not overlap. */
  memoryPlan: boolean;
}

export type OptimizationName = keyof Optimizations;
export const OPTIMIZATION_NAMES: readonly OptimizationName[] = ['constantFolding', 'cse', 'simplify', 'fusion', 'inPlace', 'memoryPlan'];

export const ALL_OPTIMIZATIONS: Optimizations = {
  constantFolding: true, cse: true, simplify: true, fusion: true, inPlace: true, memoryPlan: true,
};
export const NO_OPTIMIZATIONS: Optimizations = {
  constantFolding: false, cse: false, simplify: false, fusion: false, inPlace: false, memoryPlan: false,
};

/** What a pass changed, for `explain`. */
export interface PassReport {
  name: OptimizationName | 'deadCode';
  enabled: boolean;
  /** How many rewrites the pass made. */
  changes: number;
  summary: string;
}

export function runPasses(ir: IRGraph, backend: Backend, opts: Optimizations): PassReport[] {
  const reports: PassReport[] = [];
  const report = (name: PassReport['name'], enabled: boolean, changes: number, what: string) => {
    const existing = reports.find((r) => r.name === name);
    if (existing) {
      existing.changes += changes;
      existing.summary = `${existing.changes} ${what}`;
    } else reports.push({ name, enabled, changes, summary: `${changes} ${what}` });
  };
  // Folding exposes rewrites (x*1 once 1 is a constant) and rewrites expose duplicates: iterate a little.
  for (let round = 0; round < 3; round++) {
    const s = opts.simplify ? simplify(ir) : 0;
    report('simplify', opts.simplify, s, 'rewrites');
    const f = opts.constantFolding ? foldConstants(ir) : 0;
    report('constantFolding', opts.constantFolding, f, 'nodes folded');
    const c = opts.cse ? eliminateCommonSubexpressions(ir) : 0;
    report('cse', opts.cse, c, 'duplicates merged');
    const d = removeDeadNodes(ir);
    report('deadCode', true, d, 'nodes removed');
    if (s + f + c === 0) break;
  }
  if (opts.fusion) {
    const sce = fuseSoftmaxCrossEntropy(ir, backend);
    const mm = fuseMatMulEpilogues(ir, backend);
    const ew = fuseElementwise(ir, backend);
    removeDeadNodes(ir);
    report('fusion', true, sce + mm + ew, `fused groups (${ew} elementwise, ${mm} matmul epilogues, ${sce} softmax cross-entropy)`);
  } else report('fusion', false, 0, 'fused groups');
  const ip = opts.inPlace ? updateVariablesInPlace(ir, backend) : 0;
  removeDeadNodes(ir);
  report('inPlace', opts.inPlace, ip, 'variables updated in place');
  report('memoryPlan', opts.memoryPlan, 0, 'buffers reused by lifetime');
  return reports;
}
