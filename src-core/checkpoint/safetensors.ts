/**
 * The safetensors format (huggingface/safetensors), pure and platform-free: an 8-byte little-endian
 * header length N, N bytes of JSON `{name: {dtype, shape, data_offsets: [begin, end]}, __metadata__}`,
 * then the tensors' bytes, little-endian, offsets relative to the end of the header.
 */
import { DataLossError, InvalidArgumentError } from '../errors';
import type { DType, TypedArray } from '../graph/dtype';
import { formatShape } from '../graph/shape';
import { NDArray } from '../ndarray';

export interface NamedArray {
  name: string;
  array: NDArray;
}

export interface DecodedCheckpoint {
  tensors: Map<string, NDArray>;
  metadata: Record<string, string>;
}

const CODE_OF: Record<DType, string> = { float32: 'F32', int32: 'I32', bool: 'BOOL' };
const DTYPE_OF: Record<string, DType> = { F32: 'float32', I32: 'int32', BOOL: 'bool' };
const BYTES_PER: Record<DType, number> = { float32: 4, int32: 4, bool: 1 };
/**
 * Bounds checked before the header is parsed or any tensor allocated. tinyflow's own headers are a few
 * kB (the studio's metadata with the whole chart history stays well under 1 MiB); the reference
 * implementation allows 100 MB, which takes seconds and gigabytes to parse.
 */
export const MAX_HEADER_BYTES = 16 * 1024 * 1024;
export const MAX_TENSORS = 65_536;
const MAX_RANK = 32;
const METADATA_KEY = '__metadata__';

interface HeaderEntry {
  dtype: string;
  shape: number[];
  data_offsets: [number, number];
}

/** One tensor's place in the data section, checked: known dtype, shape × dtype = its span, in bounds. */
export interface TensorLayout {
  readonly name: string;
  readonly dtype: DType;
  readonly shape: number[];
  readonly begin: number;
  readonly end: number;
}

export interface SafetensorsLayout {
  readonly tensors: TensorLayout[];
  readonly metadata: Record<string, string>;
  /** Where the data section starts in the file: 8 + the header length. */
  readonly dataStart: number;
}

/**
 * Encodes as a list of chunks (length + header, then one chunk per tensor), so a writer can stream them
 * without first copying everything into one buffer.
 */
export function encodeSafetensors(tensors: readonly NamedArray[], metadata: Record<string, string> = {}): Uint8Array[] {
  const header: Record<string, HeaderEntry | Record<string, string>> = { [METADATA_KEY]: metadata };
  let offset = 0;
  for (const { name, array } of tensors) {
    if (name === METADATA_KEY || name in header) throw new InvalidArgumentError(`safetensors: tensor name '${name}' is reserved or repeated`);
    const size = array.size * BYTES_PER[array.dtype];
    header[name] = { dtype: CODE_OF[array.dtype], shape: [...array.shape], data_offsets: [offset, offset + size] };
    offset += size;
  }
  let json = JSON.stringify(header);
  // Pad with spaces so the tensor bytes start 8-byte aligned, as the reference writer does.
  json += ' '.repeat((8 - ((new TextEncoder().encode(json).length + 8) % 8)) % 8);
  const headerBytes = new TextEncoder().encode(json);
  const head = new Uint8Array(8 + headerBytes.length);
  new DataView(head.buffer).setBigUint64(0, BigInt(headerBytes.length), true);
  head.set(headerBytes, 8);
  return [head, ...tensors.map(({ array }) => toLittleEndianBytes(array.data, array.dtype))];
}

type Fail = (why: string) => DataLossError;

const failFor = (fileName: string): Fail => (why) => new DataLossError(`checkpoint '${fileName}' is corrupt or truncated: ${why}`);

/**
 * The header length from a file's first 8 bytes, checked against the bound and the file's size before
 * anything of that length is read or allocated.
 */
export function safetensorsHeaderLength(first8: Uint8Array, fileSize: number, fileName: string): number {
  const fail = failFor(fileName);
  if (first8.length < 8 || fileSize < 8) throw fail(`expected at least 8 bytes for the header length, found ${Math.min(first8.length, fileSize)}`);
  const length = new DataView(first8.buffer, first8.byteOffset, 8).getBigUint64(0, true);
  if (length > BigInt(MAX_HEADER_BYTES)) {
    throw fail(`header length ${length} is implausible: tinyflow reads headers of at most ${MAX_HEADER_BYTES} bytes (the file has ${fileSize} bytes)`);
  }
  const headerLength = Number(length);
  if (8 + headerLength > fileSize) throw fail(`expected a ${headerLength}-byte header after the length, found ${fileSize - 8} bytes`);
  return headerLength;
}

/**
 * Parses and checks a header against the size of the file it came from: every tensor has a known dtype,
 * a shape whose size matches its span, and the spans tile the data section exactly (in bounds,
 * contiguous, no overlap, nothing left over), so decoding can trust every offset.
 */
export function parseSafetensorsHeader(headerBytes: Uint8Array, fileSize: number, fileName: string): SafetensorsLayout {
  const fail = failFor(fileName);
  const dataStart = 8 + headerBytes.length;
  const dataBytes = fileSize - dataStart;
  const { entries, metadata } = parseHeader(headerBytes, fail);
  const tensors = entries.map(([name, entry]) => checkEntry(name, entry, dataBytes, fileSize, dataStart, fail));
  // Sorted by span, each tensor must start where the previous one ended (zero-size ones may share a point).
  const sorted = [...tensors].sort((a, b) => a.begin - b.begin || a.end - b.end);
  let at = 0;
  let previous: TensorLayout | null = null;
  for (const t of sorted) {
    if (t.begin < at && previous !== null) {
      throw fail(`tensor '${t.name}' (data bytes ${t.begin}-${t.end}) overlaps tensor '${previous.name}' (data bytes ${previous.begin}-${previous.end})`);
    }
    if (t.begin > at) throw fail(`the data bytes ${at}-${t.begin} before tensor '${t.name}' belong to no tensor`);
    at = t.end;
    previous = t;
  }
  if (at !== dataBytes) {
    throw fail(`the header accounts for ${at} data bytes but the file holds ${dataBytes} (expected a file of ${dataStart + at} bytes, found ${fileSize})`);
  }
  return { tensors, metadata, dataStart };
}

function checkEntry(name: string, entry: HeaderEntry, dataBytes: number, fileSize: number, dataStart: number, fail: Fail): TensorLayout {
  const dtype = DTYPE_OF[entry.dtype];
  if (!dtype) throw fail(`tensor '${name}' has dtype '${entry.dtype}'; tinyflow reads F32, I32 and BOOL`);
  if (entry.shape.length > MAX_RANK) throw fail(`tensor '${name}' has rank ${entry.shape.length}; tinyflow reads at most rank ${MAX_RANK}`);
  const [begin, end] = entry.data_offsets;
  // Compared step by step so that a huge shape cannot overflow into a plausible size.
  let expected = BYTES_PER[dtype];
  for (const d of entry.shape) expected = Math.min(expected * d, Number.MAX_SAFE_INTEGER);
  if (entry.shape.includes(0)) expected = 0;
  if (end - begin !== expected) {
    throw fail(`tensor '${name}' of shape ${formatShape(entry.shape)} (${entry.dtype}) needs ${expected} bytes but its offsets span ${end - begin}`);
  }
  if (end > dataBytes) {
    throw fail(`tensor '${name}' ends at byte ${end} of the data but the file holds ${dataBytes} data bytes ` +
      `(expected a file of at least ${dataStart + end} bytes, found ${fileSize})`);
  }
  return { name, dtype, shape: entry.shape, begin, end };
}

/** One tensor of a checked layout from its bytes (exactly its span). */
export function decodeTensor(t: TensorLayout, bytes: Uint8Array): NDArray {
  return new NDArray(fromLittleEndianBytes(bytes, t.dtype), t.shape, t.dtype);
}

/** The tensors of a checked layout, read from the data section (the bytes after the header). */
export function decodeTensors(layout: SafetensorsLayout, data: Uint8Array): Map<string, NDArray> {
  return new Map(layout.tensors.map((t) => [t.name, decodeTensor(t, data.subarray(t.begin, t.end))]));
}

/** Decodes a whole file; every inconsistency is a DataLossError naming the file and the sizes involved. */
export function decodeSafetensors(bytes: Uint8Array, fileName: string): DecodedCheckpoint {
  const headerLength = safetensorsHeaderLength(bytes.subarray(0, 8), bytes.length, fileName);
  const layout = parseSafetensorsHeader(bytes.subarray(8, 8 + headerLength), bytes.length, fileName);
  return { tensors: decodeTensors(layout, bytes.subarray(layout.dataStart)), metadata: layout.metadata };
}

function parseHeader(raw: Uint8Array, fail: Fail): { entries: [string, HeaderEntry][]; metadata: Record<string, string> } {
  let parsed: unknown;
  try {
    parsed = JSON.parse(new TextDecoder('utf-8', { fatal: true }).decode(raw));
  } catch (e) {
    throw fail(`the ${raw.length}-byte header is not valid JSON (${(e as Error).message})`);
  }
  if (parsed === null || typeof parsed !== 'object' || Array.isArray(parsed)) throw fail('the header is not a JSON object');
  const all = Object.entries(parsed as Record<string, unknown>);
  const tensorCount = all.length - (METADATA_KEY in parsed ? 1 : 0);
  if (tensorCount > MAX_TENSORS) throw fail(`the header lists ${tensorCount} tensors; tinyflow reads at most ${MAX_TENSORS}`);
  const entries: [string, HeaderEntry][] = [];
  let metadata: Record<string, string> = {};
  for (const [name, value] of all) {
    if (name === METADATA_KEY) {
      if (value === null || typeof value !== 'object' || Array.isArray(value) || Object.values(value).some((v) => typeof v !== 'string')) {
        throw fail('__metadata__ must map strings to strings');
      }
      metadata = value as Record<string, string>;
      continue;
    }
    if (!isHeaderEntry(value)) throw fail(`the header entry of tensor '${name}' lacks a valid dtype, shape or data_offsets`);
    entries.push([name, value]);
  }
  return { entries, metadata };
}

function isHeaderEntry(value: unknown): value is HeaderEntry {
  if (value === null || typeof value !== 'object') return false;
  const e = value as Partial<HeaderEntry>;
  const isCount = (n: unknown) => Number.isSafeInteger(n) && (n as number) >= 0;
  return typeof e.dtype === 'string' && Array.isArray(e.shape) && e.shape.every(isCount) &&
    Array.isArray(e.data_offsets) && e.data_offsets.length === 2 && e.data_offsets.every(isCount) && e.data_offsets[0] <= e.data_offsets[1];
}

function toLittleEndianBytes(data: TypedArray, dtype: DType): Uint8Array {
  if (dtype === 'bool') return Uint8Array.from(data, (v) => (v !== 0 ? 1 : 0));
  const out = new Uint8Array(data.length * 4);
  const view = new DataView(out.buffer);
  if (dtype === 'float32') for (let i = 0; i < data.length; i++) view.setFloat32(i * 4, data[i], true);
  else for (let i = 0; i < data.length; i++) view.setInt32(i * 4, data[i], true);
  return out;
}

function fromLittleEndianBytes(bytes: Uint8Array, dtype: DType): TypedArray {
  if (dtype === 'bool') return Uint8Array.from(bytes, (v) => (v !== 0 ? 1 : 0));
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const n = bytes.length / 4;
  if (dtype === 'float32') {
    const out = new Float32Array(n);
    for (let i = 0; i < n; i++) out[i] = view.getFloat32(i * 4, true);
    return out;
  }
  const out = new Int32Array(n);
  for (let i = 0; i < n; i++) out[i] = view.getInt32(i * 4, true);
  return out;
}
