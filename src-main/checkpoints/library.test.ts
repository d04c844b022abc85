import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { NDArray } from '../../src-core';
import { encodeSafetensors } from '../../src-core/checkpoint/safetensors';
import { CheckpointListResponse } from '../../src-app-api/checkpoint-schemas';
import { CheckpointLibrary } from './library';
import { metaEntries, sidecarPath, type CheckpointMeta } from './meta';

let home = '';
let library: CheckpointLibrary;
beforeEach(() => {
  home = mkdtempSync(join(tmpdir(), 'tinyflow-library-'));
  library = new CheckpointLibrary(home);
});
afterEach(() => rmSync(home, { recursive: true, force: true }));

const metaAt = (step: number, savedAt: string): CheckpointMeta => ({
  format: 'tinyflow-studio-checkpoint',
  version: 1,
  config: { model: 'mlp', backend: 'cpu', dataDir: null, optimizer: 'adam', learningRate: 0.001, batchSize: 100, epochs: 1, steps: null },
  step,
  totalSteps: 600,
  loss: null,
  testAccuracy: null,
  savedAt,
});

/** A checkpoint file with one small tensor and these `__metadata__` entries. */
function writeCheckpointFile(path: string, metadata: Record<string, string> = {}): void {
  writeFileSync(path, Buffer.concat(encodeSafetensors([{ name: 'w', array: new NDArray(Float32Array.of(1, 2), [2]) }], metadata)));
}

describe('CheckpointLibrary.ensureFolders', () => {
  it('removes the temp files of interrupted writes (dead writers) at start, and nothing else', () => {
    library.ensureFolders();
    // A pid that surely belonged to a process that has exited.
    const deadPid = spawnSync(process.execPath, ['-e', '']).pid ?? 999_999;
    const orphan = `.session.safetensors.${deadPid}.abc.tmp`;
    const inFlight = `.session.safetensors.${process.pid}.def.tmp`;
    for (const name of [orphan, inFlight, 'session.safetensors']) writeFileSync(join(home, 'autosave', name), 'x');
    writeFileSync(join(library.folder, `.mine.safetensors.${deadPid}.q.tmp`), 'x');
    writeFileSync(join(home, `.recent-checkpoints.json.${deadPid}.r.tmp`), 'x');
    expect(library.ensureFolders().sort()).toEqual([orphan, `.mine.safetensors.${deadPid}.q.tmp`, `.recent-checkpoints.json.${deadPid}.r.tmp`].sort());
    expect(readdirSync(join(home, 'autosave')).sort()).toEqual([inFlight, 'session.safetensors'].sort());
    expect(readdirSync(library.folder)).toEqual([]);
  });
});

describe('CheckpointLibrary.listFolder', () => {
  it('lists readable checkpoints (both formats) and skips the others with a reason that names no folder', async () => {
    library.ensureFolders();
    const at = (name: string) => join(library.folder, name);
    writeCheckpointFile(at('new.safetensors'), metaEntries(metaAt(20, '2026-01-02T00:00:00.000Z')));
    writeCheckpointFile(at('old.safetensors'));
    writeFileSync(sidecarPath(at('old.safetensors')), JSON.stringify(metaAt(10, '2026-01-01T00:00:00.000Z')));
    writeFileSync(at('garbage.safetensors'), 'this is not a checkpoint');
    writeCheckpointFile(at('bare.safetensors'));
    writeCheckpointFile(at('bad-meta.safetensors'), { 'tinyflow-studio': '{"format":"tinyflow-studio-checkpoint"' });
    writeCheckpointFile(at('.hidden.safetensors'));

    const { checkpoints, skipped } = await library.listFolder();
    expect(checkpoints.map((c) => [c.label, c.step])).toEqual([['new.safetensors', 20], ['old.safetensors', 10]]);
    expect(skipped.map((s) => s.label)).toEqual(['bad-meta.safetensors', 'bare.safetensors', 'garbage.safetensors']);
    expect(skipped[0].reason).toMatch(/^the 'tinyflow-studio' metadata of 'bad-meta.safetensors' is not valid JSON/);
    expect(skipped[1].reason).toBe("'bare.safetensors' is a safetensors file without tinyflow studio metadata (and has no sidecar bare.tinyflow.json)");
    expect(skipped[2].reason).toMatch(/^checkpoint 'garbage.safetensors' is corrupt or truncated: header length \d+ is implausible/);
    for (const { reason } of skipped) expect(reason).not.toContain(home);
    // What the host sends passes the contract.
    expect(CheckpointListResponse.safeParse({ nativeDialogs: false, folder: checkpoints, recent: [], skipped }).success).toBe(true);
  });

  it('an empty or missing folder lists nothing', async () => {
    expect(await library.listFolder()).toEqual({ checkpoints: [], skipped: [] });
  });
});
