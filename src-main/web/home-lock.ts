/**
 * One host per studio home: two hosts on one home directory would overwrite each other's autosave and
 * recent list. The lock is a file (`host.lock`) created exclusively, naming the holder's pid (and its
 * URL without the token); a lock whose pid is no longer alive is stale and taken over.
 */
import { closeSync, linkSync, openSync, readFileSync, renameSync, unlinkSync, writeSync } from 'node:fs';
import { join } from 'node:path';

export const LOCK_FILE = 'host.lock';

export interface LockHolder {
  pid: number;
  /** Which host holds it: 'web' or 'electron'. */
  host: string;
  /** The web host's address (no token), when the holder is a web host. */
  url: string | null;
  since: string;
}

export class HomeLockedError extends Error {
  constructor(readonly home: string, readonly holder: LockHolder) {
    const where = holder.url === null ? '' : ` at ${holder.url}`;
    super(
      `another tinyflow studio (${holder.host} host, pid ${holder.pid}${where}) is using ${home}; ` +
        `use that one (open the URL it printed), stop it first, or give this one another home with TINYFLOW_STUDIO_HOME=<folder>`,
    );
    this.name = 'HomeLockedError';
  }
}

export interface HomeLock {
  readonly path: string;
  /** Records the host's URL (known once it listens) in the lock, for the message a second host prints. */
  setUrl(url: string): void;
  /** Removes the lock if it is still ours; synchronous, so it can run in a process 'exit' handler. */
  release(): void;
}

/** Whether a process with this pid exists (EPERM: it exists but belongs to another user). */
export function pidAlive(pid: number): boolean {
  if (!Number.isInteger(pid) || pid <= 0) return false;
  try {
    process.kill(pid, 0);
    return true;
  } catch (e) {
    return (e as NodeJS.ErrnoException).code === 'EPERM';
  }
}

function readHolder(path: string): LockHolder | null {
  try {
    const raw = JSON.parse(readFileSync(path, 'utf8')) as Partial<LockHolder>;
    if (typeof raw.pid !== 'number') return null;
    return { pid: raw.pid, host: typeof raw.host === 'string' ? raw.host : 'unknown', url: typeof raw.url === 'string' ? raw.url : null, since: String(raw.since ?? '') };
  } catch {
    return null;
  }
}

/** Writes `holder` to a private temp file and links it to `path`: the link fails (EEXIST) if a lock is already there, so the file appears whole or not at all. */
function createExclusive(path: string, holder: LockHolder): boolean {
  const tmp = `${path}.${process.pid}.${Date.now()}.tmp`;
  const fd = openSync(tmp, 'wx', 0o600);
  try {
    writeSync(fd, JSON.stringify(holder));
  } finally {
    closeSync(fd);
  }
  try {
    linkSync(tmp, path);
    return true;
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'EEXIST') return false;
    throw e;
  } finally {
    unlinkSync(tmp);
  }
}

/** Takes the home's lock for this process, or throws HomeLockedError naming the live holder. */
export function acquireHomeLock(home: string, host: string): HomeLock {
  const path = join(home, LOCK_FILE);
  const mine: LockHolder = { pid: process.pid, host, url: null, since: new Date().toISOString() };
  for (let attempt = 0; attempt < 5; attempt++) {
    if (createExclusive(path, mine)) return heldLock(path, mine);
    const holder = readHolder(path);
    // Our own pid counts as live: a second host in this process must not take over the first's lock.
    if (holder !== null && (holder.pid === process.pid || pidAlive(holder.pid))) throw new HomeLockedError(home, holder);
    // Stale (a dead pid, or an unreadable file): move it aside, then retry the exclusive create. If
    // another host took the stale lock over between our read and our rename, what we moved is its live
    // lock: put it back (link fails only if yet another host got in first), and the retry meets it.
    const moved = `${path}.stale-${process.pid}`;
    try {
      renameSync(path, moved);
    } catch {
      continue; // someone else moved it first; the next create decides
    }
    const movedHolder = readHolder(moved);
    if (movedHolder !== null && movedHolder.pid !== holder?.pid && pidAlive(movedHolder.pid)) {
      try {
        linkSync(moved, path);
      } catch {
        // A third host already holds the path.
      }
    }
    unlinkSync(moved);
  }
  const holder = readHolder(path);
  throw new HomeLockedError(home, holder ?? { pid: -1, host: 'unknown', url: null, since: '' });
}

function heldLock(path: string, mine: LockHolder): HomeLock {
  let released = false;
  const ours = (): boolean => readHolder(path)?.pid === mine.pid;
  return {
    path,
    setUrl(url) {
      if (released || !ours()) return;
      const tmp = `${path}.${process.pid}.url.tmp`;
      const fd = openSync(tmp, 'w', 0o600);
      try {
        writeSync(fd, JSON.stringify({ ...mine, url }));
      } finally {
        closeSync(fd);
      }
      renameSync(tmp, path);
    },
    release() {
      if (released) return;
      released = true;
      try {
        if (ours()) unlinkSync(path);
      } catch {
        // Already gone: nothing to release.
      }
    },
  };
}
