/** Buffers and declared capabilities: what every other group relies on. */
import { describe, expect } from 'vitest';
import { DTYPES, type DType } from '../../src-core/graph/dtype';
import { typedArrayFrom } from '../../src-core/graph/dtype';
import type { Harness } from './harness';
import { expectExact } from './compare';
import { bools, floats, ints, makeRng } from './data';

const TYPED_ARRAY: Record<DType, { name: string; is: (a: unknown) => boolean }> = {
  float32: { name: 'Float32Array', is: (a) => a instanceof Float32Array },
  int32: { name: 'Int32Array', is: (a) => a instanceof Int32Array },
  bool: { name: 'Uint8Array', is: (a) => a instanceof Uint8Array },
};

/** Values that must survive a round trip bit for bit, edge cases first. */
function roundTripValues(dtype: DType, size: number): ArrayLike<number> {
  const rng = makeRng(size);
  if (dtype === 'float32') {
    const edge = [0, -0, 1, -1, 3.4028234663852886e38, -3.4028234663852886e38, 1.401298464324817e-45, 1.1754943508222875e-38, Math.fround(Math.PI)];
    return Float32Array.from([...edge, ...floats(rng, size, -1e6, 1e6)]);
  }
  if (dtype === 'int32') return Int32Array.from([0, -1, 2147483647, -2147483648, ...ints(rng, size, -2147483648, 2147483647)]);
  return Uint8Array.from([0, 1, ...bools(rng, size)]);
}

export function bufferChecks(h: Harness): void {
  describe('buffers and capabilities', () => {
    h.check('capabilities', 'declares a name and consistent capabilities', () => {
      const { name, capabilities } = h.backend;
      expect(typeof name === 'string' && name.length > 0, 'name is a non-empty string').toBe(true);
      for (const d of capabilities.dtypes) expect(DTYPES, `declared dtype ${d}`).toContain(d);
      // Models are float32 throughout; a backend without it could not run any of them.
      expect(capabilities.dtypes).toContain('float32');
      expect(capabilities.sync, 'capabilities.sync must say whether readSync exists').toBe(typeof h.backend.readSync === 'function');
      expect(capabilities.maxBufferElements).toBeGreaterThan(0);
    });

    h.check('round-trip', 'write then read returns the same values in the dtype\'s typed array', async () => {
      for (const dtype of h.backend.capabilities.dtypes) {
        for (const size of [1, 7, 1000]) {
          const values = roundTripValues(dtype, size);
          const got = await h.compute(h.backend, (s) => s.upload(dtype, values));
          expect(TYPED_ARRAY[dtype].is(got), `read of a ${dtype} buffer is a ${TYPED_ARRAY[dtype].name}`).toBe(true);
          expectExact(got, values, `${dtype}[${values.length}] round trip`);
          if (dtype === 'float32') expect(Object.is(got[1], -0), 'float32 keeps -0').toBe(true);
        }
      }
    });

    h.check('read-copies', 'read returns a fresh copy, and write copies its input', async () => {
      const b = h.backend;
      const buffer = b.alloc('float32', 3);
      const source = new Float32Array([1, 2, 3]);
      b.write(buffer, source);
      source[0] = 99;
      const first = await b.read(buffer);
      expect(Array.from(first)).toEqual([1, 2, 3]);
      first[1] = 99;
      expect(Array.from(await b.read(buffer)), 'mutating a read result changed the buffer').toEqual([1, 2, 3]);
      if (b.readSync) {
        const sync = b.readSync(buffer);
        expect(Array.from(sync)).toEqual([1, 2, 3]);
        sync[2] = 99;
        expect(Array.from(b.readSync(buffer)), 'mutating a readSync result changed the buffer').toEqual([1, 2, 3]);
      }
      b.free(buffer);
    });

    h.check('rewrite', 'a second write replaces the contents; kernels see the latest write', async () => {
      const b = h.backend;
      const x = b.alloc('float32', 4);
      const out = b.alloc('float32', 4);
      b.write(x, new Float32Array([1, 2, 3, 4]));
      b.unary('neg', x, out);
      b.write(x, new Float32Array([5, 6, 7, 8]));
      expect(Array.from(await b.read(out))).toEqual([-1, -2, -3, -4]);
      b.unary('neg', x, out);
      expect(Array.from(await b.read(out))).toEqual([-5, -6, -7, -8]);
      b.free(x);
      b.free(out);
    });

    h.check('empty', 'allocates, writes and reads zero-element buffers of every dtype', async () => {
      for (const dtype of h.backend.capabilities.dtypes) {
        const got = await h.compute(h.backend, (s) => s.upload(dtype, []));
        expect(got.length).toBe(0);
        expect(TYPED_ARRAY[dtype].is(got)).toBe(true);
      }
    });

    h.check('free', 'freeing buffers leaves the others intact, across many allocations', async () => {
      const b = h.backend;
      const keep = b.alloc('float32', 16);
      b.write(keep, typedArrayFrom('float32', Array.from({ length: 16 }, (_, i) => i)));
      // Many short-lived buffers, as a training loop's feeds and fetches make: each is filled and freed.
      const size = Math.min(1 << 16, h.backend.capabilities.maxBufferElements);
      for (let i = 0; i < 32; i++) {
        const t = b.alloc('float32', size);
        b.fill(t, i);
        b.free(t);
      }
      expect(Array.from(await b.read(keep))).toEqual(Array.from({ length: 16 }, (_, i) => i));
      b.free(keep);
    });

    h.check('dispose', 'a fresh instance from the factory can be used and disposed independently', async () => {
      const other = await h.factory();
      const buffer = other.alloc('float32', 2);
      other.write(buffer, new Float32Array([1, 2]));
      expect(Array.from(await other.read(buffer))).toEqual([1, 2]);
      other.dispose();
      // The instance under test is unaffected by disposing another one.
      expect(Array.from(await h.compute(h.backend, (s) => s.upload('float32', [3])))).toEqual([3]);
    });
  });
}
