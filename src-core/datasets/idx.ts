import { DataLossError, InvalidArgumentError } from '../errors';

/**
 * The IDX format (LeCun's MNIST files): bytes 0-1 are zero, byte 2 the element type, byte 3 the rank,
 * then `rank` big-endian uint32 dims, then the elements, row-major and big-endian.
 * Pure: no Node imports, so the renderer can parse bytes it got from anywhere.
 */
export type IdxType = 'ubyte' | 'sbyte' | 'short' | 'int' | 'float' | 'double';

export type IdxData = Uint8Array | Int8Array | Int16Array | Int32Array | Float32Array | Float64Array;

export interface IdxArray {
  readonly type: IdxType;
  readonly dims: number[];
  readonly data: IdxData;
}

interface IdxTypeInfo {
  readonly code: number;
  readonly byteSize: number;
  /** Reads `count` big-endian elements starting at `offset`. */
  readonly read: (view: DataView, offset: number, count: number) => IdxData;
}

function readWith<T extends IdxData>(
  make: (count: number) => T,
  byteSize: number,
  get: (view: DataView, at: number) => number,
): (view: DataView, offset: number, count: number) => T {
  return (view, offset, count) => {
    const out = make(count);
    for (let i = 0; i < count; i++) out[i] = get(view, offset + i * byteSize);
    return out;
  };
}

const TYPES: Record<IdxType, IdxTypeInfo> = {
  // ubyte is the common case (MNIST): a zero-copy view instead of an element loop.
  ubyte: { code: 0x08, byteSize: 1, read: (v, offset, count) => new Uint8Array(v.buffer, v.byteOffset + offset, count) },
  sbyte: { code: 0x09, byteSize: 1, read: (v, offset, count) => new Int8Array(v.buffer, v.byteOffset + offset, count) },
  short: { code: 0x0b, byteSize: 2, read: readWith((n) => new Int16Array(n), 2, (v, at) => v.getInt16(at)) },
  int: { code: 0x0c, byteSize: 4, read: readWith((n) => new Int32Array(n), 4, (v, at) => v.getInt32(at)) },
  float: { code: 0x0d, byteSize: 4, read: readWith((n) => new Float32Array(n), 4, (v, at) => v.getFloat32(at)) },
  double: { code: 0x0e, byteSize: 8, read: readWith((n) => new Float64Array(n), 8, (v, at) => v.getFloat64(at)) },
};

const TYPE_BY_CODE = new Map<number, IdxType>(
  (Object.keys(TYPES) as IdxType[]).map((type) => [TYPES[type].code, type]),
);

const hex = (byte: number): string => byte.toString(16).padStart(2, '0');

function describeBytes(bytes: Uint8Array): string {
  const shown = bytes.subarray(0, 4);
  const printable = Array.from(shown, (b) => (b >= 0x20 && b < 0x7f ? String.fromCharCode(b) : '.')).join('');
  return `${Array.from(shown, hex).join(' ')} ("${printable}")`;
}

const formatDims = (dims: readonly number[]): string => `[${dims.join(',')}]`;

/** True when the bytes start with the gzip magic 1f 8b. */
export function isGzip(bytes: Uint8Array): boolean {
  return bytes.length >= 2 && bytes[0] === 0x1f && bytes[1] === 0x8b;
}

/** The largest IDX header: 4 magic bytes and 255 dims. Reading this many bytes always gets the whole header. */
export const MAX_IDX_HEADER_BYTES = 4 + 4 * 255;

export interface IdxHeader {
  readonly type: IdxType;
  readonly dims: number[];
  /** Bytes before the elements: 4 + 4 * rank. */
  readonly headerSize: number;
  /** Bytes of elements the dims declare; at most the `maxDataBytes` the header was parsed with. */
  readonly dataBytes: number;
}

/**
 * Parses just the header from the first bytes of an IDX file (at least `MAX_IDX_HEADER_BYTES`, or the whole
 * file when shorter), so a reader can check the declared size against the file before it allocates the
 * rest. Dims that declare more than `maxDataBytes` of elements are refused before any arithmetic overflows.
 */
export function parseIdxHeader(bytes: Uint8Array, fileName: string, maxDataBytes = Number.MAX_SAFE_INTEGER): IdxHeader {
  const fail = idxError(fileName);
  if (bytes.length < 4) {
    throw fail(`truncated header: the file has ${bytes.length} bytes but an IDX header needs at least 4`);
  }
  if (bytes[0] !== 0 || bytes[1] !== 0) {
    throw fail(`not an IDX file: expected magic 00 00 <type> <rank> but found ${describeBytes(bytes)}`);
  }
  const type = TYPE_BY_CODE.get(bytes[2]);
  if (type === undefined) {
    const known = (Object.keys(TYPES) as IdxType[]).map((t) => `0x${hex(TYPES[t].code)} ${t}`).join(', ');
    throw fail(`unknown IDX type code 0x${hex(bytes[2])} (expected one of ${known})`);
  }
  const rank = bytes[3];
  const headerSize = 4 + 4 * rank;
  if (bytes.length < headerSize) {
    throw fail(`truncated header: rank ${rank} needs ${headerSize} header bytes but the file has ${bytes.length}`);
  }
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const dims = Array.from({ length: rank }, (_, i) => view.getUint32(4 + 4 * i));
  const { byteSize } = TYPES[type];
  // Exact while it stays under the limit: each factor is < 2^32 and the running product <= maxDataBytes < 2^53.
  let dataBytes = dims.includes(0) ? 0 : byteSize;
  for (const d of dims) {
    dataBytes *= d;
    if (dataBytes > maxDataBytes) {
      throw fail(`dims ${formatDims(dims)} (${type}) declare more than the ${maxDataBytes} bytes of data this reader accepts`);
    }
  }
  return { type, dims, headerSize, dataBytes };
}

/** Parses IDX bytes (already decompressed); `fileName` only makes the errors name the file. */
export function decodeIdx(bytes: Uint8Array, fileName: string): IdxArray {
  const { type, dims, headerSize, dataBytes } = parseIdxHeader(bytes, fileName);
  const foundBytes = bytes.length - headerSize;
  if (foundBytes !== dataBytes) {
    const kind = foundBytes < dataBytes ? 'truncated data' : 'trailing bytes';
    throw idxError(fileName)(`${kind}: expected ${dataBytes} bytes of data for dims ${formatDims(dims)} (${type}) but found ${foundBytes}`);
  }
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  return { type, dims, data: TYPES[type].read(view, headerSize, dataBytes / TYPES[type].byteSize) };
}

/** Every IDX error starts with the file, so a user with four files knows which one is wrong. */
export function idxError(fileName: string): (what: string) => DataLossError {
  return (what) => new DataLossError(`IDX file '${fileName}': ${what}`);
}

function typeOfData(data: IdxData): IdxType {
  if (data instanceof Uint8Array) return 'ubyte';
  if (data instanceof Int8Array) return 'sbyte';
  if (data instanceof Int16Array) return 'short';
  if (data instanceof Int32Array) return 'int';
  if (data instanceof Float32Array) return 'float';
  return 'double';
}

/** Encodes an array as IDX bytes; the element type follows the typed array (Uint8Array → ubyte, ...). */
export function encodeIdx(dims: readonly number[], data: IdxData): Uint8Array {
  if (dims.length > 255) throw new InvalidArgumentError(`encodeIdx: rank ${dims.length} exceeds the IDX limit of 255`);
  if (dims.some((d) => !Number.isInteger(d) || d < 0 || d > 0xffffffff)) {
    throw new InvalidArgumentError(`encodeIdx: dims ${formatDims(dims)} must be integers in [0, 2^32)`);
  }
  const count = dims.reduce((a, b) => a * b, 1);
  if (count !== data.length) {
    throw new InvalidArgumentError(`encodeIdx: dims ${formatDims(dims)} need ${count} elements but data has ${data.length}`);
  }
  const type = typeOfData(data);
  const { code, byteSize } = TYPES[type];
  const headerSize = 4 + 4 * dims.length;
  const out = new Uint8Array(headerSize + count * byteSize);
  const view = new DataView(out.buffer);
  out[2] = code;
  out[3] = dims.length;
  dims.forEach((d, i) => view.setUint32(4 + 4 * i, d));
  if (byteSize === 1) {
    out.set(new Uint8Array(data.buffer, data.byteOffset, data.length), headerSize);
  } else {
    writeBigEndian(view, headerSize, type, data);
  }
  return out;
}

function writeBigEndian(view: DataView, offset: number, type: IdxType, data: IdxData): void {
  const write: Record<IdxType, (at: number, value: number) => void> = {
    ubyte: (at, x) => view.setUint8(at, x),
    sbyte: (at, x) => view.setInt8(at, x),
    short: (at, x) => view.setInt16(at, x),
    int: (at, x) => view.setInt32(at, x),
    float: (at, x) => view.setFloat32(at, x),
    double: (at, x) => view.setFloat64(at, x),
  };
  const set = write[type];
  const size = TYPES[type].byteSize;
  for (let i = 0; i < data.length; i++) set(offset + i * size, data[i]);
}
