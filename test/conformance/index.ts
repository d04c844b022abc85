/**
 * The backend conformance suite: every backend, ours or third-party, runs this one suite with its
 * factory. A test file is just
 *
 *   import { runConformance } from '<tinyflow>/test/conformance';
 *   runConformance(myFactory);
 *
 * Every required primitive is checked against the cpu backend (and, for the accumulating and indexing
 * primitives, against naive float64 loops written here) on random shapes; optional fused kernels run
 * where the backend implements them and dtype-specific cases where it declares the dtype — by
 * capability, never by backend name. Whole training runs through tf.Session close the suite.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { BackendFactory } from '../../backends/interface';
import type { FusedKernel, SelectionKernel } from '../../backends/contract';
import { Harness, type ExpectedFailures, type ToleranceTable } from './harness';
import { bufferChecks } from './buffers';
import { elementwiseChecks } from './elementwise';
import { binaryChecks } from './binary';
import { reduceChecks } from './reduce';
import { matmulChecks } from './matmul';
import { stridedCopyChecks } from './strided-copy';
import { softmaxChecks } from './softmax';
import { elementwiseFusedChecks } from './elementwise-fused';
import { matmulEpilogueChecks } from './matmul-epilogue';
import { softmaxCrossEntropyChecks } from './softmax-cross-entropy';
import { trainingChecks } from './training';
import { gatherChecks, segmentSumChecks, selectChecks } from './select-gather';

export type { Tolerance, ToleranceTable, ExpectedFailures } from './harness';

/** float32's unit roundoff: half an ulp of 1. */
const U = 2 ** -24;

/**
 * The tolerances, one row per primitive family: |got − want| <= atol + rtol · scale, where scale is
 * |want|, or Σ|terms| for the accumulating primitives (reduce sum/prod, matmul, accumulate), since
 * cancellation makes |want| meaningless there. Exact rows compare bit for bit (0 = -0, NaN = NaN).
 */
export const DEFAULT_TOLERANCES: ToleranceTable = {
  // fill, cast, stridedCopy, identity/neg/abs/sign/floor/ceil/round/relu/step/logicalNot, max/min,
  // comparisons and logical ops, argReduce, reduce max/min, and every int32 and bool result.
  exact: { rtol: 0, atol: 0 },
  // add, sub, mul, div, square, sqrt, reciprocal, float accumulate: correctly rounded in IEEE float32;
  // 8U (4 ulp) admits GPU division (2.5 ulp in WGSL) and a reciprocal-multiply.
  arithmetic: { rtol: 8 * U, atol: 0 },
  // exp, log, rsqrt, sigmoid, tanh: WGSL allows exp 3 + 2|x| ulp, so relative 1e-5 with atol for values near 0.
  transcendental: { rtol: 1e-5, atol: 1e-6 },
  // pow: exp2(b · log2(a)) on most devices; errors grow with |b log a|.
  pow: { rtol: 2e-5, atol: 1e-6 },
  // reduce sum over up to 6 terms, against Σ|x|: any summation order in float32 stays within n·U.
  reduceSum: { rtol: 16 * U, atol: 0 },
  // reduce prod over up to 6 terms near 1, against Π|x|.
  reduceProd: { rtol: 16 * U, atol: 0 },
  // sums of 1e3 to 1e6 float32 terms, against Σ|x|: sqrt(1e6)·U (≈ 6e-5), the statistical bound of a
  // float32 running sum; pairwise, blocked or double accumulation stays far inside it. Dropped
  // elements are caught exactly by the planted-extremes check instead.
  reduceLarge: { rtol: 1e3 * U, atol: 0 },
  // matmul, against Σ|a·b| per element: 16U, ample for any k up to the models' 784 in float32.
  matmul: { rtol: 16 * U, atol: 0 },
  // softmax and log-softmax: one exp per element plus a row sum; atol covers probabilities near 0.
  softmax: { rtol: 1e-5, atol: 1e-6 },
  // fused elementwise programs, against a propagated error magnitude (oracles.ts elementwiseOracle):
  // each step may differ from its correctly rounded value by what its primitive's row allows, and the
  // magnitude carries earlier steps' errors forward, so the largest per-op row (transcendental) covers it.
  elementwiseFused: { rtol: 2e-5, atol: 1e-6 },
  // a fused program against the same backend's unfused primitives: the same formulas rounded to
  // float32 at the same steps, so exact. A shader compiler that contracts a·b + c across fused
  // instructions into an fma would need an override (llvmpipe does not).
  fusedVsPrimitives: { rtol: 0, atol: 0 },
  // matmul + bias (+ relu), against Σ|a·b| + |bias|: the matmul row's 16U plus one rounding for the add.
  matmulEpilogue: { rtol: 20 * U, atol: 0 },
  // softmax cross-entropy: loss against Σ_c |label|·(|x − max| + log Σ), the terms it sums, and
  // backprop against softmax + |label|; one exp per element and a row sum, as the softmax row.
  crossEntropy: { rtol: 2e-5, atol: 1e-6 },
  // training: the loss at every step, and the final weights, after 5-50 steps of SGD.
  trainingLoss: { rtol: 1e-4, atol: 1e-5 },
  trainingWeights: { rtol: 1e-3, atol: 1e-5 },
};

export interface ConformanceOptions {
  /** The suite's title; default the factory's function name. */
  name?: string;
  /** Overrides of individual rows (a backend that computes in lower precision says so here). */
  tolerances?: Partial<ToleranceTable>;
  /**
   * Checks known to fail, by id, with the reason (a reported bug). They run as `it.fails`, so a fix
   * makes them fail until the entry is removed. Not a filter: every check still runs.
   */
  expectedFailures?: ExpectedFailures;
}

/** One conformance group per optional fused kernel: a new kernel in the interface needs its group here. */
const FUSED_GROUPS: Record<FusedKernel, (h: Harness) => void> = {
  softmax: softmaxChecks,
  softmaxCrossEntropy: softmaxCrossEntropyChecks,
  elementwise: elementwiseFusedChecks,
  matmulEpilogue: matmulEpilogueChecks,
};

/** One conformance group per optional selection primitive (backends/contract.ts SelectionKernel). */
const SELECTION_GROUPS: Record<SelectionKernel, (h: Harness) => void> = {
  select: selectChecks,
  gather: gatherChecks,
  segmentSum: segmentSumChecks,
};

export function runConformance(factory: BackendFactory, options: ConformanceOptions = {}): void {
  const title = options.name ?? (factory.name || 'backend');
  const harness = new Harness(factory, { ...DEFAULT_TOLERANCES, ...options.tolerances }, options.expectedFailures ?? {});
  describe(`backend conformance: ${title}`, () => {
    beforeAll(() => harness.setUp());
    afterAll(() => harness.tearDown());
    bufferChecks(harness);
    elementwiseChecks(harness);
    binaryChecks(harness);
    reduceChecks(harness);
    matmulChecks(harness);
    stridedCopyChecks(harness);
    for (const group of Object.values(FUSED_GROUPS)) group(harness);
    for (const group of Object.values(SELECTION_GROUPS)) group(harness);
    trainingChecks(harness);
    if (Object.keys(options.expectedFailures ?? {}).length > 0) {
      // Checked when it runs: nested describe blocks register their checks after this callback returns.
      it('[expected-failures] names only existing checks', () => {
        expect(harness.unknownExpectedFailures(), 'expectedFailures ids that match no check').toEqual([]);
      });
    }
  });
}
