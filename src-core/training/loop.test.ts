/**
 * The shared training loop's control flow on a fake target (no session): pause, resume and stop between
 * steps, a restored start step, the evaluation schedule, epoch reports, hooks and failures; and the
 * progress throttle that the app puts between the loop and the UI.
 */
import { describe, expect, it } from 'vitest';
import { NDArray } from '../ndarray';
import { TrainingLoop, type LoopState, type StepReport } from './loop';
import { ProgressThrottle, type ThrottledUpdate } from './throttle';

const batch = (): [NDArray, NDArray] => [new NDArray(new Float32Array(4), [1, 4]), new NDArray(new Float32Array(10), [1, 10])];
const tick = (): Promise<void> => new Promise((r) => setImmediate(r));

function fakeTarget(failAt = -1) {
  let steps = 0;
  let evaluations = 0;
  return {
    get steps() { return steps; },
    get evaluations() { return evaluations; },
    target: {
      trainStep: async () => {
        if (++steps === failAt) throw new Error('kernel exploded');
        return 1 / steps;
      },
      evaluate: async () => (++evaluations, 0.5),
    },
  };
}

describe('TrainingLoop', () => {
  it('runs to the total, evaluating on its step schedule and at each epoch end', async () => {
    const fake = fakeTarget();
    const reports: StepReport[] = [];
    const epochs: number[] = [];
    const loop = new TrainingLoop(
      { target: fake.target, nextBatch: batch, batchSize: 1, totalSteps: 10, stepsPerEpoch: 4, evalEverySteps: 3 },
      { onStep: (r) => reports.push(r), onEpoch: (e) => epochs.push(e.step) },
    );
    const result = await loop.run();
    expect(result).toMatchObject({ state: 'finished', step: 10, stepsRun: 10, loss: 0.1, testAccuracy: 0.5 });
    expect(reports.map((r) => r.step)).toEqual([1, 2, 3, 4, 5, 6, 7, 8, 9, 10]);
    // Steps 3, 6, 9 by schedule; 4, 8 and 10 (the last, partial epoch) for the epoch reports.
    expect(reports.filter((r) => r.testAccuracy !== undefined).map((r) => r.step)).toEqual([3, 4, 6, 8, 9, 10]);
    expect(epochs).toEqual([4, 8, 10]);
  });

  it('pauses and resumes between steps, and a stop ends it without a finish', async () => {
    const fake = fakeTarget();
    const states: LoopState[] = [];
    const loop = new TrainingLoop(
      { target: fake.target, nextBatch: batch, batchSize: 1, totalSteps: 1_000_000, stepsPerEpoch: 100, yieldBetweenSteps: tick },
      { onStateChange: (s) => states.push(s) },
    );
    const done = loop.run();
    while (loop.step < 5) await tick();
    expect(loop.pause()).toBe(true);
    await tick();
    await tick();
    const pausedAt = fake.steps;
    for (let i = 0; i < 10; i++) await tick();
    expect(fake.steps).toBe(pausedAt);
    expect(loop.resume()).toBe(true);
    while (loop.step < pausedAt + 5) await tick();
    expect(loop.stop()).toBe(true);
    expect(loop.stop()).toBe(false);
    const result = await done;
    expect(result.state).toBe('stopped');
    expect(states).toEqual(['paused', 'running', 'stopped']);
  });

  it('continues a restored session from its step, paused when asked, and counts rates from there', async () => {
    const fake = fakeTarget();
    const afterSteps: number[] = [];
    const loop = new TrainingLoop(
      { target: fake.target, nextBatch: batch, batchSize: 50, totalSteps: 25, stepsPerEpoch: 10, startStep: 20, startPaused: true },
      { afterStep: async (s) => void afterSteps.push(s) },
    );
    const done = loop.run();
    await tick();
    expect(loop.state).toBe('paused');
    expect(fake.steps).toBe(0);
    loop.resume();
    const result = await done;
    expect(result).toMatchObject({ state: 'finished', step: 25, stepsRun: 5 });
    expect(afterSteps).toEqual([21, 22, 23, 24, 25]);
  });

  it('mixes in extra batches, serialises session calls, and reports a failing step as failed', async () => {
    const fake = fakeTarget(7);
    const order: string[] = [];
    let failure: unknown = null;
    const loop = new TrainingLoop(
      {
        target: fake.target, nextBatch: batch, batchSize: 1, totalSteps: 100, stepsPerEpoch: 100,
        extraBatch: (step) => (step % 2 === 0 ? batch() : null),
        exclusive: async (fn) => (order.push('lock'), fn()),
      },
      { onStateChange: (s, e) => s === 'failed' && (failure = e) },
    );
    const result = await loop.run();
    expect(result.state).toBe('failed');
    expect((failure as Error).message).toBe('kernel exploded');
    // Steps 0, 2, 4 got an extra batch: 4 counted steps used 7 train calls, the 7th failed.
    expect(result.step).toBe(4);
    expect(order.length).toBe(7);
  });

  it('stops on an abort signal after the current step', async () => {
    const fake = fakeTarget();
    const abort = new AbortController();
    const loop = new TrainingLoop({ target: fake.target, nextBatch: batch, batchSize: 1, totalSteps: 1_000_000, stepsPerEpoch: 10, signal: abort.signal, yieldBetweenSteps: tick });
    const done = loop.run();
    while (loop.step < 3) await tick();
    abort.abort();
    const result = await done;
    expect(result.state).toBe('stopped');
    expect(result.step).toBeLessThan(10);
  });

  it('reports nothing after a stop that arrives during an evaluation', async () => {
    let loop: TrainingLoop | null = null;
    const reports: number[] = [];
    const target = {
      trainStep: async () => 1,
      evaluate: async () => {
        loop?.stop();
        return 0.5;
      },
    };
    loop = new TrainingLoop({ target, nextBatch: batch, batchSize: 1, totalSteps: 100, stepsPerEpoch: 100, evalEverySteps: 5 }, { onStep: (r) => reports.push(r.step) });
    const result = await loop.run();
    expect(result.state).toBe('stopped');
    expect(reports).toEqual([1, 2, 3, 4]);
  });

  it('spends at most about a fifth of the time evaluating when an evaluation outlasts the time schedule', async () => {
    const sleep = (ms: number) => new Promise<void>((r) => setTimeout(r, ms));
    let evalMs = 0;
    let evaluations = 0;
    const target = {
      trainStep: async () => (await sleep(2), 1),
      evaluate: async () => {
        const t0 = performance.now();
        await sleep(20);
        evaluations++;
        evalMs += performance.now() - t0;
        return 0.5;
      },
    };
    const loop = new TrainingLoop({ target, nextBatch: batch, batchSize: 1, totalSteps: 150, stepsPerEpoch: 1000, evalEveryMs: 1 }, {});
    const t0 = performance.now();
    await loop.run();
    const totalMs = performance.now() - t0;
    // Every step would evaluate on a 1 ms schedule (about 90% of the time); the loop waits 4× an
    // evaluation's duration between evaluations instead, whatever the machine's speed.
    expect(evaluations).toBeGreaterThan(0);
    expect(evalMs / totalMs).toBeLessThan(0.3);
  });

});

describe('ProgressThrottle', () => {
  it('averages loss points per flush, keeps every accuracy point, and marks a restart with its history', () => {
    let now = 0;
    const sent: ThrottledUpdate<number>[] = [];
    const throttle = new ProgressThrottle<number>((u) => sent.push(u), 33, () => now);
    throttle.restart({ loss: [[10, 2]], accuracy: [[10, 0.3]] });
    throttle.update(0, true);
    expect(sent[0]).toEqual({ core: 0, lossPoints: [[10, 2]], accuracyPoints: [[10, 0.3]], seriesReset: true });
    throttle.addLoss(11, 1);
    throttle.addLoss(12, 3);
    throttle.addAccuracy(12, 0.4);
    now = 10;
    throttle.update(12);
    expect(sent).toHaveLength(1);
    now = 40;
    throttle.update(12);
    expect(sent[1]).toEqual({ core: 12, lossPoints: [[12, 2]], accuracyPoints: [[12, 0.4]], seriesReset: false });
  });
});
