/**
 * The stores keep the screen truthful (issue 12): a bad field or a refused Start changes nothing but the
 * field's message, an empty canvas is neither classified nor added, the confirm dialog answers every
 * question, and the compare caption and rows say what ran. Over the real engine (in-process transport).
 */
import { beforeEach, describe, expect, it } from 'vitest';
import { createPinia, setActivePinia } from 'pinia';
import { get_mnist } from '../../src-core/datasets';
import { inProcessClient } from '../../src-main/worker/in-process-client';
import { NOTHING_DRAWN } from '../../src-app-api/drawings';
import type { ApiClient } from '../../src-app-api/client';
import type { CompareRow } from '../../src-app-api/schemas';
import { setApiClient } from '../api';
import { useAppStore } from './app';
import { captionText, rowNote, useCompareStore, validateCompare } from './compare';
import { useConfirmStore } from './confirm';
import { useDrawStore } from './draw';
import { useTrainingStore } from './training';

const until = async (cond: () => boolean, ms = 20_000) => {
  const t0 = Date.now();
  while (!cond() && Date.now() - t0 < ms) await new Promise((r) => setTimeout(r, 20));
  expect(cond()).toBe(true);
};

/** The real engine, counting the requests each channel got, so a test can say "nothing was sent". */
function countingClient(): ApiClient & { sent: Map<string, number> } {
  const inner = inProcessClient();
  const sent = new Map<string, number>();
  return {
    transport: inner.transport,
    sent,
    call(channel, payload) {
      sent.set(channel, (sent.get(channel) ?? 0) + 1);
      return inner.call(channel, payload);
    },
    on: (channel, listener) => inner.on(channel, listener),
  };
}

const LR = 'Learning rate must be between 0.00001 and 100';
let client: ReturnType<typeof countingClient>;

describe('renderer stores tell the truth', () => {
  beforeEach(() => {
    setActivePinia(createPinia());
    client = countingClient();
    setApiClient(client);
  });

  it('the form starts on the fastest available backend the host names', async () => {
    const app = useAppStore();
    const training = useTrainingStore();
    const info = await app.load();
    training.initialize(info);
    expect(info.backends).toContain(info.defaultBackend);
    expect(training.config.backend).toBe(info.defaultBackend);
    // Before the host answered there was no backend to start on: Start is refused on the field, nothing sent.
    setActivePinia(createPinia());
    const early = useTrainingStore();
    expect(await early.start()).toBe(false);
    expect(early.fieldErrors).toEqual({ backend: 'Choose a backend' });
    expect(client.sent.get('train:start')).toBeUndefined();
    expect(info.unavailableBackends.every((u) => !info.backends.includes(u.backend) && u.reason.length > 0)).toBe(true);

    // A page that finds a session loaded shows that session's backend, not the default.
    setActivePinia(createPinia());
    const session = { ...training.config, backend: 'cpu', learningRate: 0.25 };
    const reloaded = useTrainingStore();
    reloaded.initialize({ ...info, defaultBackend: 'wasm', progress: { ...info.progress, state: 'paused', config: session, model: session.model, backend: 'cpu', seriesReset: true } });
    expect(reloaded.config).toMatchObject({ backend: 'cpu', learningRate: 0.25 });
    expect(reloaded.active).toBe(true);
  });

  it('a bad field sends nothing and changes nothing but its message; a refused start keeps the session and its charts', async () => {
    const training = useTrainingStore();
    training.initialize(await useAppStore().load());
    Object.assign(training.config, { steps: 40 });
    expect(await training.start()).toBe(true);
    await until(() => training.progress?.state === 'finished');
    const loss = training.loss;
    const version = training.version;
    expect(loss.length).toBeGreaterThan(0);

    training.config.learningRate = NaN; // what the field holds for "", "abc"
    training.config.batchSize = 2.5;
    expect(await training.start()).toBe(false);
    expect(training.fieldErrors).toEqual({ learningRate: LR, batchSize: 'Batch size must be a whole number between 1 and 10000' });
    expect(client.sent.get('train:start')).toBe(1);
    expect(training.error).toBeNull();
    expect(training.progress?.state).toBe('finished');
    expect(training.loss).toBe(loss);
    expect(training.version).toBe(version);

    // Fixing the field takes its message away as the user edits (checkField runs on change).
    training.config.learningRate = 0.5;
    training.checkField('learningRate');
    expect(training.fieldErrors.learningRate).toBeUndefined();
    training.config.batchSize = 100;
    training.checkField('batchSize');
    expect(training.fieldErrors).toEqual({});

    // The host refuses (an unknown model): the error shows, the loaded session and the charts stay.
    training.config.model = 'no-such-model';
    expect(await training.start()).toBe(false);
    expect(training.error).toMatch(/no-such-model/);
    expect(training.progress?.state).toBe('finished');
    expect(training.loss).toBe(loss);

    // A field only the host checks (the folder's length) lands on that field, not under the buttons.
    training.config.model = 'softmax';
    training.config.dataDir = '/x'.repeat(2100);
    expect(await training.start()).toBe(false);
    expect(training.fieldErrors.dataDir).toBe('Data folder must be 1 to 4096 characters');
    expect(training.error).toBeNull();
    expect(training.loss).toBe(loss);
    // A folder that is not there: the host's words, naming it, sit on the folder field.
    training.config.dataDir = '/no/such/tinyflow-folder';
    expect(await training.start()).toBe(false);
    expect(training.fieldErrors.dataDir).toContain('/no/such/tinyflow-folder');
    expect(training.error).toBeNull();
    expect(training.progress?.state).toBe('finished');
    expect(training.loss).toBe(loss);
  });

  it('divergence: the store shows "diverged" with the message, stays usable, and resumes with a new rate', async () => {
    const training = useTrainingStore();
    training.initialize(await useAppStore().load());
    Object.assign(training.config, { model: 'softmax', learningRate: 50, batchSize: 1, epochs: 1, steps: null });
    expect(await training.start()).toBe(true);
    await until(() => training.progress?.state === 'diverged', 30_000);
    expect(training.active).toBe(true);
    const d = training.progress!.divergence!;
    expect(d.message).toMatch(/^training diverged at step \d+ \(loss (NaN|-?Infinity)\); weights kept from step \d+; try a learning rate below /);
    // No chart point is NaN, so nothing on the charts breaks.
    expect(training.loss.every(([, v]) => Number.isFinite(v))).toBe(true);
    await training.diagnose();
    expect(training.error).toBeNull();
    expect(training.diagnosis?.message).toMatch(/non-finite/);
    expect(await training.resume(0.05)).toBe(true);
    await until(() => training.progress?.state !== 'diverged');
    expect(training.progress?.config?.learningRate).toBe(0.05);
    expect(await training.stop()).toBe(true);
    await until(() => training.progress?.state === 'stopped');
  });

  it('draw: an empty canvas is not classified or added, a late answer for a cleared drawing is dropped, drawings list and delete', async () => {
    const draw = useDrawStore();
    const mnist = get_mnist({ flatten: true, onehot: false });
    const digit = (mnist.test.images.data as Float32Array).slice(0, 784);

    await draw.predict(new Float32Array(784));
    expect(draw.prediction).toBeNull();
    expect(draw.empty).toBe(true);
    expect(client.sent.get('predict')).toBeUndefined();
    expect(await draw.addToUserSet(3)).toBe(false);
    expect(draw.error).toBe(NOTHING_DRAWN);
    expect(client.sent.get('userset:add')).toBeUndefined();

    // Cleared while the answer was on its way: the empty pad must not show the old digit's prediction.
    const pending = draw.predict(digit);
    draw.clear();
    await pending;
    expect(draw.prediction).toBeNull();

    await draw.predict(digit);
    expect(draw.prediction?.probabilities).toHaveLength(10);
    expect(await draw.addToUserSet(7)).toBe(true);
    expect(draw.userSetSize).toBe(1);
    expect(draw.drawings.map((d) => d.label)).toEqual([7]);
    await draw.deleteDrawing(draw.drawings[0].id);
    expect(draw.userSetSize).toBe(0);
    expect(draw.drawings).toEqual([]);
  });

  it('compare: bad fields are named and nothing runs', async () => {
    const compare = useCompareStore();
    Object.assign(compare.request, { steps: 0, batchSize: 2.5 });
    await compare.run();
    expect(compare.fieldErrors).toEqual({ steps: 'Steps must be a whole number between 1 and 5000', batchSize: 'Batch size must be a whole number between 1 and 1000' });
    expect(client.sent.get('compare:run')).toBeUndefined();
    expect(validateCompare({ model: 'softmax', steps: 10, batchSize: 10, targetAccuracy: 0.9 })).toEqual({});
  });

  it('compare text: a backend that could not run shows its reason, a shared run says so', () => {
    const failed: CompareRow = { backend: 'webgpu', steps: null, stepsPerSecond: null, msPerStep: null, timeToAccuracy: null, finalAccuracy: null, lossMaxDiff: null, lossMeanDiff: null, weightMaxDiff: null, weightMeanDiff: null, stopped: null, error: 'no GPU adapter' };
    expect(rowNote(failed)).toBe('no GPU adapter');
    expect(rowNote({ ...failed, error: null, steps: 40, stopped: 'budget' })).toBe('stopped after 40 steps: its time budget ran out');
    const caption = { model: 'mlp', steps: 200, batchSize: 100, budgetSecondsPerBackend: 20, sharedWithTraining: true, cancelled: false };
    expect(captionText({ ...caption, sharedWithTraining: false, budgetSecondsPerBackend: 20 / 3 })).toBe('mlp, 200 steps of batch 100 on each backend (at most 6.7 s each)');
    expect(captionText(caption)).toBe('mlp, 200 steps of batch 100 on each backend (at most 20 s each); training was running at the same time and shared the CPU cores, so these timings are lower than on an idle machine');
  });

  it('confirm: answers the question asked, and a second question answers the first "no"', async () => {
    const confirm = useConfirmStore();
    const first = confirm.ask({ title: 'a', detail: '', confirmLabel: 'ok' });
    const second = confirm.ask({ title: 'b', detail: '', confirmLabel: 'ok' });
    expect(await first).toBe(false);
    expect(confirm.question?.title).toBe('b');
    confirm.reply(true);
    expect(await second).toBe(true);
    expect(confirm.question).toBeNull();
  });
});
