/**
 * Training state in the renderer: the config form, the streamed progress and the chart series. Series
 * are shallow refs replaced per message (with a version counter) so charts redraw once per message.
 */
import { defineStore } from 'pinia';
import { reactive, ref, shallowRef } from 'vue';
import type { Progress, TrainConfig } from '../../src-app-api/schemas';
import { apiClient } from '../api';

export type Point = [number, number];
/** Charts keep at most this many points; older ones are thinned to every other one. */
const MAX_POINTS = 1500;

function append(series: Point[], points: Point[]): Point[] {
  const next = series.concat(points);
  return next.length > MAX_POINTS ? next.filter((_, i) => i % 2 === 0 || i === next.length - 1) : next;
}

export const useTrainingStore = defineStore('training', () => {
  const config = reactive<TrainConfig>({ model: 'softmax', backend: 'cpu', dataDir: null, optimizer: 'sgd', learningRate: 0.5, batchSize: 100, epochs: 5, steps: null });
  const progress = ref<Progress | null>(null);
  const loss = shallowRef<Point[]>([]);
  const accuracy = shallowRef<Point[]>([]);
  const version = ref(0);
  const messages = ref(0);
  const error = ref<string | null>(null);
  let subscribed = false;

  function subscribe(initial: Progress | null): void {
    if (initial && initial.state !== 'idle') {
      progress.value = initial;
      // A session restored when the host started: the form shows the model that is loaded.
      if (initial.model) config.model = initial.model;
    }
    if (subscribed) return;
    subscribed = true;
    apiClient().on('train:progress', (p) => {
      progress.value = p;
      messages.value++;
      if (p.lossPoints.length || p.accuracyPoints.length) {
        loss.value = append(loss.value, p.lossPoints);
        accuracy.value = append(accuracy.value, p.accuracyPoints);
        version.value++;
      }
      if (p.error) error.value = p.error;
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

  return { config, progress, loss, accuracy, version, messages, error, subscribe, resetCharts, start, pause, resume, stop, setBackend, pickDataDir };
});
