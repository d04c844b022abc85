/**
 * The kept training runs: one JSON file per run in the runs folder beside the autosave (so the web host
 * and Electron each keep theirs under their own home), each written whole by an atomic rename. Read once
 * when the worker starts and held in memory; a file that is not a readable run is skipped and named in
 * the list (never a crash), and only the newest RUNS_CAPACITY runs are kept.
 */
import { mkdirSync, readdirSync, readFileSync, renameSync, unlinkSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { RUN_ID, RUNS_CAPACITY, RunFileSchema, type RunRecord, type RunSummary } from '../../src-app-api/runs-schemas';

export interface RunsList {
  runs: RunSummary[];
  skipped: { file: string; reason: string }[];
  capacity: number;
  /** The last failed write (the run is still kept in memory), null once one succeeds. */
  storeError: string | null;
}

/** `<autosave folder>/runs`, null (memory only) without an autosave path: tests and scripts. */
export function runsDirFor(autosavePath: string | null): string | null {
  return autosavePath === null ? null : join(dirname(autosavePath), 'runs');
}

export function summaryOf(record: RunRecord): RunSummary {
  const { loss, accuracy, ...summary } = record;
  void loss;
  void accuracy;
  return summary;
}

const newestFirst = (a: RunRecord, b: RunRecord): number => b.startedAt.localeCompare(a.startedAt) || b.id.localeCompare(a.id);

export class RunStore {
  private readonly records = new Map<string, RunRecord>();
  private readonly skipped: { file: string; reason: string }[] = [];
  private storeError: string | null = null;
  /** The run being recorded: never the one the cap deletes. */
  private liveId: string | null = null;

  constructor(
    private readonly dir: string | null,
    private readonly capacity = RUNS_CAPACITY,
    private readonly log: (message: string) => void = (m) => console.error(m),
  ) {}

  /** Reads the folder; runs left running or paused by an app or worker that went away are 'interrupted'. */
  load(): void {
    if (this.dir === null) return;
    let files: string[];
    try {
      files = readdirSync(this.dir);
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code === 'ENOENT') return;
      this.storeError = `runs: cannot read the folder ${this.dir}: ${messageOf(e)}`;
      this.log(this.storeError);
      return;
    }
    for (const file of files.filter((f) => f.endsWith('.json')).sort()) {
      const reason = this.readOne(file);
      if (reason === null) continue;
      this.skipped.push({ file, reason });
      this.log(`runs: skipped ${join(this.dir, file)}: ${reason}`);
    }
    for (const record of this.records.values()) {
      if (record.state === 'running' || record.state === 'paused') this.put({ ...record, state: 'interrupted' });
    }
    this.enforceCapacity();
  }

  list(): RunsList {
    const runs = [...this.records.values()].sort(newestFirst).map(summaryOf);
    return { runs, skipped: [...this.skipped], capacity: this.capacity, storeError: this.storeError };
  }

  get(ids: readonly string[]): RunRecord[] {
    return ids.map((id) => {
      const record = this.records.get(id);
      if (record === undefined) throw new Error(`runs:get: no run '${id}' is kept (deleted, or beyond the last ${this.capacity})`);
      return record;
    });
  }

  /**
   * Keeps the run (new or updated) and writes it, unless `write` is false (the live run between its
   * periodic writes: listed and charted as it is, written a little later); a new one past the capacity
   * deletes the oldest.
   */
  put(record: RunRecord, options: { live?: boolean; write?: boolean } = {}): void {
    const isNew = !this.records.has(record.id);
    this.records.set(record.id, record);
    if (options.live === true) this.liveId = record.id;
    if (options.write !== false || isNew) this.write(record);
    if (isNew) this.enforceCapacity();
  }

  peek(id: string): RunRecord | undefined {
    return this.records.get(id);
  }

  delete(ids: readonly string[]): { deleted: number; remaining: number } {
    const missing = ids.filter((id) => !this.records.has(id));
    if (missing.length > 0) throw new Error(`runs:delete: no run ${missing.map((id) => `'${id}'`).join(', ')} is kept; nothing was deleted`);
    for (const id of new Set(ids)) this.remove(id);
    return { deleted: new Set(ids).size, remaining: this.records.size };
  }

  rename(id: string, name: string): RunSummary {
    const record = this.records.get(id);
    if (record === undefined) throw new Error(`runs:rename: no run '${id}' is kept`);
    const renamed = { ...record, name: name.trim() };
    this.put(renamed);
    return summaryOf(renamed);
  }

  private readOne(file: string): string | null {
    const id = file.slice(0, -'.json'.length);
    if (!RUN_ID.test(id)) return 'not a run file name (<id>.json)';
    let raw: unknown;
    try {
      raw = JSON.parse(readFileSync(join(this.dir as string, file), 'utf8'));
    } catch (e) {
      return e instanceof SyntaxError ? `not valid JSON (${e.message})` : messageOf(e);
    }
    const parsed = RunFileSchema.safeParse(raw);
    if (!parsed.success) {
      const issue = parsed.error.issues[0];
      return `not a tinyflow run: ${issue.path.join('.') || '(file)'}: ${issue.message}`;
    }
    const { format, version, ...record } = parsed.data;
    void format;
    void version;
    if (record.id !== id) return `holds run '${record.id}', not '${id}'`;
    this.records.set(id, record);
    return null;
  }

  private enforceCapacity(): void {
    const oldestFirst = [...this.records.values()].sort(newestFirst).reverse();
    for (const record of oldestFirst) {
      if (this.records.size <= this.capacity) break;
      if (record.id !== this.liveId) this.remove(record.id);
    }
  }

  private remove(id: string): void {
    this.records.delete(id);
    if (this.liveId === id) this.liveId = null;
    if (this.dir === null) return;
    try {
      unlinkSync(join(this.dir, `${id}.json`));
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code !== 'ENOENT') this.fail(`runs: cannot delete ${join(this.dir, `${id}.json`)}: ${messageOf(e)}`);
    }
  }

  /** Whole file to a temporary name, then one rename: a crash leaves the old run file or the new one. */
  private write(record: RunRecord): void {
    if (this.dir === null) return;
    const path = join(this.dir, `${record.id}.json`);
    const tmp = `${path}.${process.pid}.tmp`;
    try {
      mkdirSync(this.dir, { recursive: true });
      writeFileSync(tmp, JSON.stringify({ format: 'tinyflow-run', version: 1, ...record }));
      renameSync(tmp, path);
      this.storeError = null;
    } catch (e) {
      this.fail(`runs: cannot write ${path}: ${messageOf(e)}; the run is kept until the app closes`);
    }
  }

  private fail(message: string): void {
    if (message !== this.storeError) this.log(message);
    this.storeError = message;
  }
}

function messageOf(e: unknown): string {
  return e instanceof Error ? e.message : String(e);
}
