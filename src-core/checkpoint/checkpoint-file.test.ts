import { describe, it, expect, beforeEach, afterEach } from 'vitest';
import { spawn } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { NotFoundError } from '../errors';
import { readCheckpointFile, writeFileAtomic } from './checkpoint-file';

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
    const exited = new Promise((resolve) => child.on('exit', resolve));
    child.kill('SIGKILL');
    await exited;
    expect(readFileSync(path, 'utf8')).toBe('old checkpoint');
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
