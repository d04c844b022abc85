/**
 * Training state in the renderer: the config form, the streamed progress and the chart series. Series
 * are shallow refs replaced per message (with a version counter) so charts redraw once per message.
 * A message marked `seriesReset` (a new run, a restored checkpoint or autosave, the snapshot a page gets
 * when it connects) replaces the series and fills the form with the loaded session's config.
 */
import { defineStore } from 'pinia';
import { reactive, ref, shallowRef } from 'vue';
import type { Progress, TrainConfig } from '../../src-app-api/schemas';
import { appendSeries, type SeriesPoint } from '../../src-app-api/series';
import { apiClient } from '../api';

export type Point = SeriesPoint;

export const useTrainingStore = defineStore('training', () => {
  const config = reactive<TrainConfig>({ model: 'softmax', backend: 'cpu', dataDir: null, optimizer: 'sgd', learningRate: 0.5, batchSize: 100, epochs: 5, steps: null });
  const progress = ref<Progress | null>(null);
  const loss = shallowRef<Point[]>([]);
  const accuracy = shallowRef<Point[]>([]);
  const version = ref(0);
  const messages = ref(0);
  const error = ref<string | null>(null);
  let subscribed = false;

  /** Takes one progress message: replaces or extends the series, and on a reset shows the session's config. */
  function apply(p: Progress): void {
    progress.value = p;
    if (p.seriesReset) {
      loss.value = appendSeries([], p.lossPoints);
      accuracy.value = appendSeries([], p.accuracyPoints);
      version.value++;
      if (p.config) Object.assign(config, p.config);
    } else if (p.lossPoints.length || p.accuracyPoints.length) {
      loss.value = appendSeries(loss.value, p.lossPoints);
      accuracy.value = appendSeries(accuracy.value, p.accuracyPoints);
      version.value++;
    }
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

  async function guard(action: () => Promise<unknown>): Promise<void> {
    try {
      error.value = null;
      await action();
    } catch (e) {
      error.value = e instanceof Error ? e.message : String(e);
    }
  }

  /** Empties the charts: a new run, or a checkpoint whose history the chart never saw. */
  function resetCharts(): void {
    loss.value = [];
    accuracy.value = [];
    version.value++;
  }
  const start = () =>
    guard(async () => {
      resetCharts();
      await apiClient().call('train:start', { ...config });
    });
  const pause = () => guard(() => apiClient().call('train:pause', {}));
  const resume = () => guard(() => apiClient().call('train:resume', {}));
  const stop = () => guard(() => apiClient().call('train:stop', {}));
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

  return { config, progress, loss, accuracy, version, messages, error, apply, subscribe, resetCharts, start, pause, resume, stop, setBackend, pickDataDir };
});
