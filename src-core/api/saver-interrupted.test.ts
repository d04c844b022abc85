/** Saver.save when the disk fails half-way through the temp file: the previous checkpoint survives. */
import { describe, it, expect, vi, afterEach } from 'vitest';
import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import * as tf from '../index';

const disk = vi.hoisted(() => ({ failAfterWrites: Infinity }));

// Every file handle opened while `failAfterWrites` is finite throws on the write after that many.
vi.mock('node:fs/promises', async (importOriginal) => {
  const real = await importOriginal<typeof import('node:fs/promises')>();
  const open = async (...args: Parameters<typeof real.open>) => {
    const handle = await real.open(...args);
    let writes = 0;
    return new Proxy(handle, {
      get(target, prop) {
        if (prop === 'write') {
          return (...w: Parameters<typeof handle.write>) => {
            if (++writes > disk.failAfterWrites) return Promise.reject(Object.assign(new Error('EIO: i/o error, write'), { code: 'EIO' }));
            return target.write(...w);
          };
        }
        const value: unknown = Reflect.get(target, prop);
        return typeof value === 'function' ? value.bind(target) : value;
      },
    });
  };
  return { ...real, open, default: { ...real, open } };
});

let dir = '';
afterEach(() => {
  disk.failAfterWrites = Infinity;
  rmSync(dir, { recursive: true, force: true });
});

describe('Saver.save interrupted by a failing write', () => {
  it('rejects, leaves the previous checkpoint byte-for-byte intact and removes its temp file', async () => {
    dir = mkdtempSync(join(tmpdir(), 'tinyflow-saver-fail-'));
    tf.reset_default_graph();
    const w = tf.Variable(tf.constant([1, 2, 3]), { name: 'w' });
    tf.Variable(tf.constant([[4, 5]]), { name: 'u' });
    const sess = tf.Session();
    await sess.run(tf.global_variables_initializer());
    const saver = tf.train.Saver();
    const path = await saver.save(sess, join(dir, 'model.safetensors'));
    const good = readFileSync(path);

    await sess.run(tf.assign(w, tf.constant([7, 8, 9])));
    disk.failAfterWrites = 1; // the header goes out, the first tensor does not
    await expect(saver.save(sess, path)).rejects.toThrow(/writing checkpoint '.*model.safetensors' failed: EIO/);
    expect(readFileSync(path).equals(good)).toBe(true);
    expect(readdirSync(dir)).toEqual(['model.safetensors']);

    disk.failAfterWrites = Infinity;
    await saver.restore(sess, path);
    expect(Array.from((await sess.run(w)).data)).toEqual([1, 2, 3]);
  });
});
