/**
 * The Runs view's CSV export: one row per run per recorded step, with the run's settings in every row so
 * a spreadsheet or pandas can group by any of them without a second file.
 *
 *   run,id,model,data,optimizer,lr,batch,backend,step,loss,accuracy,wall_s
 *
 * lr and backend are those in effect at that step (a run can move backend or resume with a new rate);
 * loss or accuracy is empty where the step has none (accuracy is measured less often than loss); wall_s is
 * seconds since the run started. Text is quoted as RFC 4180 says (commas, quotes, line breaks).
 */
import type { RunRecord } from '../../src-app-api/runs-schemas';

export const RUNS_CSV_COLUMNS = ['run', 'id', 'model', 'data', 'optimizer', 'lr', 'batch', 'backend', 'step', 'loss', 'accuracy', 'wall_s'] as const;

export function csvField(value: string | number | null): string {
  if (value === null) return '';
  const text = String(value);
  return /[",\r\n]/.test(text) ? `"${text.replaceAll('"', '""')}"` : text;
}

/** The value in effect at `step`: the last change at or before it, else the first. */
function atStep<T>(changes: readonly { step: number; value: T }[], step: number): T {
  let current = changes[0].value;
  for (const c of changes) if (c.step <= step) current = c.value;
  return current;
}

export function runsCsv(runs: readonly RunRecord[]): string {
  const lines = [RUNS_CSV_COLUMNS.join(',')];
  for (const run of runs) {
    const rates = [{ step: run.startStep, value: run.settings.learningRate }, ...run.learningRates.map((c) => ({ step: c.step, value: c.learningRate }))];
    const backends = run.backends.map((b) => ({ step: b.step, value: b.backend }));
    const byStep = new Map<number, { loss: number | null; accuracy: number | null; wall: number }>();
    for (const [step, loss, wall] of run.loss) byStep.set(step, { loss, accuracy: null, wall });
    for (const [step, accuracy, wall] of run.accuracy) byStep.set(step, { loss: byStep.get(step)?.loss ?? null, accuracy, wall: byStep.get(step)?.wall ?? wall });
    for (const step of [...byStep.keys()].sort((a, b) => a - b)) {
      const p = byStep.get(step) as { loss: number | null; accuracy: number | null; wall: number };
      const s = run.settings;
      lines.push([run.name, run.id, s.model, s.data, s.optimizer, atStep(rates, step), s.batchSize, atStep(backends, step), step, p.loss, p.accuracy, Number(p.wall.toFixed(3))].map(csvField).join(','));
    }
  }
  return `${lines.join('\n')}\n`;
}
