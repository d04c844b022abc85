/** The Compare view: the benchmark across backends, the op-coverage table, and CSV/JSON export. */
import { defineStore } from 'pinia';
import { reactive, ref } from 'vue';
import type { CompareRow, Coverage, Req } from '../../src-app-api/schemas';
import { apiClient } from '../api';

type ScalarColumn = Exclude<keyof CompareRow, 'adapter'>;
const COLUMNS: ScalarColumn[] = ['backend', 'steps', 'stepsPerSecond', 'msPerStep', 'timeToAccuracy', 'finalAccuracy', 'lossMaxDiff', 'lossMeanDiff', 'weightMaxDiff', 'weightMeanDiff', 'error'];

/**
 * The note shown next to a backend's name: a software (fallback) GPU adapter is correct but slower
 * than the cpu backend, so its timings must not read as the GPU's.
 */
export function adapterNote(row: CompareRow): string | null {
  return row.adapter?.software === true ? 'software adapter' : null;
}

/** The adapter column of the export: its description, marked when it is a software one. */
function adapterText(row: CompareRow): string | null {
  if (row.adapter === undefined) return null;
  const note = adapterNote(row);
  return note === null ? row.adapter.description : `${row.adapter.description} (${note})`;
}

export function rowsToCsv(rows: CompareRow[]): string {
  const cell = (v: unknown): string => (v === null ? '' : typeof v === 'string' ? `"${v.replace(/"/g, '""')}"` : String(v));
  const header = [...COLUMNS, 'adapter'].join(',');
  return [header, ...rows.map((r) => [...COLUMNS.map((c) => cell(r[c])), cell(adapterText(r))].join(','))].join('\n') + '\n';
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
