/**
 * Node-only checkpoint file I/O, kept in this one module (loaded on demand by the Saver) so the rest of
 * src-core stays free of Node imports. Writes are atomic: a temp file in the same directory, fsync, then
 * rename over the target, so a crash at any point leaves either the old file or the new one, never a mix.
 */
import { open, readFile, rename, unlink } from 'node:fs/promises';
import { basename, dirname, join } from 'node:path';
import { DataLossError, InternalError, NotFoundError, OpError, ResourceExhaustedError } from '../errors';

/** Writes `chunks` to `path` atomically; on any failure the temp file is removed and `path` is untouched. */
export async function writeFileAtomic(path: string, chunks: Iterable<Uint8Array> | AsyncIterable<Uint8Array>): Promise<void> {
  const dir = dirname(path);
  // Same directory, so the rename cannot cross file systems; pid + random so writers never collide.
  const temp = join(dir, `.${basename(path)}.${process.pid}.${Math.random().toString(36).slice(2)}.tmp`);
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
