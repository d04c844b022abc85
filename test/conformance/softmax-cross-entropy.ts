/**
 * The optional fused softmax cross-entropy: loss per row and its gradient, against a float64 oracle,
 * for random logits with one-hot, soft and unnormalised labels, and for extreme logits (±1e4, spreads
 * of 6e4, ties, one column) where an unshifted exp would overflow.
 */
import { describe } from 'vitest';
import fc from 'fast-check';
import type { Harness } from './harness';
import { expectClose } from './compare';
import { RUNS, dim, floats, makeRng, seed } from './data';
import { softmaxCrossEntropyOracle } from './oracles';

const NO_KERNEL = 'the backend has no fused softmax cross-entropy; the compiler lowers it to primitives';

type LabelKind = 'one-hot' | 'soft' | 'unnormalised';

function makeLabels(rng: () => number, rows: number, cols: number, kind: LabelKind): Float32Array {
  const labels = new Float32Array(rows * cols);
  for (let r = 0; r < rows; r++) {
    const row = labels.subarray(r * cols, (r + 1) * cols);
    if (kind === 'one-hot') {
      row[Math.floor(rng() * cols)] = 1;
      continue;
    }
    for (let c = 0; c < cols; c++) row[c] = rng() * 2;
    if (kind === 'soft') {
      const total = row.reduce((sum, v) => sum + v, 0);
      for (let c = 0; c < cols; c++) row[c] /= total;
    }
  }
  return labels;
}

async function checkCrossEntropy(
  h: Harness, logits: Float32Array, labels: Float32Array, rows: number, cols: number, label: string,
): Promise<void> {
  const [loss, backprop] = await h.computeAll(h.backend, (sc) => {
    const fused = sc.backend.softmaxCrossEntropy;
    if (fused === undefined) throw new Error(`${sc.backend.name} has no softmaxCrossEntropy`);
    const lossOut = sc.alloc('float32', rows);
    const backpropOut = sc.alloc('float32', rows * cols);
    fused.call(sc.backend, sc.upload('float32', logits), sc.upload('float32', labels), lossOut, backpropOut, { rows, cols });
    return [lossOut, backpropOut];
  });
  const want = softmaxCrossEntropyOracle(logits, labels, rows, cols);
  const where = `softmaxCrossEntropy [${rows}, ${cols}] ${label}`;
  expectClose(loss, want.loss.value, h.tol.crossEntropy, `${where}: loss`, want.loss.magnitude);
  expectClose(backprop, want.backprop.value, h.tol.crossEntropy, `${where}: backprop`, want.backprop.magnitude);
}

export function softmaxCrossEntropyChecks(h: Harness): void {
  describe('softmaxCrossEntropy (fused, optional)', () => {
    h.check('softmax-cross-entropy/random', 'random logits with one-hot, soft and unnormalised labels', async (t) => {
      t.skip(typeof h.backend.softmaxCrossEntropy !== 'function', NO_KERNEL);
      const kind = fc.constantFrom<LabelKind>('one-hot', 'soft', 'unnormalised');
      await fc.assert(
        fc.asyncProperty(dim(8), dim(300), kind, seed, async (rows, cols, k, s) => {
          const rng = makeRng(s);
          const logits = floats(rng, rows * cols, -8, 8);
          await checkCrossEntropy(h, logits, makeLabels(rng, rows, cols, k), rows, cols, `${k} (seed ${s})`);
        }),
        { numRuns: RUNS },
      );
    });

    h.check('softmax-cross-entropy/extreme-logits', 'huge, widely spread, tied and single-column logits stay finite', async (t) => {
      t.skip(typeof h.backend.softmaxCrossEntropy !== 'function', NO_KERNEL);
      const rng = makeRng(11);
      const cases: [string, Float32Array, number, number][] = [
        ['around +1e4', floats(rng, 40, 1e4 - 5, 1e4 + 5), 4, 10],
        ['around -1e4', floats(rng, 40, -1e4 - 5, -1e4 + 5), 4, 10],
        ['spread ±3e4', Float32Array.from([1000, -1000, 0, 999, -3e4, 3e4, 88, 89]), 2, 4],
        ['tied', new Float32Array(12).fill(3.5), 3, 4],
        ['one column', floats(rng, 5, -1e4, 1e4), 5, 1],
        ['mnist batch', floats(rng, 1000, -30, 30), 100, 10],
      ];
      for (const [label, logits, rows, cols] of cases) {
        for (const kind of ['one-hot', 'soft'] as const) {
          await checkCrossEntropy(h, logits, makeLabels(rng, rows, cols, kind), rows, cols, `${label}, ${kind}`);
        }
      }
    });
  });
}
