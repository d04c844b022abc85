/**
 * Training state in the renderer: the config form, the streamed progress and the chart series. Series
 * are shallow refs replaced per message (with a version counter) so charts redraw once per message.
 * A message marked `seriesReset` (a new run, a restored checkpoint or autosave, the snapshot a page gets
 * when it connects) replaces the series and fills the form with the loaded session's config.
 * Start checks the form first (field messages, nothing sent) and never touches the charts itself: a
 * rejected start leaves everything as it was; a new run's first message resets them.
 */
import { defineStore } from 'pinia';
import { computed, reactive, ref, shallowRef } from 'vue';
import type { Diagnosis, Progress, Res, TrainConfig } from '../../src-app-api/schemas';
import { appendSeries, type SeriesPoint } from '../../src-app-api/series';
import { apiClient } from '../api';
import { fieldErrorOf, validateTrainConfig, type FieldErrors, type TrainField } from '../lib/train-fields';

export type Point = SeriesPoint;

/** A session that holds a model the user may not want to lose: Restart and Open ask first. */
export function isActive(state: Progress['state'] | undefined): boolean {
  return state === 'running' || state === 'paused' || state === 'diverged';
}

export const useTrainingStore = defineStore('training', () => {
  // No backend until the host names the fastest one here (initialize): a guess would train on it.
  const config = reactive<TrainConfig>({ model: 'softmax', backend: '', dataDir: null, optimizer: 'sgd', learningRate: 0.5, batchSize: 100, epochs: 5, steps: null, userModel: null });
  const progress = ref<Progress | null>(null);
  const loss = shallowRef<Point[]>([]);
  const accuracy = shallowRef<Point[]>([]);
  const version = ref(0);
  const messages = ref(0);
  const error = ref<string | null>(null);
  /** Per form field: why its value cannot be used, in words. */
  const fieldErrors = ref<FieldErrors>({});
  const diagnosis = ref<Diagnosis | null>(null);
  const diagnosing = ref(false);
  /** A Start is on its way: a second click (a double click) must not start a second session. */
  const starting = ref(false);
  let subscribed = false;

  const active = computed(() => isActive(progress.value?.state));
  /** The config of the session the worker holds (not the form's), once there is one. */
  const running = computed(() => progress.value?.config ?? null);

  /** Takes one progress message: replaces or extends the series, and on a reset shows the session's config. */
  function apply(p: Progress): void {
    progress.value = p;
    if (p.seriesReset) {
      loss.value = appendSeries([], p.lossPoints);
      accuracy.value = appendSeries([], p.accuracyPoints);
      version.value++;
      // userModel absent (a zoo session, an older checkpoint) means none: it must not keep the form's.
      if (p.config) Object.assign(config, { userModel: null }, p.config);
      fieldErrors.value = {};
    } else if (p.lossPoints.length || p.accuracyPoints.length) {
      loss.value = appendSeries(loss.value, p.lossPoints);
      accuracy.value = appendSeries(accuracy.value, p.accuracyPoints);
      version.value++;
    }
    if (p.state !== 'diverged') diagnosis.value = null;
    if (p.error) error.value = p.error;
  }

  function subscribe(initial: Progress | null): void {
    // A session restored when the host started (or still training when the page reloaded).
    if (initial && initial.state !== 'idle') apply(initial);
    if (subscribed) return;
    subscribed = true;
    apiClient().on('train:progress', (p) => {
      messages.value++;
      apply(p);
    });
  }

  function message(e: unknown): string {
    return e instanceof Error ? e.message : String(e);
  }

  async function guard(action: () => Promise<unknown>): Promise<boolean> {
    try {
      error.value = null;
      await action();
      return true;
    } catch (e) {
      error.value = message(e);
      return false;
    }
  }

  /**
   * Takes the host's info once the page loads: the session it holds (if any) fills the form; else the
   * form gets a model that exists and the fastest backend available here.
   */
  function initialize(info: Res<'app:info'>): void {
    subscribe(info.progress);
    if (!info.models.some((m) => m.name === config.model)) config.model = info.models[0]?.name ?? '';
    const sessionBackend = progress.value?.config?.backend;
    if (sessionBackend !== undefined && info.backends.includes(sessionBackend)) return;
    config.backend = info.backends.includes(info.defaultBackend) ? info.defaultBackend : (info.backends[0] ?? '');
  }

  /** Re-checks one field as the user edits it, so its message goes as soon as the value is good. */
  function checkField(field: TrainField): void {
    const { [field]: found } = validateTrainConfig(config);
    const next = { ...fieldErrors.value };
    if (found) next[field] = found;
    else delete next[field];
    fieldErrors.value = next;
  }

  /** Empties the charts: a checkpoint whose history the chart never saw. */
  function resetCharts(): void {
    loss.value = [];
    accuracy.value = [];
    version.value++;
  }

  /** Starts a new run from the form; a bad field or a refusal leaves the session and the charts as they were. */
  async function start(): Promise<boolean> {
    if (starting.value) return false;
    starting.value = true;
    try {
      return await startOnce();
    } finally {
      starting.value = false;
    }
  }

  async function startOnce(): Promise<boolean> {
    error.value = null;
    fieldErrors.value = validateTrainConfig(config);
    if (Object.keys(fieldErrors.value).length > 0) return false;
    try {
      await apiClient().call('train:start', { ...config });
      return true;
    } catch (e) {
      const text = message(e);
      const onField = fieldErrorOf(text);
      if (onField) fieldErrors.value = { [onField.field]: onField.message };
      // A folder that cannot be read is named by its path in the error: the words belong on that field.
      else if (config.dataDir !== null && config.dataDir !== '' && text.includes(config.dataDir)) fieldErrors.value = { dataDir: text };
      else error.value = text;
      return false;
    }
  }
  const pause = () => guard(() => apiClient().call('train:pause', {}));
  /** `learningRate`: resume a diverged (or paused) session with a new rate, keeping its weights. */
  const resume = (learningRate?: number) => guard(() => apiClient().call('train:resume', learningRate === undefined ? {} : { learningRate }));
  const stop = () => guard(() => apiClient().call('train:stop', {}));
  const diagnose = async (): Promise<void> => {
    diagnosing.value = true;
    try {
      await guard(async () => (diagnosis.value = await apiClient().call('train:diagnose', {})));
    } finally {
      diagnosing.value = false;
    }
  };
  const setBackend = (backend: string) =>
    guard(async () => {
      await apiClient().call('train:set-backend', { backend });
      config.backend = backend;
    });
  const pickDataDir = () =>
    guard(async () => {
      const { path } = await apiClient().call('dialog:pick-data-dir', {});
      if (path !== null) config.dataDir = path;
    });

  return {
    config, progress, loss, accuracy, version, messages, error, fieldErrors, diagnosis, diagnosing, starting, active, running,
    apply, subscribe, initialize, resetCharts, checkField, start, pause, resume, stop, diagnose, setBackend, pickDataDir,
  };
});
