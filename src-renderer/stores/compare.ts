/** The Compare view: the benchmark across backends, the op-coverage table, and CSV/JSON export. */
import { defineStore } from 'pinia';
import { reactive, ref } from 'vue';
import type { CompareRow, Coverage, Req } from '../../src-app-api/schemas';
import { apiClient } from '../api';

const COLUMNS: (keyof CompareRow)[] = ['backend', 'steps', 'stepsPerSecond', 'msPerStep', 'timeToAccuracy', 'finalAccuracy', 'lossMaxDiff', 'lossMeanDiff', 'weightMaxDiff', 'weightMeanDiff', 'error'];

export function rowsToCsv(rows: CompareRow[]): string {
  const cell = (v: unknown): string => (v === null ? '' : typeof v === 'string' ? `"${v.replace(/"/g, '""')}"` : String(v));
  return [COLUMNS.join(','), ...rows.map((r) => COLUMNS.map((c) => cell(r[c])).join(','))].join('\n') + '\n';
}

export const useCompareStore = defineStore('compare', () => {
  const request = reactive<Req<'compare:run'>>({ model: 'softmax', steps: 200, batchSize: 100, targetAccuracy: 0.85 });
  const rows = ref<CompareRow[]>([]);
  const coverage = ref<Coverage | null>(null);
  const running = ref(false);
  const error = ref<string | null>(null);

  async function run(): Promise<void> {
    running.value = true;
    error.value = null;
    try {
      rows.value = (await apiClient().call('compare:run', { ...request })).rows;
    } catch (e) {
      error.value = e instanceof Error ? e.message : String(e);
    } finally {
      running.value = false;
    }
  }

  async function loadCoverage(): Promise<void> {
    coverage.value = await apiClient().call('compare:coverage', {});
  }

  return { request, rows, coverage, running, error, run, loadCoverage, csv: () => rowsToCsv(rows.value), json: () => JSON.stringify(rows.value, null, 2) };
});
