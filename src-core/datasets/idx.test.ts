import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { decodeIdx, encodeIdx, isGzip, type IdxData } from './idx';
import { DataLossError, InvalidArgumentError } from '../errors';

const smallDims = fc.array(fc.integer({ min: 0, max: 5 }), { minLength: 0, maxLength: 4 });
const count = (dims: readonly number[]): number => dims.reduce((a, b) => a * b, 1);

/** Typed data of every IDX element type, with values that survive the type exactly. */
const typedData = (n: number): fc.Arbitrary<IdxData> =>
  fc.oneof(
    fc.array(fc.integer({ min: 0, max: 255 }), { minLength: n, maxLength: n }).map((a) => Uint8Array.from(a)),
    fc.array(fc.integer({ min: -128, max: 127 }), { minLength: n, maxLength: n }).map((a) => Int8Array.from(a)),
    fc.array(fc.integer({ min: -32768, max: 32767 }), { minLength: n, maxLength: n }).map((a) => Int16Array.from(a)),
    fc.array(fc.integer(), { minLength: n, maxLength: n }).map((a) => Int32Array.from(a)),
    fc.array(fc.float({ noNaN: true }), { minLength: n, maxLength: n }).map((a) => Float32Array.from(a)),
    fc.array(fc.double({ noNaN: true }), { minLength: n, maxLength: n }).map((a) => Float64Array.from(a)),
  );

function decodeError(bytes: Uint8Array, name = 'digits.idx'): string {
  try {
    decodeIdx(bytes, name);
  } catch (error) {
    expect(error).toBeInstanceOf(DataLossError);
    return (error as Error).message;
  }
  throw new Error('expected decodeIdx to throw');
}

describe('IDX encode/decode', () => {
  it('round-trips every element type and small dims', () => {
    fc.assert(
      fc.property(
        smallDims.chain((dims) => typedData(count(dims)).map((data) => ({ dims, data }))),
        ({ dims, data }) => {
          const decoded = decodeIdx(encodeIdx(dims, data), 'roundtrip');
          expect(decoded.dims).toEqual(dims);
          expect(decoded.data.constructor).toBe(data.constructor);
          expect(Array.from(decoded.data)).toEqual(Array.from(data));
        },
      ),
    );
  });

  it('writes the standard MNIST header, big-endian', () => {
    const bytes = encodeIdx([2, 1, 3], new Uint8Array(6));
    expect(Array.from(bytes.subarray(0, 16))).toEqual([0, 0, 8, 3, 0, 0, 0, 2, 0, 0, 0, 1, 0, 0, 0, 3]);
    const shorts = encodeIdx([1], Int16Array.of(0x0102));
    expect(Array.from(shorts.subarray(8))).toEqual([1, 2]);
  });

  it('decodes a view with a non-zero byte offset', () => {
    const payload = encodeIdx([2], Float32Array.of(1.5, -2));
    const padded = new Uint8Array(payload.length + 3);
    padded.set(payload, 3);
    expect(Array.from(decodeIdx(padded.subarray(3), 'offset').data)).toEqual([1.5, -2]);
  });

  it('encodeIdx rejects dims that do not match the data', () => {
    expect(() => encodeIdx([2, 3], new Uint8Array(5))).toThrow(/dims \[2,3\] need 6 elements but data has 5/);
    expect(() => encodeIdx([-1], new Uint8Array(0))).toThrow(InvalidArgumentError);
  });

  it('isGzip looks at the two magic bytes only', () => {
    expect(isGzip(Uint8Array.of(0x1f, 0x8b, 8))).toBe(true);
    expect(isGzip(Uint8Array.of(0, 0, 8, 1))).toBe(false);
    expect(isGzip(Uint8Array.of(0x1f))).toBe(false);
  });
});

describe('IDX errors name the file and what is wrong', () => {
  const valid = encodeIdx([3, 2, 2], Uint8Array.from({ length: 12 }, (_, i) => i));

  it('a file shorter than the 4-byte magic', () => {
    expect(decodeError(valid.subarray(0, 3))).toBe(
      "IDX file 'digits.idx': truncated header: the file has 3 bytes but an IDX header needs at least 4",
    );
  });

  it('a header cut inside the dims', () => {
    expect(decodeError(valid.subarray(0, 10))).toBe(
      "IDX file 'digits.idx': truncated header: rank 3 needs 16 header bytes but the file has 10",
    );
  });

  it('truncated data, with the expected and found sizes and the dims', () => {
    expect(decodeError(valid.subarray(0, valid.length - 5), 'train-images-idx3-ubyte')).toBe(
      "IDX file 'train-images-idx3-ubyte': truncated data: expected 12 bytes of data for dims [3,2,2] (ubyte) but found 7",
    );
    const floats = encodeIdx([4], new Float32Array(4));
    expect(decodeError(floats.subarray(0, floats.length - 1))).toMatch(/expected 16 bytes of data for dims \[4\] \(float\) but found 15/);
  });

  it('trailing bytes after the data', () => {
    const longer = new Uint8Array(valid.length + 2);
    longer.set(valid);
    expect(decodeError(longer)).toMatch(/trailing bytes: expected 12 bytes of data for dims \[3,2,2\] \(ubyte\) but found 14/);
  });

  it('wrong magic shows the bytes found', () => {
    const bad = valid.slice();
    bad[1] = 0x03;
    expect(decodeError(bad)).toBe(
      `IDX file 'digits.idx': not an IDX file: expected magic 00 00 <type> <rank> but found 00 03 08 03 ("....")`,
    );
  });

  it('a text file is reported as not IDX, showing its first characters', () => {
    const text = new TextEncoder().encode('<!DOCTYPE html><html>Not Found</html>');
    expect(decodeError(text, 'page.html')).toBe(
      `IDX file 'page.html': not an IDX file: expected magic 00 00 <type> <rank> but found 3c 21 44 4f ("<!DO")`,
    );
  });

  it('an unknown type code lists the known ones', () => {
    const bad = valid.slice();
    bad[2] = 0x0a;
    expect(decodeError(bad)).toMatch(/unknown IDX type code 0x0a \(expected one of 0x08 ubyte, 0x09 sbyte, 0x0b short, 0x0c int, 0x0d float, 0x0e double\)/);
  });

  it('any truncation of a valid file is a DataLossError, never a crash or a silent success', () => {
    const file = encodeIdx([2, 3], Int32Array.of(1, 2, 3, 4, 5, 6));
    fc.assert(
      fc.property(fc.integer({ min: 0, max: file.length - 1 }), (length) => {
        expect(() => decodeIdx(file.subarray(0, length), 'cut')).toThrow(DataLossError);
      }),
    );
  });
});

describe('IDX decoding of random damage', () => {
  it('any overwritten bytes give a DataLossError naming the file, or data that matches the dims', () => {
    const file = encodeIdx([3, 2, 2], Float32Array.from({ length: 12 }, (_, i) => i / 3));
    const damage = fc.array(fc.tuple(fc.nat({ max: file.length - 1 }), fc.integer({ min: 0, max: 255 })), { minLength: 1, maxLength: 4 });
    fc.assert(
      fc.property(damage, (writes) => {
        const bytes = file.slice();
        for (const [at, value] of writes) bytes[at] = value;
        try {
          const { dims, data } = decodeIdx(bytes, 'fuzzed.idx');
          expect(data.length).toBe(count(dims));
        } catch (error) {
          expect(error).toBeInstanceOf(DataLossError);
          expect((error as Error).message).toMatch(/^IDX file 'fuzzed.idx': /);
        }
      }),
      { numRuns: 500 },
    );
  });
});

