/**
 * The Runs view's state: the kept runs (summaries), which are checked for the overlay (at most
 * RUNS_GET_MAX) and their curves, and the chart settings (smoothing, log scale, x axis), which survive a
 * reload in localStorage. The list is refreshed when the view opens and while a run trains.
 */
import { defineStore } from 'pinia';
import { computed, ref, shallowRef } from 'vue';
import { RUNS_GET_MAX, type RunRecord, type RunSummary } from '../../src-app-api/runs-schemas';
import { apiClient } from '../api';
import { runsCsv } from '../lib/runs-csv';
import { SMOOTHING_MAX } from '../lib/run-smoothing';

export type RunsXAxis = 'step' | 'wall';
const SETTINGS_KEY = 'tinyflow.runs.chart';

interface ChartSettings {
  smoothing: number;
  logScale: boolean;
  xAxis: RunsXAxis;
  checked: string[];
}

const DEFAULTS: ChartSettings = { smoothing: 0.6, logScale: false, xAxis: 'step', checked: [] };

/** What a reloaded page had chosen; anything unreadable falls back to the defaults, field by field. */
function loadSettings(): ChartSettings {
  try {
    const raw = JSON.parse(globalThis.localStorage?.getItem(SETTINGS_KEY) ?? '{}') as Partial<Record<keyof ChartSettings, unknown>>;
    const smoothing = typeof raw.smoothing === 'number' && raw.smoothing >= 0 && raw.smoothing <= SMOOTHING_MAX ? raw.smoothing : DEFAULTS.smoothing;
    const checked = Array.isArray(raw.checked) ? raw.checked.filter((id): id is string => typeof id === 'string').slice(0, RUNS_GET_MAX) : [];
    return { smoothing, logScale: raw.logScale === true, xAxis: raw.xAxis === 'wall' ? 'wall' : 'step', checked };
  } catch {
    return { ...DEFAULTS };
  }
}

const message = (e: unknown): string => (e instanceof Error ? e.message : String(e));

export const useRunsStore = defineStore('runs', () => {
  const saved = loadSettings();
  const runs = shallowRef<RunSummary[]>([]);
  const skipped = ref<{ file: string; reason: string }[]>([]);
  const storeError = ref<string | null>(null);
  const checked = ref<string[]>(saved.checked);
  /** The checked runs with their curves, in the order checked. */
  const records = shallowRef<RunRecord[]>([]);
  const smoothing = ref(saved.smoothing);
  const logScale = ref(saved.logScale);
  const xAxis = ref<RunsXAxis>(saved.xAxis);
  const error = ref<string | null>(null);
  const loaded = ref(false);
  /** Bumped whenever the charts' data changes, so they redraw once. */
  const version = ref(0);
  let refreshing: Promise<void> | null = null;
  /** Only the newest fetch's answer is shown: quick clicks must not end on an older set of curves. */
  let fetches = 0;

  const canCheckMore = computed(() => checked.value.length < RUNS_GET_MAX);

  function persist(): void {
    try {
      globalThis.localStorage?.setItem(SETTINGS_KEY, JSON.stringify({ smoothing: smoothing.value, logScale: logScale.value, xAxis: xAxis.value, checked: checked.value }));
    } catch {
      // A full or disabled storage only loses the remembered choice, not the runs.
    }
  }

  /** Lists the runs and fetches the checked ones' curves; overlapping calls share one round trip. */
  function refresh(): Promise<void> {
    refreshing ??= (async () => {
      try {
        const list = await apiClient().call('runs:list', {});
        runs.value = list.runs;
        skipped.value = list.skipped;
        storeError.value = list.storeError;
        // Runs deleted elsewhere (or pushed out by the cap) are no longer checked.
        const kept = new Set(list.runs.map((r) => r.id));
        checked.value = checked.value.filter((id) => kept.has(id));
        await fetchChecked();
        error.value = null;
      } catch (e) {
        error.value = message(e);
      } finally {
        loaded.value = true;
        refreshing = null;
      }
    })();
    return refreshing;
  }

  async function fetchChecked(): Promise<void> {
    const ids = [...checked.value];
    const mine = ++fetches;
    const answer = ids.length === 0 ? [] : (await apiClient().call('runs:get', { ids })).runs;
    if (mine !== fetches) return;
    records.value = answer;
    version.value++;
  }

  async function toggle(id: string): Promise<void> {
    if (checked.value.includes(id)) checked.value = checked.value.filter((c) => c !== id);
    else if (!canCheckMore.value) {
      error.value = `At most ${RUNS_GET_MAX} runs can be overlaid; uncheck one first`;
      return;
    } else checked.value = [...checked.value, id];
    persist();
    try {
      await fetchChecked();
      error.value = null;
    } catch (e) {
      error.value = message(e);
    }
  }

  async function rename(id: string, name: string): Promise<boolean> {
    try {
      const { run } = await apiClient().call('runs:rename', { id, name });
      runs.value = runs.value.map((r) => (r.id === id ? run : r));
      records.value = records.value.map((r) => (r.id === id ? { ...r, name: run.name } : r));
      version.value++;
      error.value = null;
      return true;
    } catch (e) {
      error.value = message(e);
      return false;
    }
  }

  async function remove(ids: readonly string[]): Promise<void> {
    if (ids.length === 0) return;
    try {
      await apiClient().call('runs:delete', { ids: [...ids] });
      checked.value = checked.value.filter((id) => !ids.includes(id));
      persist();
    } catch (e) {
      error.value = message(e);
    }
    await refresh();
  }

  function setSmoothing(value: number): void {
    smoothing.value = Math.min(SMOOTHING_MAX, Math.max(0, Number.isFinite(value) ? value : 0));
    persist();
    version.value++;
  }

  function setLogScale(on: boolean): void {
    logScale.value = on;
    persist();
    version.value++;
  }

  function setXAxis(axis: RunsXAxis): void {
    xAxis.value = axis;
    persist();
    version.value++;
  }

  const csv = (): string => runsCsv(records.value);

  return { runs, skipped, storeError, checked, records, smoothing, logScale, xAxis, error, loaded, version, canCheckMore, refresh, toggle, rename, remove, setSmoothing, setLogScale, setXAxis, csv };
});
