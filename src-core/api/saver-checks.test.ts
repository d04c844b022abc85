/** Saver refuses what it must not write or read: non-finite values, hostile or inconsistent files. */
import { describe, it, expect, beforeEach, afterEach } from 'vitest';
import { closeSync, existsSync, ftruncateSync, mkdtempSync, openSync, readFileSync, rmSync, writeFileSync, writeSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import * as tf from '../index';
import { DataLossError, InvalidArgumentError } from '../errors';
import { decodeSafetensors, MAX_TENSORS } from '../checkpoint/safetensors';

let dir: string;
beforeEach(() => {
  tf.reset_default_graph();
  dir = mkdtempSync(join(tmpdir(), 'tinyflow-saver-checks-'));
});
afterEach(() => rmSync(dir, { recursive: true, force: true }));

async function session(values: number[]) {
  const w = tf.Variable(tf.constant(values), { name: 'w' });
  const b = tf.Variable(tf.constant([0.5]), { name: 'b' });
  const sess = tf.Session();
  await sess.run(tf.global_variables_initializer());
  return { w, b, sess, saver: tf.train.Saver() };
}

/** A safetensors file with this exact header (an object, or its JSON text) and `dataBytes` zero bytes of data. */
function withHeader(name: string, header: object | string, dataBytes: number): string {
  const json = Buffer.from(typeof header === 'string' ? header : JSON.stringify(header));
  const head = Buffer.alloc(8);
  head.writeBigUInt64LE(BigInt(json.length));
  const path = join(dir, name);
  writeFileSync(path, Buffer.concat([head, json, Buffer.alloc(dataBytes)]));
  return path;
}

async function rejection(promise: Promise<unknown>): Promise<Error> {
  try {
    await promise;
  } catch (error) {
    return error as Error;
  }
  throw new Error('expected a rejection');
}

describe('Saver and non-finite values', () => {
  it('save refuses NaN / Inf naming the variable and the count, and writes nothing; allow_non_finite saves them', async () => {
    const { sess, saver } = await session([1, NaN, Infinity, 4]);
    const path = join(dir, 'model.safetensors');
    const error = await rejection(saver.save(sess, path));
    expect(error).toBeInstanceOf(InvalidArgumentError);
    expect(error.message).toBe(
      `Saver.save: variable 'w' holds 2 non-finite values (NaN or Inf) of 4; not saving '${path}' (pass {allow_non_finite: true} to save it anyway)`,
    );
    expect(existsSync(path)).toBe(false);
    await saver.save(sess, path, { allow_non_finite: true });
    expect(Array.from(decodeSafetensors(readFileSync(path), path).tensors.get('w')?.data ?? [])).toEqual([1, NaN, Infinity, 4]);
  });

  it('restore refuses a checkpoint with NaN / Inf and leaves every variable as it was; allow_non_finite restores them', async () => {
    const path = join(dir, 'diverged.safetensors');
    {
      const { sess, saver } = await session([NaN, NaN, -Infinity]);
      await saver.save(sess, path, { allow_non_finite: true });
    }
    tf.reset_default_graph();
    const { w, b, sess, saver } = await session([1, 2, 3]);
    const error = await rejection(saver.restore(sess, path));
    expect(error).toBeInstanceOf(InvalidArgumentError);
    expect(error.message).toBe(
      `Saver.restore: checkpoint '${path}': variable 'w' holds 3 non-finite values (NaN or Inf) of 3; nothing was restored ` +
        '(pass {allow_non_finite: true} to restore it anyway)',
    );
    expect(Array.from((await sess.run(w)).data)).toEqual([1, 2, 3]);
    expect(Array.from((await sess.run(b)).data)).toEqual([0.5]);
    await saver.restore(sess, path, { allow_non_finite: true });
    expect(Array.from((await sess.run(w)).data)).toEqual([NaN, NaN, -Infinity]);
    await expect(saver.restore(sess, path, { allow_nan: true } as never)).rejects.toThrow(/allow_nan/);
  });
});

describe('Saver.save metadata', () => {
  it('writes the caller\'s entries into __metadata__ beside the format tag, which they cannot replace', async () => {
    const { sess, saver } = await session([1, 2]);
    const path = join(dir, 'model.safetensors');
    await saver.save(sess, path, { metadata: { app: '{"step":7}' } });
    expect(decodeSafetensors(readFileSync(path), path).metadata).toEqual({ app: '{"step":7}', format: 'tinyflow', version: '1' });
    await expect(saver.save(sess, path, { metadata: { format: 'other' } })).rejects.toThrow(/metadata key 'format' is reserved/);
    await expect(saver.save(sess, path, { metadata: { step: 7 } as never })).rejects.toThrow(/metadata 'step' must be a string, got number/);
  });
});

describe('Saver.restore of hostile or inconsistent files', () => {
  it('a 100 MB header is refused from its length alone: no read of the header, fast and small', async () => {
    // Sparse: the length field and nothing else on disk.
    const path = join(dir, 'huge-header.safetensors');
    const fd = openSync(path, 'w');
    const head = Buffer.alloc(8);
    head.writeBigUInt64LE(100_000_000n);
    writeSync(fd, head);
    ftruncateSync(fd, 100_000_008);
    closeSync(fd);
    const { sess, saver } = await session([1, 2]);
    const rssBefore = process.memoryUsage().rss;
    const started = performance.now();
    const error = await rejection(saver.restore(sess, path));
    expect(performance.now() - started).toBeLessThan(1000);
    expect(process.memoryUsage().rss - rssBefore).toBeLessThan(100 * 1024 * 1024);
    expect(error).toBeInstanceOf(DataLossError);
    expect(error.message).toBe(
      `checkpoint '${path}' is corrupt or truncated: header length 100000000 is implausible: tinyflow reads headers of at most 16777216 bytes (the file has 100000008 bytes)`,
    );
  });

  it('a valid 3 GB (sparse) checkpoint: shapes are checked against the graph from the header, and unused tensors are never read', async () => {
    const huge = 750_000_000; // float32: 3 GB
    const sparseCheckpoint = (name: string, header: object, dataBytes: number) => {
      const json = Buffer.from(JSON.stringify(header));
      const head = Buffer.alloc(8);
      head.writeBigUInt64LE(BigInt(json.length));
      const path = join(dir, name);
      const fd = openSync(path, 'w');
      writeSync(fd, Buffer.concat([head, json]));
      ftruncateSync(fd, 8 + json.length + dataBytes);
      closeSync(fd);
      return path;
    };
    const { w, sess, saver } = await session([1, 2]);
    const measure = async (run: () => Promise<unknown>) => {
      const rssBefore = process.memoryUsage().rss;
      const started = performance.now();
      const outcome = await run().then(() => null, (e: Error) => e);
      expect(performance.now() - started).toBeLessThan(1000);
      expect(process.memoryUsage().rss - rssBefore).toBeLessThan(100 * 1024 * 1024);
      return outcome;
    };
    const wrongShape = sparseCheckpoint('wrong.safetensors', {
      w: { dtype: 'F32', shape: [huge], data_offsets: [0, huge * 4] },
      b: { dtype: 'F32', shape: [1], data_offsets: [huge * 4, huge * 4 + 4] },
    }, huge * 4 + 4);
    expect((await measure(() => saver.restore(sess, wrongShape)))?.message).toBe(
      `Saver.restore: variable 'w' is float32 [2] in the graph but float32 [${huge}] in checkpoint '${wrongShape}'`,
    );
    const extra = sparseCheckpoint('extra.safetensors', {
      w: { dtype: 'F32', shape: [2], data_offsets: [0, 8] },
      b: { dtype: 'F32', shape: [1], data_offsets: [8, 12] },
      unused: { dtype: 'F32', shape: [huge], data_offsets: [12, 12 + huge * 4] },
    }, 12 + huge * 4);
    expect(await measure(() => saver.restore(sess, extra))).toBeNull();
    expect(Array.from((await sess.run(w)).data)).toEqual([0, 0]);
  });

  it('more entries than MAX_TENSORS are refused, naming the count', async () => {
    const entries = Array.from({ length: MAX_TENSORS + 1 }, (_, i) => `"t${i}":{"dtype":"F32","shape":[0],"data_offsets":[0,0]}`);
    const path = withHeader('many.safetensors', `{${entries.join(',')}}`, 0);
    const { sess, saver } = await session([1, 2]);
    await expect(saver.restore(sess, path)).rejects.toThrow(`the header lists ${MAX_TENSORS + 1} tensors; tinyflow reads at most ${MAX_TENSORS}`);
  });

  it('overlapping, gapped or out-of-bounds offsets name the file, the tensors and the byte ranges', async () => {
    const { sess, saver } = await session([1, 2]);
    const cases: [object, number, string][] = [
      [{ w: { dtype: 'F32', shape: [2], data_offsets: [0, 8] }, b: { dtype: 'F32', shape: [1], data_offsets: [4, 8] } }, 8,
        "tensor 'b' (data bytes 4-8) overlaps tensor 'w' (data bytes 0-8)"],
      [{ w: { dtype: 'F32', shape: [2], data_offsets: [0, 8] }, b: { dtype: 'F32', shape: [1], data_offsets: [12, 16] } }, 16,
        "the data bytes 8-12 before tensor 'b' belong to no tensor"],
      [{ w: { dtype: 'F32', shape: [2], data_offsets: [4, 12] }, b: { dtype: 'F32', shape: [1], data_offsets: [12, 16] } }, 12,
        "tensor 'b' ends at byte 16 of the data but the file holds 12 data bytes"],
      [{ w: { dtype: 'F32', shape: [2, 4294967296, 4294967296], data_offsets: [0, 8] } }, 8,
        "tensor 'w' of shape [2,4294967296,4294967296] (F32) needs 9007199254740991 bytes but its offsets span 8"],
      [{ w: { dtype: 'F32', shape: Array.from({ length: 33 }, () => 1), data_offsets: [0, 4] } }, 4, "tensor 'w' has rank 33"],
      [{ __metadata__: ['not', 'a', 'map'], w: { dtype: 'F32', shape: [1], data_offsets: [0, 4] } }, 4, '__metadata__ must map strings to strings'],
    ];
    for (const [i, [header, dataBytes, message]] of cases.entries()) {
      const path = withHeader(`case-${i}.safetensors`, header, dataBytes);
      const error = await rejection(saver.restore(sess, path));
      expect(error).toBeInstanceOf(DataLossError);
      expect(error.message).toContain(`checkpoint '${path}' is corrupt or truncated: ${message}`);
    }
  });
});
