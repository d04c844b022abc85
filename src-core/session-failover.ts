/**
 * What lets a session survive the loss of its device: host copies of its variables taken every few
 * steps while it trains on a backend that can lose its device, and the move to the next backend by
 * priority when that happens. Training goes on from the last copy; the event says how old it was.
 */
import type { Backend, BackendBuffer, TypedArray } from '../backends/interface';
import { availableBackends, createBackend } from '../backends/registry';
import { FailedPreconditionError } from './errors';
import type { Operation } from './graph/operation';

export interface FailoverOptions {
  /** Copy the variables to the host after every this many runs that assign them (default 20). */
  snapshotEvery?: number;
  /** Told once the session has moved to a new backend. */
  onFailover?: (event: FailoverEvent) => void;
}

export interface FailoverEvent {
  from: string;
  to: string;
  /** Why the device was lost, as the backend reported it. */
  reason: string;
  /** Variables restored from the last host copy. */
  restored: number;
  /** Variables that had no copy yet: uninitialised on the new backend (run the initializer or restore a checkpoint). */
  missing: string[];
  /** Runs that assigned variables after the copy was taken: their updates are lost. */
  runsLost: number;
}

export interface VariableValue {
  data: TypedArray;
  shape: readonly number[];
}

/** The latest complete host copy of a session's variables. */
export class VariableSnapshots {
  private values = new Map<Operation, VariableValue>();
  /** Assigning runs so far, the count when the kept copy was started (-1: none yet), and when the last one started. */
  private runs = 0;
  private copiedAt = -1;
  private startedAt = -1;
  private pending = false;
  private readonly every: number;

  constructor(every = 20) {
    this.every = Math.max(1, every);
  }

  /**
   * Called after each run that assigned variables. Takes a copy now and then, without waiting for it:
   * reads are queued behind the step, so the copy holds the values this run produced.
   */
  afterAssigningRun(backend: Backend, variables: ReadonlyMap<Operation, SnapshotSource>): void {
    this.runs++;
    if (this.pending || (this.startedAt >= 0 && this.runs - this.startedAt < this.every)) return;
    const entries = [...variables].filter(([, slot]) => slot.initialized);
    const startedAt = this.runs;
    this.startedAt = startedAt;
    this.pending = true;
    Promise.all(entries.map(([, slot]) => backend.read(slot.buffer))).then(
      (datas) => {
        this.values = new Map(entries.map(([op, slot], i) => [op, { data: datas[i], shape: [...slot.shape] }]));
        this.copiedAt = startedAt;
        this.pending = false;
      },
      () => {
        // The device went away mid-copy: the previous complete copy stays.
        this.pending = false;
      },
    );
  }

  get(variable: Operation): VariableValue | undefined {
    return this.values.get(variable);
  }

  /** Assigning runs whose updates the kept copy does not hold. */
  get runsLost(): number {
    return this.copiedAt < 0 ? this.runs : this.runs - this.copiedAt;
  }
}

export interface SnapshotSource {
  buffer: BackendBuffer;
  shape: readonly number[];
  initialized: boolean;
}

/** The best available backend not named in `lostNames`, created; throws naming what was tried. */
export async function nextBackendAfter(lostNames: readonly string[]): Promise<Backend> {
  const lostName = lostNames[0];
  const candidates = (await availableBackends()).filter((b) => b.available && !lostNames.includes(b.name));
  const tried: string[] = [];
  for (const c of candidates) {
    try {
      return await createBackend(c.name);
    } catch (e) {
      tried.push(`${c.name}: ${e instanceof Error ? e.message : String(e)}`);
    }
  }
  throw new FailedPreconditionError(`no backend to move to after losing '${lostName}'${tried.length ? ` (tried ${tried.join('; ')})` : ''}`);
}

/** Waits up to `ms` for a lost-device report; null when the device is fine (or cannot be lost). */
export async function lostReason(backend: Backend, ms = 250): Promise<string | null> {
  if (!backend.lost) return null;
  let timer: ReturnType<typeof setTimeout> | undefined;
  const timeout = new Promise<null>((resolve) => (timer = setTimeout(() => resolve(null), ms)));
  try {
    return await Promise.race([backend.lost, timeout]);
  } finally {
    clearTimeout(timer);
  }
}
