/**
 * Runs compare:run in its own thread (compare-thread.ts) and bounds it: each backend has a time budget
 * (the thread stops between steps when it runs out), a backend stuck in one step past its budget plus
 * a grace period ends the thread, and cancel() (compare:cancel, train:stop, train:pause) ends it at
 * once. Whatever ends it, the rows measured so far come back and every other backend gets a row
 * saying why it has no numbers.
 */
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { Worker } from 'node:worker_threads';
import type { CompareRow, Req } from '../../src-app-api/schemas';
import { compareOrder, failedRow } from './compare';
import { spawnTsWorker } from './spawn-worker';

export type CompareThreadMessage =
  | { kind: 'backend'; backend: string }
  | { kind: 'row'; row: CompareRow }
  | { kind: 'done'; rows: CompareRow[] }
  | { kind: 'failed'; error: string };

/** The whole comparison's time budget, shared evenly by the backends. */
export const COMPARE_BUDGET_MS = 20_000;
/** How long a backend may overrun its budget (one step still running) before its thread is ended. */
const OVERRUN_GRACE_MS = 5_000;

export interface CompareOutcome {
  rows: CompareRow[];
  cancelled: boolean;
  budgetMsPerBackend: number;
}

function spawnCompareThread(data: { request: Req<'compare:run'>; budgetMs: number }): Worker {
  const built = new URL('./compare-thread.js', import.meta.url);
  if (existsSync(fileURLToPath(built))) return new Worker(built, { workerData: data });
  return spawnTsWorker(new URL('./compare-thread.ts', import.meta.url), data);
}

export class CompareRunner {
  private cancelCurrent: (() => void) | null = null;

  constructor(private readonly totalBudgetMs: number = COMPARE_BUDGET_MS, private readonly graceMs: number = OVERRUN_GRACE_MS) {}

  get running(): boolean {
    return this.cancelCurrent !== null;
  }

  /** Ends the running comparison; false when none was running. */
  cancel(): boolean {
    const cancel = this.cancelCurrent;
    cancel?.();
    return cancel !== null;
  }

  run(request: Req<'compare:run'>): Promise<CompareOutcome> {
    if (this.running) return Promise.reject(new Error('compare:run: a comparison is already running; wait for it or cancel it'));
    const order = compareOrder();
    const budgetMs = this.totalBudgetMs / Math.max(order.length, 1);
    const worker = spawnCompareThread({ request, budgetMs });
    return new Promise<CompareOutcome>((resolve, reject) => {
      const rows: CompareRow[] = [];
      let inFlight: string | null = null;
      let overrun: NodeJS.Timeout | undefined;
      let settled = false;
      const settle = (outcome: { rows: CompareRow[]; cancelled: boolean } | Error): void => {
        if (settled) return;
        settled = true;
        clearTimeout(overrun);
        this.cancelCurrent = null;
        void worker.terminate();
        if (outcome instanceof Error) reject(outcome);
        else resolve({ ...outcome, budgetMsPerBackend: budgetMs });
      };
      /** The rows so far, the in-flight backend's with `why`, and the backends never started. */
      const endEarly = (why: string, stopped: CompareRow['stopped'], notRun: string): CompareRow[] => {
        const done = new Set(rows.map((r) => r.backend));
        const cut = inFlight === null ? [] : [failedRow(inFlight, why, stopped)];
        const rest = order.filter((b) => !done.has(b) && b !== inFlight).map((b) => failedRow(b, notRun, stopped));
        return [...rows, ...cut, ...rest];
      };
      this.cancelCurrent = () => settle({ rows: endEarly('cancelled before it finished', 'cancelled', 'not run: the comparison was cancelled'), cancelled: true });
      worker.on('message', (m: CompareThreadMessage) => {
        if (m.kind === 'backend') {
          inFlight = m.backend;
          clearTimeout(overrun);
          overrun = setTimeout(() => {
            const stuck = inFlight ?? '?';
            const budget = (budgetMs / 1000).toFixed(1);
            settle({
              rows: endEarly(`one step took longer than its ${budget} s budget (plus ${this.graceMs / 1000} s); stopped`, 'budget', `not run: the comparison stopped when ${stuck} ran past its budget`),
              cancelled: false,
            });
          }, budgetMs + this.graceMs);
        } else if (m.kind === 'row') {
          rows.push(m.row);
          inFlight = null;
          clearTimeout(overrun);
        } else if (m.kind === 'done') settle({ rows: m.rows, cancelled: false });
        else settle(new Error(`compare:run: ${m.error}`));
      });
      worker.on('error', (e) => settle(new Error(`compare:run: the comparison's thread failed: ${e.message}`)));
      worker.on('exit', (code) => settle(new Error(`compare:run: the comparison's thread ended early (exit code ${code})`)));
    });
  }
}
