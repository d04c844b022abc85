/**
 * The layer editor's store against the real worker engine (in-process): shapes and parameters as the
 * draft changes, the shape error on the layer that causes it, field limits, presets, the draft kept
 * across a reload, Open model… for a layer model, a model file and a file that is no model, and what a
 * Start sends.
 */
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createPinia, setActivePinia } from 'pinia';
import { nextTick } from 'vue';
import { inProcessClient } from '../../src-main/worker/in-process-client';
import type { TrainConfig } from '../../src-app-api/schemas';
import { setApiClient } from '../api';
import { CUSTOM_FILE, CUSTOM_LAYERS, DRAFT_KEY, presetModel, restoreDraft, useModelEditorStore } from './model-editor';
import { useTrainingStore } from './training';

/** The browser's localStorage as the store uses it (node has none): a real key/value store in memory. */
class MemoryStorage {
  private readonly items = new Map<string, string>();
  getItem(key: string): string | null {
    return this.items.get(key) ?? null;
  }
  setItem(key: string, value: string): void {
    this.items.set(key, String(value));
  }
  removeItem(key: string): void {
    this.items.delete(key);
  }
}

const storageHolder = globalThis as unknown as { localStorage?: MemoryStorage };

describe('layer editor store', () => {
  beforeEach(() => {
    storageHolder.localStorage = new MemoryStorage();
    setActivePinia(createPinia());
    setApiClient(inProcessClient());
  });
  afterEach(() => {
    delete storageHolder.localStorage;
  });

  it('builds the conv net of the e2e, with shapes and Keras parameter counts updating as it is edited', () => {
    const editor = useModelEditorStore();
    editor.usePreset('blank');
    editor.add('conv2d');
    editor.add('max_pool');
    editor.add('flatten');
    editor.add('dense');
    expect(editor.draft.layers.map((l) => l.type)).toEqual(['conv2d', 'max_pool', 'flatten', 'dense']);
    // The last dense is hidden (relu) until it is made the output.
    expect(editor.draftProblem).toContain("the last layer must be the output");
    Object.assign(editor.draft.layers[3], { activation: 'none' });
    Object.assign(editor.draft.layers[0], { filters: 8, kernel: 5 });
    expect(editor.draftProblem).toBeNull();
    const s = editor.summary;
    expect(s.layers.map((l) => l.outputShape)).toEqual([[28, 28, 8], [14, 14, 8], [1568], [10]]);
    expect(s.layers.map((l) => l.params)).toEqual([5 * 5 * 8 + 8, 0, 0, 1568 * 10 + 10]);
    // A dense layer added now goes before the output layer.
    editor.add('dense');
    expect(editor.draft.layers.map((l) => l.type)).toEqual(['conv2d', 'max_pool', 'flatten', 'dense', 'dense']);
    expect(editor.summary.layers[3].outputShape).toEqual([64]);
    expect(editor.code).toContain('export default function');
  });

  it('puts a shape error on the layer that causes it, and a field out of range on its field', () => {
    const editor = useModelEditorStore();
    editor.usePreset('lenet');
    const pool = editor.draft.layers[1];
    if (pool.type !== 'max_pool') throw new Error('preset changed');
    pool.size = 8;
    pool.stride = 4;
    editor.draft.layers[3] = { type: 'max_pool', size: 8, stride: 1, padding: 'valid' };
    const bad = editor.summary.layers.findIndex((l) => l.error !== null);
    // 28 → pool 8/4 → 6 → conv 5 'valid' → 2: the second pool's 8×8 window no longer fits.
    expect(bad).toBe(3);
    expect(editor.summary.layers[bad].error).toMatch(/^layer 4 \(max_pool 8\): the input is 2×2, smaller than the 8×8 window/);
    expect(editor.summary.layers.slice(0, 3).map((l) => l.outputShape)).toEqual([[28, 28, 6], [6, 6, 6], [2, 2, 16]]);
    expect(editor.summary.layers.slice(4).every((l) => l.outputShape === null && l.error === null)).toBe(true);
    expect(editor.draftProblem).toBe(editor.summary.layers[bad].error);
    expect(editor.code).toBe('');
    // A 32×32 model is a valid model (it saves) that the studio's 28×28 data cannot train.
    editor.usePreset('lenet');
    editor.setInput('image', [32, 32]);
    expect(editor.summary.layers[0].outputShape).toEqual([32, 32, 6]);
    expect(editor.draftProblem).toBeNull();
    expect(editor.startProblem).toBe('it takes 32×32 images, and the studio trains on 28×28 images for now: make its input [28, 28, 1] or [784]');
    editor.usePreset('mlp');
    const hidden = editor.draft.layers[0];
    if (hidden.type !== 'dense') throw new Error('preset changed');
    hidden.units = 1_000_000;
    expect(editor.fieldErrors[0].units).toBe('Units must be a whole number between 1 and 4096');
    expect(editor.draftProblem).toBe('layer 1: Units must be a whole number between 1 and 4096');
    hidden.units = NaN;
    expect(editor.fieldErrors[0].units).toContain('Units must be');
  });

  it('says what an empty model lacks, and allows no more than 64 layers through the wire', async () => {
    const editor = useModelEditorStore();
    editor.usePreset('blank');
    expect(editor.draft.layers).toEqual([]);
    expect(editor.draftProblem).toContain('no layers');
    const config = { model: 'softmax', backend: 'cpu', dataDir: null, optimizer: 'adam', learningRate: 0.001, batchSize: 50, epochs: 1, steps: 1, userModel: null } as TrainConfig;
    const model = presetModel('mlp');
    model.layers = [...Array.from({ length: 64 }, () => ({ type: 'dense' as const, units: 8, activation: 'relu' as const })), { type: 'dense', units: 10, activation: 'none' }];
    await expect(inProcessClient().call('train:start', { ...config, userModel: { kind: 'layers', model } })).rejects.toThrow(
      "IPC 'train:start': rejected: userModel.model.layers: A model has 1 to 64 layers",
    );
  });

  it('keeps the draft across a reload, even half-edited', async () => {
    const editor = useModelEditorStore();
    editor.usePreset('mlp');
    editor.draft.name = 'kept';
    const hidden = editor.draft.layers[0];
    if (hidden.type !== 'dense') throw new Error('preset changed');
    hidden.units = NaN; // the field was emptied
    await nextTick();
    expect(storageHolder.localStorage?.getItem(DRAFT_KEY)).toContain('"kept"');
    setActivePinia(createPinia());
    const reloaded = useModelEditorStore();
    expect(reloaded.draft.name).toBe('kept');
    expect(reloaded.draft.layers.map((l) => l.type)).toEqual(['dense', 'dense']);
    expect(reloaded.fieldErrors[0].units).toContain('Units must be');
    expect(restoreDraft('{"not":"a model"}')).toBeNull();
    expect(restoreDraft('not json')).toBeNull();
  });

  it('opens a .tfmodel.json into the editor and refuses a file that is not a model, naming it', async () => {
    const editor = useModelEditorStore();
    const model = presetModel('lenet');
    model.name = 'from-disk';
    expect(await editor.openText('net.tfmodel.json', JSON.stringify(model), null)).toBe('layers');
    expect(editor.draft.name).toBe('from-disk');
    expect(await editor.openText('broken.tfmodel.json', '{"format":"tinyflow-layers","version":1,"name":"x","input":[784],"layers":[{"type":"dense","units":0,"activation":"none"}]}', null)).toBeNull();
    expect(editor.openError).toContain('broken.tfmodel.json');
    expect(editor.openError).toContain('units');
    expect(editor.draft.name).toBe('from-disk');
    expect(await editor.openText('photo.png', 'PNG...', null)).toBeNull();
    expect(editor.openError).toBe('photo.png is not a model: Open model… takes a layer model (.tfmodel.json) or a model file (.ts or .js)');
  });

  it('checks a model file in the worker, and a throwing one shows its error', async () => {
    const editor = useModelEditorStore();
    const source = `export const input = [784];
export default function model(tf, x) {
  const W = tf.Variable(tf.zeros([784, 10]), { name: 'W' });
  const b = tf.Variable(tf.zeros([10]), { name: 'b' });
  return tf.add(tf.matmul(x, W), b);
}
`;
    expect(await editor.openText('tiny.js', source, null)).toBe('file');
    expect(editor.fileCheck?.error ?? null).toBeNull();
    expect(editor.fileCheck?.ok).toBe(true);
    expect(editor.fileCheck?.numClasses).toBe(10);
    expect(editor.fileCheck?.totalParams).toBe(7850);
    const config = { model: 'softmax', userModel: null } as unknown as TrainConfig;
    editor.syncInto(config, CUSTOM_FILE);
    expect(config.model).toBe('tiny.js');
    expect(config.userModel).toEqual({ kind: 'file', fileName: 'tiny.js', source });
    expect(await editor.openText('throws.ts', 'export default function model(): never { throw new Error("no model here"); }\n', null)).toBe('file');
    expect(editor.fileCheck?.ok).toBe(false);
    expect(editor.fileCheck?.error).toContain('throws.ts');
    expect(editor.fileCheck?.error).toContain('no model here');
    editor.syncInto(config, CUSTOM_LAYERS);
    expect(config.userModel?.kind).toBe('layers');
  }, 60_000);

  it('a double click on Start sends one train:start with the editor\'s model', async () => {
    const client = inProcessClient();
    const starts: unknown[] = [];
    setApiClient({ ...client, call: (channel, payload) => (channel === 'train:start' && starts.push(payload), client.call(channel, payload)) });
    const editor = useModelEditorStore();
    const training = useTrainingStore();
    editor.usePreset('mlp');
    Object.assign(training.config, { backend: 'cpu', optimizer: 'adam', learningRate: 0.001, steps: 1_000_000 });
    editor.syncInto(training.config, CUSTOM_LAYERS);
    const [first, second] = await Promise.all([training.start(), training.start()]);
    expect([first, second]).toEqual([true, false]);
    expect(starts).toHaveLength(1);
    expect(starts[0]).toMatchObject({ model: 'my-mlp', userModel: { kind: 'layers', model: { name: 'my-mlp' } } });
    await client.call('train:stop', {});
  }, 60_000);

  it("adopts a session's model: a layer model into the editor, a model file with the worker's check of it", async () => {
    const editor = useModelEditorStore();
    const model = presetModel('mlp');
    model.name = 'from-session';
    editor.adopt({ kind: 'layers', model }, null);
    expect(editor.draft.name).toBe('from-session');
    const source = 'export default (tf, x) => tf.matmul(x, tf.Variable(tf.zeros([784, 10])));\n';
    editor.adopt({ kind: 'file', fileName: 'session.js', source }, null);
    expect(editor.file).toEqual({ fileName: 'session.js', source });
    for (let i = 0; i < 600 && editor.fileCheck === null; i++) await new Promise((r) => setTimeout(r, 50));
    expect(editor.fileCheck).toMatchObject({ ok: true, numClasses: 10, totalParams: 7840 });
  }, 60_000);
});
