/**
 * The safetensors format (huggingface/safetensors), pure and platform-free: an 8-byte little-endian
 * header length N, N bytes of JSON `{name: {dtype, shape, data_offsets: [begin, end]}, __metadata__}`,
 * then the tensors' bytes, little-endian, offsets relative to the end of the header.
 */
import { DataLossError, InvalidArgumentError } from '../errors';
import type { DType, TypedArray } from '../graph/dtype';
import { formatShape, numElements } from '../graph/shape';
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
/** A header larger than this is surely not a header (the reference implementation's limit). */
const MAX_HEADER_BYTES = 100_000_000;
const METADATA_KEY = '__metadata__';

interface HeaderEntry {
  dtype: string;
  shape: number[];
  data_offsets: [number, number];
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

/** Decodes a whole file; every inconsistency is a DataLossError naming the file and the sizes involved. */
export function decodeSafetensors(bytes: Uint8Array, fileName: string): DecodedCheckpoint {
  const fail = (why: string) => new DataLossError(`checkpoint '${fileName}' is corrupt or truncated: ${why}`);
  if (bytes.length < 8) throw fail(`expected at least 8 bytes for the header length, found ${bytes.length}`);
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const headerLength = Number(view.getBigUint64(0, true));
  if (headerLength > MAX_HEADER_BYTES) throw fail(`header length ${headerLength} is implausible (file has ${bytes.length} bytes)`);
  if (8 + headerLength > bytes.length) throw fail(`expected a ${headerLength}-byte header after the length, found ${bytes.length - 8} bytes`);
  const header = parseHeader(bytes.subarray(8, 8 + headerLength), fail);
  const dataStart = 8 + headerLength;
  const dataBytes = bytes.length - dataStart;

  const tensors = new Map<string, NDArray>();
  let end = 0;
  for (const [name, entry] of Object.entries(header.entries)) {
    const dtype = DTYPE_OF[entry.dtype];
    if (!dtype) throw fail(`tensor '${name}' has dtype '${entry.dtype}'; tinyflow reads F32, I32 and BOOL`);
    const [begin, stop] = entry.data_offsets;
    const expected = numElements(entry.shape) * BYTES_PER[dtype];
    if (stop - begin !== expected) {
      throw fail(`tensor '${name}' of shape ${formatShape(entry.shape)} needs ${expected} bytes but its offsets span ${stop - begin}`);
    }
    if (stop > dataBytes) {
      throw fail(`tensor '${name}' ends at byte ${stop} of the data but the file holds ${dataBytes} data bytes ` +
        `(expected a file of at least ${dataStart + stop} bytes, found ${bytes.length})`);
    }
    end = Math.max(end, stop);
    tensors.set(name, new NDArray(fromLittleEndianBytes(bytes.subarray(dataStart + begin, dataStart + stop), dtype), entry.shape, dtype));
  }
  if (end !== dataBytes) throw fail(`the header accounts for ${end} data bytes but the file holds ${dataBytes} (expected a file of ${dataStart + end} bytes, found ${bytes.length})`);
  return { tensors, metadata: header.metadata };
}

function parseHeader(raw: Uint8Array, fail: (why: string) => Error): { entries: Record<string, HeaderEntry>; metadata: Record<string, string> } {
  let parsed: unknown;
  try {
    parsed = JSON.parse(new TextDecoder('utf-8', { fatal: true }).decode(raw));
  } catch (e) {
    throw fail(`the ${raw.length}-byte header is not valid JSON (${(e as Error).message})`);
  }
  if (parsed === null || typeof parsed !== 'object' || Array.isArray(parsed)) throw fail('the header is not a JSON object');
  const entries: Record<string, HeaderEntry> = {};
  let metadata: Record<string, string> = {};
  for (const [name, value] of Object.entries(parsed as Record<string, unknown>)) {
    if (name === METADATA_KEY) {
      if (value === null || typeof value !== 'object' || Object.values(value).some((v) => typeof v !== 'string')) {
        throw fail('__metadata__ must map strings to strings');
      }
      metadata = value as Record<string, string>;
      continue;
    }
    if (!isHeaderEntry(value)) throw fail(`the header entry of tensor '${name}' lacks a valid dtype, shape or data_offsets`);
    entries[name] = value;
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
