/** The Compare view: the benchmark across backends, the op-coverage table, and CSV/JSON export. */
import { defineStore } from 'pinia';
import { reactive, ref } from 'vue';
import type { CompareRow, Coverage, Req, Res } from '../../src-app-api/schemas';
import { COMPARE_FIELD_LIMITS } from '../../src-app-api/field-limits';
import { apiClient } from '../api';
import { checkNumber } from '../lib/train-fields';

export type CompareCaption = Res<'compare:run'>['caption'];
type CompareField = keyof typeof COMPARE_FIELD_LIMITS;

/** The table's caption in words: what ran, and why its timings may be lower than the machine's. */
export function captionText(c: CompareCaption): string {
  const parts = [`${c.model}, ${c.steps} steps of batch ${c.batchSize} on each backend (at most ${Number(c.budgetSecondsPerBackend.toPrecision(2))} s each)`];
  if (c.sharedWithTraining) parts.push('training was running at the same time and shared the CPU cores, so these timings are lower than on an idle machine');
  if (c.cancelled) parts.push('cancelled: the rows show what ran before the cancel');
  return parts.join('; ');
}

/** A row's note when its backend did not run or did not finish its steps. */
export function rowNote(row: CompareRow): string {
  if (row.error !== null) return row.error;
  if (row.stopped === 'budget') return `stopped after ${row.steps ?? 0} steps: its time budget ran out`;
  if (row.stopped === 'cancelled') return `cancelled after ${row.steps ?? 0} steps`;
  return '';
}

/** The form's fields that cannot be sent, in words (the contract's limits). */
export function validateCompare(request: Req<'compare:run'>): Partial<Record<CompareField, string>> {
  const errors: Partial<Record<CompareField, string>> = {};
  for (const field of Object.keys(COMPARE_FIELD_LIMITS) as CompareField[]) {
    const found = checkNumber(request[field], COMPARE_FIELD_LIMITS[field]);
    if (found) errors[field] = found;
  }
  return errors;
}

type ScalarColumn = Exclude<keyof CompareRow, 'adapter'>;
const COLUMNS: ScalarColumn[] = ['backend', 'steps', 'stepsPerSecond', 'msPerStep', 'timeToAccuracy', 'finalAccuracy', 'lossMaxDiff', 'lossMeanDiff', 'weightMaxDiff', 'weightMeanDiff', 'stopped', 'error'];

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
  const caption = ref<CompareCaption | null>(null);
  const running = ref(false);
  const error = ref<string | null>(null);
  const fieldErrors = ref<Partial<Record<CompareField, string>>>({});

  async function run(): Promise<void> {
    if (running.value) return;
    fieldErrors.value = validateCompare(request);
    if (Object.keys(fieldErrors.value).length > 0) return;
    running.value = true;
    error.value = null;
    try {
      const result = await apiClient().call('compare:run', { ...request });
      rows.value = result.rows;
      caption.value = result.caption;
    } catch (e) {
      error.value = e instanceof Error ? e.message : String(e);
    } finally {
      running.value = false;
    }
  }

  /** Ends a running comparison; its run() then resolves with the rows measured so far. */
  async function cancel(): Promise<void> {
    try {
      await apiClient().call('compare:cancel', {});
    } catch (e) {
      error.value = e instanceof Error ? e.message : String(e);
    }
  }

  async function loadCoverage(): Promise<void> {
    coverage.value = await apiClient().call('compare:coverage', {});
  }

  return { request, rows, caption, coverage, running, error, fieldErrors, run, cancel, loadCoverage, csv: () => rowsToCsv(rows.value), json: () => JSON.stringify(rows.value, null, 2) };
});
