import { describe, it, expect } from 'vitest';
import fc from 'fast-check';
import { DataLossError } from '../errors';
import { NDArray } from '../ndarray';
import { decodeSafetensors, encodeSafetensors, type NamedArray } from './safetensors';

const concat = (chunks: Uint8Array[]) => {
  const out = new Uint8Array(chunks.reduce((n, c) => n + c.length, 0));
  let at = 0;
  for (const c of chunks) {
    out.set(c, at);
    at += c.length;
  }
  return out;
};

const sample: NamedArray[] = [
  { name: 'W', array: new NDArray(Float32Array.from([1.5, -2, 3.25, 0]), [2, 2]) },
  { name: 'global_step', array: new NDArray(Int32Array.from([42]), []) },
  { name: 'mask', array: new NDArray(Uint8Array.from([1, 0, 1]), [3], 'bool') },
  { name: 'W/Adam', array: new NDArray(new Float32Array(0), [0, 5]) },
];

describe('safetensors encoding', () => {
  it('lays out the file as the spec says: u64 LE header length, JSON header, aligned little-endian data', () => {
    const bytes = concat(encodeSafetensors(sample, { format: 'tinyflow', version: '1' }));
    const view = new DataView(bytes.buffer);
    const n = Number(view.getBigUint64(0, true));
    expect((8 + n) % 8).toBe(0);
    const header = JSON.parse(new TextDecoder().decode(bytes.subarray(8, 8 + n)));
    expect(header).toEqual({
      __metadata__: { format: 'tinyflow', version: '1' },
      W: { dtype: 'F32', shape: [2, 2], data_offsets: [0, 16] },
      global_step: { dtype: 'I32', shape: [], data_offsets: [16, 20] },
      mask: { dtype: 'BOOL', shape: [3], data_offsets: [20, 23] },
      'W/Adam': { dtype: 'F32', shape: [0, 5], data_offsets: [23, 23] },
    });
    expect(bytes.length).toBe(8 + n + 23);
    expect(view.getFloat32(8 + n + 4, true)).toBe(-2);
    expect(view.getInt32(8 + n + 16, true)).toBe(42);
  });

  it('round-trips every dtype and shape', () => {
    const { tensors, metadata } = decodeSafetensors(concat(encodeSafetensors(sample, { format: 'tinyflow' })), 'sample.safetensors');
    expect(metadata).toEqual({ format: 'tinyflow' });
    for (const { name, array } of sample) {
      const got = tensors.get(name) as NDArray;
      expect(got.dtype).toBe(array.dtype);
      expect(got.shape).toEqual(array.shape);
      expect(Array.from(got.data)).toEqual(Array.from(array.data));
    }
  });

  it('round-trips generated float32 arrays bit for bit', () => {
    const arrays = fc.array(
      fc.record({
        shape: fc.array(fc.integer({ min: 0, max: 4 }), { maxLength: 3 }),
        seed: fc.float({ noNaN: true }),
      }),
      { maxLength: 5 },
    );
    fc.assert(fc.property(arrays, (specs) => {
      const named = specs.map(({ shape, seed }, i): NamedArray => {
        const size = shape.reduce((a, b) => a * b, 1);
        return { name: `t${i}`, array: new NDArray(Float32Array.from({ length: size }, (_, k) => Math.fround(seed * (k + 1))), shape) };
      });
      const { tensors } = decodeSafetensors(concat(encodeSafetensors(named)), 'gen');
      for (const { name, array } of named) {
        expect(tensors.get(name)?.shape).toEqual(array.shape);
        expect(Array.from(tensors.get(name)?.data ?? [])).toEqual(Array.from(array.data));
      }
    }));
  });
});

describe('safetensors decoding of damaged files', () => {
  const good = concat(encodeSafetensors(sample));
  const n = Number(new DataView(good.buffer).getBigUint64(0, true));
  const decode = (bytes: Uint8Array) => () => decodeSafetensors(bytes, 'model.safetensors');

  it('names the file and the sizes when the file is truncated anywhere', () => {
    expect(decode(good.subarray(0, 5))).toThrow(/'model.safetensors'.*expected at least 8 bytes.*found 5/);
    expect(decode(good.subarray(0, 8 + n - 3))).toThrow(new RegExp(`expected a ${n}-byte header after the length, found ${n - 3} bytes`));
    expect(decode(good.subarray(0, good.length - 2))).toThrow(new RegExp(`expected a file of at least ${good.length} bytes, found ${good.length - 2}`));
    for (let cut = 0; cut < good.length; cut++) expect(decode(good.subarray(0, cut))).toThrow(DataLossError);
  });

  it('rejects trailing bytes, bad JSON, implausible lengths, unknown dtypes and inconsistent offsets', () => {
    expect(decode(concat([good, new Uint8Array(4)]))).toThrow(new RegExp(`accounts for 23 data bytes but the file holds 27.*expected a file of ${good.length} bytes, found ${good.length + 4}`));
    const bad = good.slice();
    bad[8] = 0x7b + 1; // the header's opening brace
    expect(decode(bad)).toThrow(/header is not valid JSON/);
    const huge = good.slice();
    new DataView(huge.buffer).setBigUint64(0, 1n << 40n, true);
    expect(decode(huge)).toThrow(/header length \d+ is implausible/);
    const withHeader = (header: object) => {
      const json = new TextEncoder().encode(JSON.stringify(header));
      const head = new Uint8Array(8);
      new DataView(head.buffer).setBigUint64(0, BigInt(json.length), true);
      return concat([head, json, new Uint8Array(8)]);
    };
    expect(decode(withHeader({ x: { dtype: 'F16', shape: [4], data_offsets: [0, 8] } }))).toThrow(/dtype 'F16'/);
    expect(decode(withHeader({ x: { dtype: 'F32', shape: [3], data_offsets: [0, 8] } }))).toThrow(/needs 12 bytes but its offsets span 8/);
    expect(decode(withHeader({ x: { dtype: 'F32', shape: [2] } }))).toThrow(/lacks a valid dtype, shape or data_offsets/);
    expect(decode(withHeader([1, 2]))).toThrow(/not a JSON object/);
  });
});

describe('safetensors decoding of random damage', () => {
  it('any overwritten bytes give a DataLossError or tensors that match their shapes, never another error', () => {
    const good = concat(encodeSafetensors(sample, { format: 'tinyflow' }));
    const damage = fc.array(fc.tuple(fc.nat({ max: good.length - 1 }), fc.integer({ min: 0, max: 255 })), { minLength: 1, maxLength: 6 });
    fc.assert(
      fc.property(damage, (writes) => {
        const bytes = good.slice();
        for (const [at, value] of writes) bytes[at] = value;
        try {
          const { tensors } = decodeSafetensors(bytes, 'fuzzed.safetensors');
          for (const t of tensors.values()) expect(t.data.length).toBe(t.shape.reduce((a, b) => a * b, 1));
        } catch (error) {
          expect(error).toBeInstanceOf(DataLossError);
          expect((error as Error).message).toContain("checkpoint 'fuzzed.safetensors'");
        }
      }),
      { numRuns: 500 },
    );
  });
});
