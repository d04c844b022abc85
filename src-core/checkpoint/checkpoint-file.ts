/**
 * Node-only checkpoint file I/O, kept in this one module (loaded on demand by the Saver) so the rest of
 * src-core stays free of Node imports. Writes are atomic: a temp file in the same directory, fsync, then
 * rename over the target, so a crash at any point leaves either the old file or the new one, never a mix.
 */
import { readdirSync, statSync, unlinkSync } from 'node:fs';
import { open, readFile, rename, unlink, type FileHandle } from 'node:fs/promises';
import { basename, dirname, join } from 'node:path';
import { DataLossError, InternalError, NotFoundError, OpError, ResourceExhaustedError } from '../errors';
import type { NDArray } from '../ndarray';
import { decodeTensor, parseSafetensorsHeader, safetensorsHeaderLength, type DecodedCheckpoint, type SafetensorsLayout } from './safetensors';

/** Writes `chunks` to `path` atomically; on any failure the temp file is removed and `path` is untouched. */
export async function writeFileAtomic(path: string, chunks: Iterable<Uint8Array> | AsyncIterable<Uint8Array>): Promise<void> {
  const dir = dirname(path);
  // Same directory, so the rename cannot cross file systems; pid + random so writers never collide.
  const temp = join(dir, `.${basename(path)}.${process.pid}.${Math.random().toString(36).slice(2)}.tmp`);
  // (TEMP_NAME below recognises exactly these names, so cleanStaleTempFiles removes only ours.)
  let handle;
  try {
    handle = await open(temp, 'wx');
  } catch (error) {
    throw ioError(error, `cannot create '${temp}' to save checkpoint '${path}'`);
  }
  try {
    for await (const chunk of chunks) await handle.write(chunk);
    await handle.sync();
    await handle.close();
    handle = undefined;
    await rename(temp, path);
  } catch (error) {
    await handle?.close().catch(() => undefined);
    await unlink(temp).catch(() => undefined);
    throw error instanceof OpError ? error : ioError(error, `writing checkpoint '${path}' failed`);
  }
  await syncDirectory(dir);
}

export interface ReadSafetensorsOptions {
  /** Called with the checked layout before any tensor data is read or allocated; throw to refuse the file. */
  check?: (layout: SafetensorsLayout) => void;
  /** Read only these tensors (the others are never read); default all. Names not in the file are skipped. */
  names?: readonly string[];
}

/**
 * Reads a safetensors checkpoint header first: its length is bounded and checked against the file's size,
 * the layout is checked (and offered to `check`), and only then are the tensors read, each from its own
 * range. A hostile header costs a few reads; a huge tensor nobody asked for is never read.
 */
export async function readSafetensorsFile(path: string, options: ReadSafetensorsOptions = {}): Promise<DecodedCheckpoint> {
  return withCheckpoint(path, async (handle, size) => {
    const layout = await readLayout(handle, size, path);
    options.check?.(layout);
    const wanted = options.names === undefined ? null : new Set(options.names);
    const tensors = new Map<string, NDArray>();
    for (const t of layout.tensors) {
      if (wanted !== null && !wanted.has(t.name)) continue;
      tensors.set(t.name, decodeTensor(t, await readExactly(handle, path, layout.dataStart + t.begin, t.end - t.begin)));
    }
    return { tensors, metadata: layout.metadata };
  });
}

/** A checkpoint's `__metadata__` alone, without reading its tensors (listing a folder of checkpoints). */
export async function readSafetensorsMetadata(path: string): Promise<Record<string, string>> {
  return withCheckpoint(path, async (handle, size) => (await readLayout(handle, size, path)).metadata);
}

async function readLayout(handle: FileHandle, size: number, path: string): Promise<SafetensorsLayout> {
  const headerLength = safetensorsHeaderLength(await readExactly(handle, path, 0, Math.min(8, size)), size, path);
  return parseSafetensorsHeader(await readExactly(handle, path, 8, headerLength), size, path);
}

async function withCheckpoint<T>(path: string, read: (handle: FileHandle, size: number) => Promise<T>): Promise<T> {
  let handle: FileHandle;
  try {
    handle = await open(path, 'r');
  } catch (error) {
    throw readError(error, path);
  }
  try {
    return await read(handle, (await handle.stat()).size);
  } catch (error) {
    throw error instanceof OpError ? error : readError(error, path);
  } finally {
    await handle.close().catch(() => undefined);
  }
}

async function readExactly(handle: FileHandle, path: string, position: number, length: number): Promise<Uint8Array> {
  const out = new Uint8Array(length);
  let done = 0;
  while (done < length) {
    const { bytesRead } = await handle.read(out, done, Math.min(length - done, 0x4000_0000), position + done);
    if (bytesRead === 0) break;
    done += bytesRead;
  }
  if (done < length) throw new DataLossError(`checkpoint '${path}' shrank while it was read: expected ${length} bytes at offset ${position}, got ${done}`);
  return out;
}

function readError(error: unknown, path: string): OpError {
  if (errnoOf(error) === 'ENOENT') return new NotFoundError(`checkpoint '${path}' does not exist`);
  return new DataLossError(`checkpoint '${path}' could not be read: ${error instanceof Error ? error.message : String(error)}`);
}

export async function readCheckpointFile(path: string): Promise<Uint8Array> {
  try {
    return await readFile(path);
  } catch (error) {
    if (errnoOf(error) === 'ENOENT') throw new NotFoundError(`checkpoint '${path}' does not exist`);
    throw new DataLossError(`checkpoint '${path}' could not be read: ${String(error)}`);
  }
}

/** Makes the rename itself durable; some platforms cannot open directories, which is fine to skip. */
async function syncDirectory(dir: string): Promise<void> {
  try {
    const handle = await open(dir, 'r');
    try {
      await handle.sync();
    } finally {
      await handle.close();
    }
  } catch {
    // Not supported here (Windows): the rename is still atomic, only its durability is the OS's.
  }
}

function errnoOf(error: unknown): string | undefined {
  return error instanceof Error && 'code' in error ? String(error.code) : undefined;
}

/** Node's errors as TF-1's classes: a missing directory, a full disk, anything else. */
function ioError(error: unknown, what: string): OpError {
  const message = `${what}: ${error instanceof Error ? error.message : String(error)}`;
  const code = errnoOf(error);
  if (code === 'ENOENT') return new NotFoundError(message);
  if (code === 'ENOSPC' || code === 'EDQUOT') return new ResourceExhaustedError(message);
  return new InternalError(message);
}

/** `.NAME.PID.RANDOM.tmp`, the temp files writeFileAtomic creates; the groups are NAME and PID. */
const TEMP_NAME = /^\.(.+)\.(\d+)\.[a-z0-9]+\.tmp$/;

/** A temp file older than this is stale even when a process with its writer's pid is alive (pids get reused). */
export const STALE_TEMP_AGE_MS = 60 * 60 * 1000;

export interface CleanTempOptions {
  maxAgeMs?: number;
  /** Whether a process with this pid is running (tests inject one; default: signal 0). */
  isAlive?: (pid: number) => boolean;
}

/**
 * Removes the temp files of interrupted atomic writes in `dir`: only names writeFileAtomic makes, and only
 * when their writer's process is gone or they are older than `maxAgeMs`, so a write in progress (in this
 * process or another host's) is never touched. Synchronous, so a host can run it at start before anything
 * writes there. Returns the names removed; a file that cannot be inspected or removed is left alone.
 */
export function cleanStaleTempFiles(dir: string, options: CleanTempOptions = {}): string[] {
  const maxAgeMs = options.maxAgeMs ?? STALE_TEMP_AGE_MS;
  const isAlive = options.isAlive ?? processIsAlive;
  let names: string[];
  try {
    names = readdirSync(dir);
  } catch {
    return [];
  }
  const removed: string[] = [];
  for (const name of names) {
    const match = TEMP_NAME.exec(name);
    if (match === null) continue;
    const path = join(dir, name);
    try {
      const stat = statSync(path);
      if (!stat.isFile()) continue;
      const pid = Number(match[2]);
      const stale = Date.now() - stat.mtimeMs > maxAgeMs || (pid !== process.pid && !isAlive(pid));
      if (!stale) continue;
      unlinkSync(path);
      removed.push(name);
    } catch {
      // Gone already, or not ours to remove: either way nothing to do.
    }
  }
  return removed;
}

function processIsAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    // EPERM: it exists but belongs to another user.
    return errnoOf(error) === 'EPERM';
  }
}
