import { beforeEach, describe, expect, it } from 'vitest';
import { createPinia, setActivePinia } from 'pinia';
import { get_mnist } from '../../src-core/datasets';
import { inProcessClient } from '../../src-main/worker/in-process-client';
import { setApiClient } from '../api';
import { useAppStore } from './app';
import { captionText, rowsToCsv, useCompareStore } from './compare';
import { useDrawStore } from './draw';
import { NODE_BINS, useInspectStore } from './inspect';
import { useTrainingStore } from './training';

const until = async (cond: () => boolean, ms = 20_000) => {
  const t0 = Date.now();
  while (!cond() && Date.now() - t0 < ms) await new Promise((r) => setTimeout(r, 20));
  expect(cond()).toBe(true);
};

describe('renderer stores over the real engine (in-process transport)', () => {
  beforeEach(() => {
    setActivePinia(createPinia());
    setApiClient(inProcessClient());
  });

  it('app + training: info, start, live series, pause/resume, backend move, finish', async () => {
    const app = useAppStore();
    const training = useTrainingStore();
    const info = await app.load();
    expect(info.models.map((m) => m.name)).toContain('softmax');
    expect(info.backends).toContain('cpu');
    training.initialize(info);
    Object.assign(training.config, { epochs: 1, steps: 600 });
    await training.start();
    await until(() => training.loss.length > 1);
    await training.pause();
    await until(() => training.progress?.state === 'paused');
    const step = training.progress!.step;
    await training.setBackend(info.backends[info.backends.length - 1]);
    expect(training.error).toBeNull();
    await training.resume();
    await until(() => training.progress?.state === 'finished');
    expect(training.progress!.step).toBeGreaterThan(step);
    expect(training.accuracy.at(-1)![1]).toBeGreaterThan(0.8);
    // Throttled: far fewer messages than steps.
    expect(training.messages).toBeLessThan(600);
  });

  it('draw: predicts a real digit, with saliency, and grows the user set', async () => {
    const training = useTrainingStore();
    training.initialize(await useAppStore().load());
    Object.assign(training.config, { steps: 300 });
    await training.start();
    await until(() => training.progress?.state === 'finished');
    const mnist = get_mnist({ flatten: true, onehot: false });
    const draw = useDrawStore();
    await draw.predict((mnist.test.images.data as Float32Array).slice(0, 784));
    const probabilities = draw.prediction!.probabilities!;
    const p = draw.prediction!;
    expect(probabilities.indexOf(Math.max(...probabilities))).toBe(mnist.test.labels.data[0]);
    expect(p.saliency).toHaveLength(784);
    await draw.addToUserSet(7);
    expect(draw.userSetSize).toBe(1);
  });

  it('inspect and compare: snapshot, comparison rows, coverage and CSV', async () => {
    const inspect = useInspectStore();
    await inspect.refresh();
    expect(inspect.snapshot?.templates).toHaveLength(7840);
    expect(inspect.snapshot?.graph.nodes.some((n) => n.gradient)).toBe(true);

    // A node's values on the current batch: the logits are [batch, 10], summarised and binned.
    const nodes = inspect.snapshot!.graph.nodes;
    const matmul = nodes.find((n) => n.op === 'MatMul' && !n.gradient)!;
    await inspect.select(matmul.id);
    expect(inspect.nodeError).toBeNull();
    expect(inspect.node).toMatchObject({ node: matmul.id, op: 'MatMul', unavailable: null });
    // The forward matmul is a kernel of its own in the training plan: timed once a step has run.
    const { timeMs, timeNote } = inspect.node!;
    if (timeMs === null) expect(timeNote).toMatch(/no training step has run/);
    else expect(timeNote).toMatch(/mean of \d+ training steps \(kernel time\)/);
    expect(inspect.node!.shape![1]).toBe(10);
    const values = inspect.node!.values!;
    expect(values.histogram.counts).toHaveLength(NODE_BINS);
    expect(values.histogram.counts.reduce((a, b) => a + b, 0)).toBe(values.count);
    expect(values.count).toBe(inspect.node!.shape!.reduce((a, b) => a * b, 1));
    expect(values.min).toBeLessThanOrEqual(values.mean);
    // Looking at an op that writes the variables is refused, and leaves the weights as they were.
    const before = await inspect.select(nodes.find((n) => n.op === 'VariableV2')!.id).then(() => inspect.node!.values);
    const writer = nodes.find((n) => n.op === 'Assign') ?? nodes.find((n) => n.op === 'NoOp')!;
    await inspect.select(writer.id);
    expect(inspect.node?.values).toBeNull();
    expect(inspect.node?.unavailable).toMatch(/change the variables|no output/);
    await inspect.select(nodes.find((n) => n.op === 'VariableV2')!.id);
    expect(inspect.node!.values).toEqual(before);
    await inspect.select('no/such/node');
    expect(inspect.nodeError).toContain("no node 'no/such/node'");
    const compare = useCompareStore();
    Object.assign(compare.request, { steps: 20 });
    await compare.run();
    expect(compare.rows[0]).toMatchObject({ backend: 'cpu', lossMaxDiff: 0, weightMaxDiff: 0 });
    // The caption the view shows comes with the rows: what ran, and that nothing shared the cores.
    expect(compare.caption).toMatchObject({ model: 'softmax', steps: 20, sharedWithTraining: false, cancelled: false });
    expect(captionText(compare.caption!)).toMatch(/^softmax, 20 steps of batch 100 on each backend \(at most [\d.]+ s each\)$/);
    await compare.loadCoverage();
    const cpuColumn = compare.coverage?.backends.indexOf('cpu') ?? -1;
    expect(cpuColumn).toBeGreaterThanOrEqual(0);
    expect(compare.coverage?.rows.find((r) => r.primitive === 'matmul')?.support[cpuColumn]).toBe('native');
    expect(rowsToCsv(compare.rows).split('\n')[0]).toContain('stepsPerSecond');
  });
});
