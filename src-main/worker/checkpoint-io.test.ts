/**
 * A session checkpoint is one file committed by one rename: a write that fails at any point, even after
 * every byte of the weights is out, leaves the previous weights and the previous step together.
 */
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { existsSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { NDArray } from '../../src-core';
import { readSafetensorsMetadata } from '../../src-core/checkpoint/checkpoint-file';
import { sidecarPath, STUDIO_META_KEY, type CheckpointMeta } from '../checkpoints/meta';
import { readCheckpointMeta, writeCheckpoint } from './checkpoint-io';
import { ModelRuntime } from './model-runtime';

/** Injected failures, counted across every file a save touches: writes (or renames) past the budget fail. */
const disk = vi.hoisted(() => ({ writesLeft: Infinity, renamesLeft: Infinity }));

vi.mock('node:fs/promises', async (importOriginal) => {
  const real = await importOriginal<typeof import('node:fs/promises')>();
  const eio = (what: string) => Promise.reject(Object.assign(new Error(`EIO: i/o error, ${what}`), { code: 'EIO' }));
  const open = async (...args: Parameters<typeof real.open>) => {
    const handle = await real.open(...args);
    return new Proxy(handle, {
      get(target, prop) {
        if (prop === 'write') {
          return (...w: Parameters<typeof handle.write>) => (disk.writesLeft-- <= 0 ? eio('write') : target.write(...w));
        }
        const value: unknown = Reflect.get(target, prop);
        return typeof value === 'function' ? value.bind(target) : value;
      },
    });
  };
  const rename = (...args: Parameters<typeof real.rename>) => (disk.renamesLeft-- <= 0 ? eio('rename') : real.rename(...args));
  return { ...real, open, rename, default: { ...real, open, rename } };
});

let dir = '';
let runtime: ModelRuntime;
beforeEach(async () => {
  dir = mkdtempSync(join(tmpdir(), 'tinyflow-checkpoint-io-'));
  runtime = new ModelRuntime('softmax', 0.5, 'cpu');
  await runtime.initialize();
});
afterEach(() => {
  disk.writesLeft = Infinity;
  disk.renamesLeft = Infinity;
  runtime.close();
  rmSync(dir, { recursive: true, force: true });
});

const metaAt = (step: number): CheckpointMeta => ({
  format: 'tinyflow-studio-checkpoint',
  version: 1,
  config: { model: 'softmax', backend: 'cpu', dataDir: null, optimizer: 'sgd', learningRate: 0.5, batchSize: 100, epochs: 1, steps: null },
  step,
  totalSteps: 600,
  loss: 0.5,
  testAccuracy: 0.9,
  savedAt: new Date(1_700_000_000_000 + step).toISOString(),
  history: { loss: [[step, 0.5]], accuracy: [] },
});

/** Every variable filled with `value`, so a restored checkpoint shows which save its weights came from. */
async function fillWeights(value: number): Promise<void> {
  const current = await runtime.readVariables();
  await runtime.writeVariables(runtime.session, current.map((v) => new NDArray(new Float32Array(v.size).fill(value), v.shape)));
}

/** What a fresh runtime restores from `path`: the step and the (single) fill value of the weights. */
async function reopen(path: string): Promise<{ step: number; fills: number[] }> {
  const meta = await readCheckpointMeta(path);
  const fresh = new ModelRuntime('softmax', 0.5, 'cpu');
  try {
    await fresh.restore(path);
    const fills = [...new Set((await fresh.readVariables()).flatMap((v) => Array.from(v.data)))];
    return { step: meta.step, fills };
  } finally {
    fresh.close();
  }
}

describe('writeCheckpoint', () => {
  it('writes the weights and the metadata as one file, no sidecar', async () => {
    const path = join(dir, 'run.safetensors');
    await fillWeights(0.25);
    await writeCheckpoint(runtime, path, metaAt(10));
    expect(readdirSync(dir)).toEqual(['run.safetensors']);
    expect(JSON.parse((await readSafetensorsMetadata(path))[STUDIO_META_KEY])).toEqual(metaAt(10));
    expect(await reopen(path)).toEqual({ step: 10, fills: [0.25] });
  });

  it('a save that fails at any write or rename, before or after the weights part, never pairs new weights with the old step', async () => {
    const path = join(dir, 'run.safetensors');
    for (const budget of ['writesLeft', 'renamesLeft'] as const) {
      await fillWeights(1);
      await writeCheckpoint(runtime, path, metaAt(10));
      await fillWeights(2);
      // Allow 0, 1, 2, ... writes (renames) before the failure, until the save gets through.
      let failures = 0;
      for (;;) {
        disk[budget] = failures;
        const saved = await writeCheckpoint(runtime, path, metaAt(20)).then(() => true, (e: Error) => (expect(e.message).toMatch(/EIO/), false));
        disk[budget] = Infinity;
        if (saved) break;
        expect(await reopen(path)).toEqual({ step: 10, fills: [1] });
        expect(readdirSync(dir)).toEqual(['run.safetensors']);
        failures++;
      }
      expect(failures).toBeGreaterThan(0);
      expect(await reopen(path)).toEqual({ step: 20, fills: [2] });
    }
  });

  it('refuses to write NaN weights, keeping the last good checkpoint', async () => {
    const path = join(dir, 'run.safetensors');
    await fillWeights(1);
    await writeCheckpoint(runtime, path, metaAt(10));
    await fillWeights(NaN);
    await expect(writeCheckpoint(runtime, path, metaAt(20))).rejects.toThrow(/Saver.save: variable '.+' holds \d+ non-finite values/);
    expect(await reopen(path)).toEqual({ step: 10, fills: [1] });
  });
});

describe('checkpoints of the old two-file format', () => {
  it('still open (weights from the file, metadata from the sidecar); the next save makes them one file', async () => {
    const path = join(dir, 'old.safetensors');
    await fillWeights(0.5);
    await runtime.saver.save(runtime.session, path); // the weights alone, as the old writer did
    writeFileSync(sidecarPath(path), `${JSON.stringify(metaAt(30), null, 2)}\n`);
    expect(await reopen(path)).toEqual({ step: 30, fills: [0.5] });

    await writeCheckpoint(runtime, path, metaAt(31));
    expect(existsSync(sidecarPath(path))).toBe(false);
    expect(await reopen(path)).toEqual({ step: 31, fills: [0.5] });
  });

  it('a bare safetensors file (no metadata, no sidecar) or a broken sidecar is refused with the reason', async () => {
    const path = join(dir, 'bare.safetensors');
    await runtime.saver.save(runtime.session, path);
    await expect(readCheckpointMeta(path)).rejects.toThrow(
      `checkpoint '${path}' cannot be opened: '${path}' is a safetensors file without tinyflow studio metadata (and has no sidecar ${sidecarPath(path)})`,
    );
    writeFileSync(sidecarPath(path), JSON.stringify({ ...metaAt(3), step: -1 }));
    await expect(readCheckpointMeta(path)).rejects.toThrow(/the sidecar .*bare.tinyflow.json is not a tinyflow studio checkpoint: step: /);
    writeFileSync(path, 'not a checkpoint at all');
    await expect(readCheckpointMeta(path)).rejects.toThrow(/cannot be opened: checkpoint '.*bare.safetensors' is corrupt or truncated: header length \d+ is implausible/);
  });
});
