/**
 * The user's drawings (issues 12.2, 13.2): refused when empty, bounded at 2,000, listed and deleted by
 * id, and kept in a file beside the autosave, so a new worker (a restarted worker, a restarted app)
 * over the same home has them all again. An empty canvas is not classified either.
 */
import { afterAll, describe, expect, it } from 'vitest';
import { mkdtempSync, readFileSync, rmSync, writeFileSync, existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { USER_SET_CAPACITY } from '../../src-app-api/drawings';
import { parseResponse } from '../../src-app-api/wire';
import { ComputeEngine } from './engine';
import { UserSet, userSetPathFor } from './user-set';

const dir = mkdtempSync(join(tmpdir(), 'tinyflow-userset-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));
const quiet = (): void => undefined;

/** A vertical stroke whose position depends on `k`, so drawings differ. */
function stroke(k: number): number[] {
  const pixels = new Array<number>(784).fill(0);
  for (let row = 4; row < 24; row++) pixels[row * 28 + 4 + (k % 20)] = 0.5 + (k % 5) / 10;
  return pixels;
}

describe('the user set', () => {
  it('refuses an empty or nearly empty drawing, and predict does not classify one', async () => {
    const engine = new ComputeEngine(quiet);
    const empty = new Array<number>(784).fill(0);
    const faint = empty.map((_, i) => (i < 4 ? 0.5 : 0)); // ink 2: a stray click
    await expect(engine.handle('userset:add', { pixels: empty, label: 3 })).rejects.toThrow('userset:add: nothing drawn: the canvas is empty; draw a digit first');
    await expect(engine.handle('userset:add', { pixels: faint, label: 3 })).rejects.toThrow(/nothing drawn/);
    const answer = parseResponse('predict', await engine.handle('predict', { pixels: empty, saliency: true }));
    expect(answer).toMatchObject({ nothingDrawn: true, probabilities: null, saliency: null });
    const drawn = parseResponse('predict', await engine.handle('predict', { pixels: stroke(1), saliency: false }));
    expect(drawn.nothingDrawn).toBe(false);
    expect(drawn.probabilities).toHaveLength(10);
    expect((await engine.handle('app:info', {})).userSetSize).toBe(0);
  });

  it(`holds ${USER_SET_CAPACITY} drawings and refuses the next until one is deleted`, async () => {
    const engine = new ComputeEngine(quiet);
    for (let k = 0; k < USER_SET_CAPACITY; k++) await engine.handle('userset:add', { pixels: stroke(k), label: k % 10 });
    await expect(engine.handle('userset:add', { pixels: stroke(7), label: 7 })).rejects.toThrow(`your set is full (${USER_SET_CAPACITY} drawings); delete some first`);
    expect(await engine.handle('userset:delete', { id: 17 })).toEqual({ size: USER_SET_CAPACITY - 1 });
    await expect(engine.handle('userset:delete', { id: 17 })).rejects.toThrow(/no drawing with id 17/);
    expect((await engine.handle('userset:add', { pixels: stroke(7), label: 7 })).size).toBe(USER_SET_CAPACITY);
    const info = await engine.handle('app:info', {});
    expect(info).toMatchObject({ userSetSize: USER_SET_CAPACITY, userSetCapacity: USER_SET_CAPACITY });
  });

  it('lists pages of thumbnails with labels and ids, and survives a new worker on the same home', async () => {
    const autosavePath = join(dir, 'session.safetensors');
    const first = new ComputeEngine(quiet, { autosavePath, autosaveMs: 10_000 });
    const ids: number[] = [];
    for (let k = 0; k < 5; k++) ids.push((await first.handle('userset:add', { pixels: stroke(k), label: k })).id);
    await first.handle('userset:delete', { id: ids[1] });
    const page = parseResponse('userset:list', await first.handle('userset:list', { offset: 1, limit: 2 }));
    expect(page.total).toBe(4);
    expect(page.drawings.map((d) => [d.id, d.label])).toEqual([[ids[2], 2], [ids[3], 3]]);
    expect(page.drawings[0].pixels).toEqual(stroke(2).map((v) => Math.fround(v)));

    const path = userSetPathFor(autosavePath) as string;
    for (const end = Date.now() + 5000; !existsSync(path) || new UserSet(path).size !== 4; ) {
      const probe = new UserSet(path);
      if (existsSync(path)) probe.load();
      if (probe.size === 4) break;
      if (Date.now() > end) throw new Error('the user set was not saved');
      await new Promise((r) => setTimeout(r, 20));
    }
    // A new worker (after a crash or an app restart) reads the same drawings, ids and all.
    const second = new ComputeEngine(quiet, { autosavePath, autosaveMs: 10_000 });
    const all = parseResponse('userset:list', await second.handle('userset:list', { offset: 0, limit: 200 }));
    expect(all.drawings.map((d) => [d.id, d.label])).toEqual([[ids[0], 0], [ids[2], 2], [ids[3], 3], [ids[4], 4]]);
    // Ids are never reused, even across workers.
    expect((await second.handle('userset:add', { pixels: stroke(9), label: 9 })).id).toBe(ids[4] + 1);
  });

  it('a damaged file is an error naming it, and the worker starts with an empty set rather than failing', () => {
    const path = join(dir, 'damaged.drawings.bin');
    writeFileSync(path, Buffer.concat([Buffer.from('TFUSET01'), Buffer.from([5, 0, 0, 0, 9, 0, 0, 0]), Buffer.alloc(100)]));
    expect(() => new UserSet(path).load()).toThrow(`user set '${path}': says 5 drawings`);
    writeFileSync(path, 'not a user set');
    expect(() => new UserSet(path).load()).toThrow(/not a tinyflow user set file/);
    const engine = new ComputeEngine(quiet, { autosavePath: join(dir, 'damaged.safetensors'), autosaveMs: 10_000 });
    return expect(engine.handle('app:info', {})).resolves.toMatchObject({ userSetSize: 0 });
  });

  it('trains on the drawings a batch at a time, in turn, so a full set costs a step no more than a batch', () => {
    const set = new UserSet();
    for (let k = 0; k < 5; k++) set.add(stroke(k), k);
    const labels = (flatten: boolean): number[] => {
      const [images, onehot] = set.batch(flatten, 2) ?? [];
      if (images === undefined || onehot === undefined) throw new Error('no batch');
      expect(images.shape).toEqual(flatten ? [2, 784] : [2, 1, 28, 28]);
      const data = onehot.data as Float32Array;
      return [0, 1].map((i) => data.subarray(i * 10, i * 10 + 10).indexOf(1));
    };
    expect([labels(true), labels(false), labels(true)]).toEqual([[0, 1], [2, 3], [4, 0]]);
    expect(set.batch(true)?.[0].shape).toEqual([5, 784]);
  });

  it("mixes in only drawings whose label is one of the session's classes, one-hot over that many", () => {
    const set = new UserSet();
    for (const label of [0, 7, 2, 9]) set.add(stroke(label), label);
    const [images, onehot] = set.batch(true, 10, 3) ?? [];
    expect(images?.shape).toEqual([2, 784]);
    expect(onehot?.shape).toEqual([2, 3]);
    expect(Array.from(onehot?.data as Float32Array)).toEqual([1, 0, 0, 0, 0, 1]);
    const digitsOnly = new UserSet();
    digitsOnly.add(stroke(1), 8);
    expect(digitsOnly.batch(true, 10, 3)).toBeNull();
    expect(() => digitsOnly.add(stroke(1), 256)).toThrow('userset:add: label 256 is outside 0–255, the classes your own set can hold');
  });

  it('writes the file whole: its size is exactly the header and its drawings', async () => {
    const path = join(dir, 'exact.drawings.bin');
    const set = new UserSet(path);
    for (let k = 0; k < 3; k++) set.add(stroke(k), k);
    await set.flushed();
    expect(readFileSync(path).length).toBe(16 + 3 * (4 + 1 + 784 * 4));
  });
});
