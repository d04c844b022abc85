/**
 * The layer editor's draft and the opened model file. The draft's shapes, parameter counts and code
 * are computed here from src-core's pure definitions (the same functions the worker builds from), as
 * the user types; a model file's text is only ever sent to the worker (`model:check`), never run here.
 * The draft lives in localStorage, so a reload keeps what was being edited.
 */
import { defineStore } from 'pinia';
import { computed, ref, watch } from 'vue';
import type { ModelCheck } from '../../src-app-api/model-schemas';
import { LAYER_FIELD_LIMITS, MODEL_FILE_MAX_CHARS, MODEL_NAME_MAX, studioInputProblem } from '../../src-app-api/model-schemas';
import type { TrainConfig } from '../../src-app-api/schemas';
import { LAYER_TYPES, layerModelCode, parseLayerModel, summarizeLayerModel, type LayerDef, type LayerModel, type LayerType, type UserModelSource } from '../../src-core/models/user-model';
import { apiClient } from '../api';
import { checkNumber } from '../lib/train-fields';

export const DRAFT_KEY = 'tinyflow.layer-editor.draft';

export type Preset = 'softmax' | 'mlp' | 'lenet' | 'blank';
export const PRESETS: readonly { id: Preset; label: string }[] = [
  { id: 'softmax', label: 'softmax' },
  { id: 'mlp', label: 'MLP' },
  { id: 'lenet', label: 'LeNet-like' },
  { id: 'blank', label: 'blank' },
];

const output = (): LayerDef => ({ type: 'dense', units: 10, activation: 'none' });

export function presetModel(id: Preset): LayerModel {
  const base = { format: 'tinyflow-layers', version: 1 } as const;
  switch (id) {
    case 'softmax':
      return { ...base, name: 'my-softmax', input: [784], layers: [output()] };
    case 'mlp':
      return { ...base, name: 'my-mlp', input: [784], layers: [{ type: 'dense', units: 128, activation: 'relu' }, output()] };
    case 'lenet':
      return {
        ...base,
        name: 'my-lenet',
        input: [28, 28, 1],
        layers: [
          { type: 'conv2d', filters: 6, kernel: 5, stride: 1, padding: 'same', activation: 'relu' },
          { type: 'max_pool', size: 2, stride: 2, padding: 'valid' },
          { type: 'conv2d', filters: 16, kernel: 5, stride: 1, padding: 'valid', activation: 'relu' },
          { type: 'max_pool', size: 2, stride: 2, padding: 'valid' },
          { type: 'flatten' },
          { type: 'dense', units: 120, activation: 'relu' },
          { type: 'dense', units: 84, activation: 'relu' },
          output(),
        ],
      };
    case 'blank':
      return { ...base, name: 'my-model', input: [28, 28, 1], layers: [] };
  }
}

/** A new layer of `type` with the editor's usual starting values. */
export function newLayer(type: LayerType): LayerDef {
  switch (type) {
    case 'dense':
      return { type, units: 64, activation: 'relu' };
    case 'conv2d':
      return { type, filters: 8, kernel: 3, stride: 1, padding: 'same', activation: 'relu' };
    case 'max_pool':
    case 'avg_pool':
      return { type, size: 2, stride: 2, padding: 'valid' };
    case 'dropout':
      return { type, rate: 0.25 };
    case 'flatten':
    case 'batch_norm':
      return { type };
  }
}

/** The number fields of a layer, with the limits their values must keep. */
export type LayerField = 'units' | 'filters' | 'kernel' | 'stride' | 'size' | 'rate';
const FIELD_LIMIT = {
  units: LAYER_FIELD_LIMITS.units,
  filters: LAYER_FIELD_LIMITS.filters,
  kernel: LAYER_FIELD_LIMITS.kernel,
  stride: LAYER_FIELD_LIMITS.stride,
  size: LAYER_FIELD_LIMITS.size,
  rate: LAYER_FIELD_LIMITS.rate,
} as const;

/** Why each number field of `layer` cannot be used (none: {}); the output layer's units are the class count's. */
export function layerFieldErrors(layer: LayerDef, isOutput: boolean): Partial<Record<LayerField, string>> {
  const errors: Partial<Record<LayerField, string>> = {};
  for (const [field, limit] of Object.entries(FIELD_LIMIT) as [LayerField, (typeof FIELD_LIMIT)[LayerField]][]) {
    if (!(field in layer) || (isOutput && field === 'units')) continue;
    const found = checkNumber((layer as unknown as Record<LayerField, number>)[field], limit);
    if (found !== null) errors[field] = found;
  }
  return errors;
}

/**
 * A saved draft back from localStorage: a valid model as is; a half-edited one (a field left empty or
 * out of range, which parseLayerModel refuses) kept layer by layer as long as its structure is a layer
 * model's; anything else is not ours and gives null.
 */
export function restoreDraft(text: string | null): LayerModel | null {
  if (text === null) return null;
  try {
    return parseLayerModel(text, 'the saved draft');
  } catch {
    // fall through: maybe a half-edited draft
  }
  try {
    const raw = JSON.parse(text) as Partial<LayerModel> | null;
    if (raw === null || typeof raw !== 'object' || raw.format !== 'tinyflow-layers' || !Array.isArray(raw.layers) || !Array.isArray(raw.input)) return null;
    const num = (v: unknown): number => (typeof v === 'number' ? v : NaN);
    const layers = raw.layers.flatMap((l): LayerDef[] => {
      if (l === null || typeof l !== 'object' || !(LAYER_TYPES as readonly unknown[]).includes(l.type)) return [];
      const fresh = newLayer(l.type);
      const merged = { ...fresh } as Record<string, unknown>;
      for (const key of Object.keys(fresh)) if (key !== 'type' && key in l) merged[key] = typeof fresh[key as keyof LayerDef] === 'number' ? num((l as unknown as Record<string, unknown>)[key]) : (l as unknown as Record<string, unknown>)[key];
      return [merged as unknown as LayerDef];
    });
    return { format: 'tinyflow-layers', version: 1, name: typeof raw.name === 'string' && raw.name !== '' ? raw.name : 'my-model', input: raw.input.map(num), layers };
  } catch {
    return null;
  }
}

function clone<T>(value: T): T {
  return JSON.parse(JSON.stringify(value)) as T;
}

/** What the Model select offers besides the zoo: the editor's model and an opened model file. */
export const CUSTOM_LAYERS = '__layers__';
export const CUSTOM_FILE = '__file__';

export const useModelEditorStore = defineStore('model-editor', () => {
  const draft = ref<LayerModel>(restoreDraft(readStorage()) ?? presetModel('lenet'));
  /** The class count the output layer gets: the data's (the preview's), 10 until it is known. */
  const numClasses = ref(10);
  /** A model file opened with Open model…: its text, and the worker's check of it. */
  const file = ref<{ fileName: string; source: string } | null>(null);
  const fileCheck = ref<ModelCheck | null>(null);
  const checking = ref(false);
  /** Why the last Open model… or Save model… failed, in words (the file's name and what is wrong). */
  const openError = ref<string | null>(null);
  const saved = ref<string | null>(null);
  let checkTicket = 0;

  watch(draft, (value) => writeStorage(JSON.stringify(value)), { deep: true });

  const summary = computed(() => summarizeLayerModel(draft.value, numClasses.value));
  const fieldErrors = computed(() => draft.value.layers.map((l, i) => layerFieldErrors(l, i === draft.value.layers.length - 1)));
  /** Why the draft cannot be trained (a field, then a shape error), or null when it can. */
  const draftProblem = computed(() => {
    const i = fieldErrors.value.findIndex((e) => Object.keys(e).length > 0);
    if (i >= 0) return `layer ${i + 1}: ${Object.values(fieldErrors.value[i])[0]}`;
    if (draft.value.name.trim() === '') return 'the model needs a name';
    return summary.value.error;
  });
  /** Why Start cannot train the draft here: it cannot be built, or it takes images of another size than the studio's. */
  const startProblem = computed(() => draftProblem.value ?? studioInputProblem(draft.value.input));
  const code = computed(() => (draftProblem.value === null ? layerModelCode(draft.value, numClasses.value) : ''));

  function usePreset(id: Preset): void {
    draft.value = presetModel(id);
  }
  function add(type: LayerType): void {
    const layers = draft.value.layers;
    // Before the output layer, where a new hidden layer belongs; at the end when there is none yet.
    const last = layers[layers.length - 1];
    const at = last !== undefined && last.type === 'dense' && last.activation === 'none' ? layers.length - 1 : layers.length;
    layers.splice(at, 0, newLayer(type));
  }
  function remove(i: number): void {
    draft.value.layers.splice(i, 1);
  }
  function move(i: number, by: -1 | 1): void {
    const layers = draft.value.layers;
    const j = i + by;
    if (j < 0 || j >= layers.length) return;
    [layers[i], layers[j]] = [layers[j], layers[i]];
  }
  function setInput(kind: 'flat' | 'image', side?: [number, number]): void {
    draft.value.input = kind === 'flat' ? [784] : [side?.[0] ?? 28, side?.[1] ?? 28, 1];
  }

  /** The model a Start would train, for the current Model select: the draft, the opened file, or none (a zoo model). */
  function sourceFor(choice: string): UserModelSource | null {
    if (choice === CUSTOM_LAYERS) return { kind: 'layers', model: clone(draft.value) };
    if (choice === CUSTOM_FILE && file.value !== null) return { kind: 'file', ...file.value };
    return null;
  }

  /** Puts the current choice into the form's config before a Start: the worker builds exactly this. */
  function syncInto(config: TrainConfig, choice: string): void {
    const source = sourceFor(choice);
    config.userModel = source;
    if (source?.kind === 'layers') config.model = displayName(source.model.name);
    else if (source?.kind === 'file') config.model = displayName(source.fileName);
  }

  /** A session's model (a restored checkpoint, a page reload while it runs) shown in the editor. */
  function adopt(source: UserModelSource | null | undefined, dataDir: string | null): void {
    if (source?.kind === 'layers') draft.value = clone(source.model);
    else if (source?.kind === 'file' && (file.value?.source !== source.source || file.value.fileName !== source.fileName)) {
      file.value = { fileName: source.fileName, source: source.source };
      void checkFile(dataDir);
    }
  }

  /** Open model…: a .tfmodel.json into the editor; a .ts / .js model file to the worker's check. */
  async function openText(fileName: string, text: string, dataDir: string | null): Promise<'layers' | 'file' | null> {
    openError.value = null;
    saved.value = null;
    if (text.length > MODEL_FILE_MAX_CHARS) {
      openError.value = `${fileName} is ${text.length.toLocaleString('en-US')} characters; a model file may have at most ${MODEL_FILE_MAX_CHARS.toLocaleString('en-US')} (1 MB)`;
      return null;
    }
    if (/\.json$/i.test(fileName)) {
      try {
        draft.value = parseLayerModel(text, fileName);
        return 'layers';
      } catch (e) {
        openError.value = e instanceof Error ? e.message : String(e);
        return null;
      }
    }
    if (/\.(ts|js|mjs|mts)$/i.test(fileName)) {
      file.value = { fileName, source: text };
      await checkFile(dataDir);
      return 'file';
    }
    openError.value = `${fileName} is not a model: Open model… takes a layer model (.tfmodel.json) or a model file (.ts or .js)`;
    return null;
  }

  /** Asks the worker to build the opened file (in a throw-away thread) and keeps its summary and code. */
  async function checkFile(dataDir: string | null): Promise<void> {
    const f = file.value;
    if (f === null) return;
    const ticket = ++checkTicket;
    checking.value = true;
    fileCheck.value = null;
    try {
      const answer = await apiClient().call('model:check', { userModel: { kind: 'file', ...f }, dataDir });
      if (ticket === checkTicket) fileCheck.value = answer;
    } catch (e) {
      if (ticket === checkTicket) {
        const message = e instanceof Error ? e.message : String(e);
        fileCheck.value = { ok: false, name: f.fileName, numClasses: null, summary: [], totalParams: 0, code: f.source, error: message };
      }
    } finally {
      if (ticket === checkTicket) checking.value = false;
    }
  }

  /** Save model…: Electron asks where and writes it; in a browser the page downloads it. */
  async function save(download: (fileName: string, text: string) => void): Promise<void> {
    openError.value = null;
    saved.value = null;
    const fileName = `${draft.value.name.trim().replace(/[^A-Za-z0-9 _.-]+/g, '-').replace(/^[^A-Za-z0-9]+/, '').slice(0, 60) || 'model'}.tfmodel.json`;
    const text = `${JSON.stringify(draft.value, null, 2)}\n`;
    try {
      const answer = await apiClient().call('model:save', { fileName, text });
      if (answer.download) {
        download(fileName, text);
        saved.value = `downloaded ${fileName}`;
      } else if (answer.path !== null) saved.value = `saved ${answer.path}`;
    } catch (e) {
      openError.value = e instanceof Error ? e.message : String(e);
    }
  }

  return {
    draft, numClasses, file, fileCheck, checking, openError, saved, summary, fieldErrors, draftProblem, startProblem, code,
    usePreset, add, remove, move, setInput, sourceFor, syncInto, adopt, openText, checkFile, save,
  };
});

function displayName(name: string): string {
  return name.length <= MODEL_NAME_MAX ? name : `${name.slice(0, MODEL_NAME_MAX - 1)}…`;
}

function readStorage(): string | null {
  try {
    return typeof localStorage === 'undefined' ? null : localStorage.getItem(DRAFT_KEY);
  } catch {
    return null;
  }
}

function writeStorage(text: string): void {
  try {
    if (typeof localStorage !== 'undefined') localStorage.setItem(DRAFT_KEY, text);
  } catch {
    // A full or disabled storage only costs the draft across reloads.
  }
}
