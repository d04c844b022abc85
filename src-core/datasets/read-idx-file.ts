import { readFileSync } from 'node:fs';
import { gunzipSync } from 'node:zlib';
import { DataLossError, NotFoundError } from '../errors';
import { decodeIdx, isGzip, type IdxArray } from './idx';

/**
 * Node-only: reads an IDX file from disk, gunzipping it when it starts with the gzip magic (whatever its
 * name), and parses it. Kept apart from `idx.ts` so that the parser itself stays free of Node imports.
 */
export function readIdxFile(path: string): IdxArray {
  return decodeIdx(maybeGunzip(readBytes(path), path), path);
}

function readBytes(path: string): Uint8Array {
  try {
    return readFileSync(path);
  } catch (error) {
    if (isErrnoException(error) && error.code === 'ENOENT') {
      throw new NotFoundError(`IDX file '${path}' does not exist`);
    }
    throw new DataLossError(`IDX file '${path}' could not be read: ${describe(error)}`);
  }
}

/** Decompresses gzip bytes, turning zlib's terse errors into ones that name the file and its size. */
export function maybeGunzip(bytes: Uint8Array, fileName: string): Uint8Array {
  if (!isGzip(bytes)) return bytes;
  try {
    return gunzipSync(bytes);
  } catch (error) {
    throw new DataLossError(
      `IDX file '${fileName}': gzip data (${bytes.length} compressed bytes) is corrupt or truncated: ${describe(error)}`,
    );
  }
}

function isErrnoException(error: unknown): error is NodeJS.ErrnoException {
  return error instanceof Error && 'code' in error;
}

function describe(error: unknown): string {
  if (!(error instanceof Error)) return String(error);
  return isErrnoException(error) && error.code !== undefined ? `${error.message} (${error.code})` : error.message;
}
