import { describe, it, expect, beforeEach, afterEach } from 'vitest';
import { spawn } from 'node:child_process';
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, utimesSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { NotFoundError } from '../errors';
import { cleanStaleTempFiles, readCheckpointFile, writeFileAtomic } from './checkpoint-file';

let dir: string;
beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'tinyflow-ckpt-'));
});
afterEach(() => rmSync(dir, { recursive: true, force: true }));

const bytes = (...values: number[]) => Uint8Array.from(values);

describe('writeFileAtomic', () => {
  it('writes the chunks in order and replaces an existing file', async () => {
    const path = join(dir, 'model.safetensors');
    await writeFileAtomic(path, [bytes(1, 2), bytes(3)]);
    expect(Array.from(readFileSync(path))).toEqual([1, 2, 3]);
    await writeFileAtomic(path, [bytes(9)]);
    expect(Array.from(readFileSync(path))).toEqual([9]);
    expect(readdirSync(dir)).toEqual(['model.safetensors']);
  });

  it('leaves the old file intact and no temp file behind when the write fails half-way', async () => {
    const path = join(dir, 'model.safetensors');
    writeFileSync(path, 'old checkpoint');
    function* failing(): Generator<Uint8Array> {
      yield new Uint8Array(1000).fill(1);
      throw new Error('disk unplugged');
    }
    await expect(writeFileAtomic(path, failing())).rejects.toThrow(/writing checkpoint '.*model.safetensors' failed: disk unplugged/);
    expect(readFileSync(path, 'utf8')).toBe('old checkpoint');
    expect(readdirSync(dir)).toEqual(['model.safetensors']);
  });

  it('names a missing directory', async () => {
    await expect(writeFileAtomic(join(dir, 'nope', 'm.safetensors'), [bytes(1)])).rejects.toThrow(NotFoundError);
  });

  it('survives a writer process killed in the middle of a save: the old file is untouched', async () => {
    const path = join(dir, 'model.safetensors');
    writeFileSync(path, 'old checkpoint');
    const script = fileURLToPath(new URL('./fixtures/stalled-writer.ts', import.meta.url));
    const child = spawn(process.execPath, ['--import', 'tsx', script, path], { stdio: ['ignore', 'pipe', 'pipe'] });
    let stderr = '';
    child.stderr.on('data', (d) => (stderr += String(d)));
    await new Promise<void>((resolve, reject) => {
      child.stdout.on('data', (d) => String(d).includes('HALF_WRITTEN') && resolve());
      child.on('exit', (code) => reject(new Error(`writer exited early (${code}): ${stderr}`)));
    });
    const temps = readdirSync(dir).filter((f) => f.endsWith('.tmp'));
    expect(temps).toHaveLength(1);
    expect(statSync(join(dir, temps[0])).size).toBe(64 * 1024);
    // A write in progress is never cleaned up from under its writer.
    expect(cleanStaleTempFiles(dir)).toEqual([]);
    const exited = new Promise((resolve) => child.on('exit', resolve));
    child.kill('SIGKILL');
    await exited;
    expect(readFileSync(path, 'utf8')).toBe('old checkpoint');
    // Its writer is dead now: the next start removes the orphan, and only it.
    expect(cleanStaleTempFiles(dir)).toEqual(temps);
    expect(readdirSync(dir)).toEqual(['model.safetensors']);
  });
});

describe('cleanStaleTempFiles', () => {
  it('removes only our temp names, and only when the writer is dead or the file is older than the limit', () => {
    const hourAgo = (Date.now() - 2 * 60 * 60 * 1000) / 1000;
    const make = (name: string, old = false) => {
      writeFileSync(join(dir, name), 'x');
      if (old) utimesSync(join(dir, name), hourAgo, hourAgo);
    };
    const alive = new Set([process.pid, 4242]);
    make('.model.safetensors.999991.k2j4h5.tmp'); // dead writer
    make(`.model.safetensors.${process.pid}.abc123.tmp`); // this process, fresh: a write in progress
    make('.session.safetensors.4242.zz9.tmp'); // another live writer, fresh
    make('.recent.json.4242.q1.tmp', true); // a live pid but two hours old: a reused pid, stale
    make(`.old.safetensors.${process.pid}.x.tmp`, true); // ours, but two hours old
    make('notes.tmp', true); // not a name writeFileAtomic makes
    make('.model.safetensors.tmp', true);
    make('.model.safetensors.123.ABC.tmp', true); // upper case: not ours
    make('model.safetensors', true);
    mkdirSync(join(dir, '.folder.safetensors.999992.a.tmp'));
    const removed = cleanStaleTempFiles(dir, { isAlive: (pid) => alive.has(pid) });
    expect(removed.sort()).toEqual(['.model.safetensors.999991.k2j4h5.tmp', '.old.safetensors.' + process.pid + '.x.tmp', '.recent.json.4242.q1.tmp'].sort());
    expect(readdirSync(dir).sort()).toEqual([
      '.folder.safetensors.999992.a.tmp', '.model.safetensors.123.ABC.tmp', `.model.safetensors.${process.pid}.abc123.tmp`,
      '.model.safetensors.tmp', '.session.safetensors.4242.zz9.tmp', 'model.safetensors', 'notes.tmp',
    ].sort());
    expect(cleanStaleTempFiles(join(dir, 'missing'))).toEqual([]);
  });
});

describe('readCheckpointFile', () => {
  it('reads bytes, and a missing file is a NotFoundError naming it', async () => {
    const path = join(dir, 'a.safetensors');
    writeFileSync(path, bytes(5, 6));
    expect(Array.from(await readCheckpointFile(path))).toEqual([5, 6]);
    await expect(readCheckpointFile(join(dir, 'missing.safetensors'))).rejects.toThrow(/checkpoint '.*missing.safetensors' does not exist/);
  });
});
