import { closeSync, fstatSync, openSync, readSync } from 'node:fs';
import { constants as zlibConstants, gunzipSync } from 'node:zlib';
import { DataLossError, NotFoundError, OpError } from '../errors';
import { decodeIdx, idxError, isGzip, MAX_IDX_HEADER_BYTES, parseIdxHeader, type IdxArray, type IdxHeader } from './idx';

/**
 * Node-only: reads an IDX file from disk, gunzipping it when it starts with the gzip magic (whatever its
 * name), and parses it. Kept apart from `idx.ts` so that the parser itself stays free of Node imports.
 *
 * Nothing is allocated from what a file merely claims: the header is read first and its declared size is
 * checked against the file (plain) or used as the output limit of the inflater (gzip), and both are capped.
 */

/** The most bytes of data one IDX file may declare; EMNIST's largest split has about 550 MB. */
export const MAX_IDX_DATA_BYTES = 1024 * 1024 * 1024;

export interface ReadIdxOptions {
  /** Refuse files whose header declares more than this many bytes of data (default `MAX_IDX_DATA_BYTES`). */
  maxBytes?: number;
}

export function readIdxFile(path: string, options: ReadIdxOptions = {}): IdxArray {
  const maxBytes = options.maxBytes ?? MAX_IDX_DATA_BYTES;
  const fd = openFile(path);
  try {
    const size = fileSize(fd, path);
    // Enough for any plain header, and for the gzip prefix the header is inflated from.
    const head = readAt(fd, path, 0, Math.min(size, GZIP_HEADER_PROBE_BYTES));
    if (isGzip(head)) {
      const header = headerOfGzip(head, size, path, maxBytes);
      if (header !== null) checkCompressedSize(size, header, path);
      return decodeIdx(gunzipBounded(readAt(fd, path, 0, size), header, path), path);
    }
    const header = parseIdxHeader(head, path, maxBytes);
    checkPlainSize(header, size, path);
    return decodeIdx(readAt(fd, path, 0, size), path);
  } finally {
    closeSync(fd);
  }
}

/**
 * Decompresses gzip bytes without trusting them: the IDX header is inflated from a small prefix first,
 * then the whole stream is inflated with its output limited to the size that header declares, so a gzip
 * bomb stops as soon as it passes that size instead of filling memory. zlib's terse errors become ones
 * that name the file and its size.
 */
export function maybeGunzip(bytes: Uint8Array, fileName: string, maxBytes = MAX_IDX_DATA_BYTES): Uint8Array {
  if (!isGzip(bytes)) return bytes;
  return gunzipBounded(bytes, headerOfGzip(bytes.subarray(0, GZIP_HEADER_PROBE_BYTES), bytes.length, fileName, maxBytes), fileName);
}

/** `header`: what the stream's first bytes declare, null when the stream is too short to hold one. */
function gunzipBounded(compressed: Uint8Array, header: IdxHeader | null, fileName: string): Uint8Array {
  if (header === null) return inflate(compressed, fileName, MAX_IDX_HEADER_BYTES); // decodeIdx reports the truncation
  const declared = header.headerSize + header.dataBytes;
  try {
    return gunzipSync(compressed, { maxOutputLength: Math.max(declared, 1) });
  } catch (error) {
    if (errnoOf(error) === 'ERR_BUFFER_TOO_LARGE') {
      throw idxError(fileName)(`gzip output exceeds the ${declared} bytes its IDX header declares (${compressed.length} compressed bytes)`);
    }
    throw corruptGzip(error, compressed.length, fileName);
  }
}

/** How much of a gzip stream is inflated to find the IDX header: at most about 1032 × this many bytes come out. */
const GZIP_HEADER_PROBE_BYTES = 64 * 1024;

/**
 * The IDX header at the start of a gzip stream, inflated from growing prefixes of `start`, the stream's
 * first bytes (1 KiB first: deflate expands at most about 1032:1, so even a bomb yields about 1 MiB
 * there). Null when the whole stream inflates to fewer bytes than a header: decodeIdx then reports it.
 */
function headerOfGzip(start: Uint8Array, compressedSize: number, fileName: string, maxBytes: number): IdxHeader | null {
  for (let prefix = 1024; ; prefix *= 4) {
    const chunk = start.subarray(0, prefix);
    const complete = chunk.length >= compressedSize;
    const out = complete ? inflate(chunk, fileName, MAX_IDX_HEADER_BYTES) : inflatePrefix(chunk, compressedSize, fileName);
    const rank = out.length >= 4 ? out[3] : 255;
    if (out.length >= 4 + 4 * rank || complete) {
      return out.length < 4 ? null : parseIdxHeader(out, fileName, maxBytes);
    }
    if (chunk.length >= start.length) {
      throw idxError(fileName)(`the first ${chunk.length} compressed bytes inflate to only ${out.length} bytes, too few for an IDX header`);
    }
  }
}

/** Inflates a whole stream, keeping at most `limit` bytes of its output. */
function inflate(compressed: Uint8Array, fileName: string, limit: number): Uint8Array {
  try {
    const out = gunzipSync(compressed);
    return out.length > limit ? out.subarray(0, limit) : out;
  } catch (error) {
    throw corruptGzip(error, compressed.length, fileName);
  }
}

/** Inflates the first bytes of a longer stream, accepting that it is cut short there. */
function inflatePrefix(prefix: Uint8Array, compressedSize: number, fileName: string): Uint8Array {
  try {
    return gunzipSync(prefix, { finishFlush: zlibConstants.Z_SYNC_FLUSH });
  } catch (error) {
    throw corruptGzip(error, compressedSize, fileName);
  }
}

function corruptGzip(error: unknown, compressedSize: number, fileName: string): DataLossError {
  return idxError(fileName)(`gzip data (${compressedSize} compressed bytes) is corrupt or truncated: ${describe(error)}`);
}

/**
 * A gzip file cannot be much larger than what its header declares it inflates to: deflate adds a few bytes
 * per 64 KiB block at worst. Checked before the compressed bytes are read, so a huge (or sparse) file
 * that starts with a small gzipped header is refused without reading it.
 */
function checkCompressedSize(size: number, header: IdxHeader, path: string): void {
  const declared = header.headerSize + header.dataBytes;
  const limit = declared + Math.ceil(declared / 1000) + 64 * 1024;
  if (size > limit) {
    throw idxError(path)(
      `the gzip file has ${size} bytes, more than the ${limit} bytes the ${declared} bytes its IDX header declares can compress to`,
    );
  }
}

function checkPlainSize(header: IdxHeader, size: number, path: string): void {
  const expected = header.headerSize + header.dataBytes;
  if (size === expected) return;
  const kind = size < expected ? 'truncated data' : 'trailing bytes';
  throw idxError(path)(
    `${kind}: expected ${header.dataBytes} bytes of data for dims [${header.dims.join(',')}] (${header.type}) ` +
      `but found ${size - header.headerSize}`,
  );
}

function openFile(path: string): number {
  try {
    return openSync(path, 'r');
  } catch (error) {
    if (errnoOf(error) === 'ENOENT') throw new NotFoundError(`IDX file '${path}' does not exist`);
    throw new DataLossError(`IDX file '${path}' could not be read: ${describe(error)}`);
  }
}

function fileSize(fd: number, path: string): number {
  try {
    return fstatSync(fd).size;
  } catch (error) {
    throw new DataLossError(`IDX file '${path}' could not be read: ${describe(error)}`);
  }
}

/** Reads exactly `length` bytes from `position`; a file that shrinks underneath is reported, not zero-filled. */
function readAt(fd: number, path: string, position: number, length: number): Uint8Array {
  const out = Buffer.allocUnsafe(length);
  let done = 0;
  // A directory opens fine and only fails here (EISDIR), as does any other read error.
  try {
    // readSync reads at most 2 GiB - 1 per call and may return fewer bytes than asked for.
    while (done < length) {
      const n = readSync(fd, out, done, Math.min(length - done, 0x7fff_f000), position + done);
      if (n === 0) break;
      done += n;
    }
  } catch (error) {
    throw error instanceof OpError ? error : new DataLossError(`IDX file '${path}' could not be read: ${describe(error)}`);
  }
  if (done < length) throw idxError(path)(`the file shrank while it was read: expected ${length} bytes at offset ${position}, got ${done}`);
  return out;
}

function errnoOf(error: unknown): string | undefined {
  return error instanceof Error && 'code' in error ? String(error.code) : undefined;
}

function describe(error: unknown): string {
  if (!(error instanceof Error)) return String(error);
  const code = errnoOf(error);
  return code !== undefined ? `${error.message} (${code})` : error.message;
}
