/**
 * The Compare run says which GPU adapter a backend used, so the view can mark a software (fallback)
 * adapter: its timings are the CPU emulating a GPU, not the GPU. Runs webgpu on any adapter (the
 * built-in registration refuses software ones); skipped, saying why, where there is no adapter at all.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { registerBackend, unregisterBackend } from '../../backends';
import { webgpuBackendFactory } from '../../backends/webgpu';
import { webgpuUnavailableReason } from '../../backends/webgpu/test-support';
import { withOnlyCpuBuiltin } from '../../test/isolate-builtin-backends';
import { adapterNote, rowsToCsv } from '../../src-renderer/stores/compare';
import { compareBackends } from './compare';

withOnlyCpuBuiltin();

const reason = await webgpuUnavailableReason();
if (reason !== null) console.log(`compare with webgpu skipped: ${reason}`);

describe.skipIf(reason !== null)('compare rows carry the webgpu adapter', () => {
  beforeAll(() => registerBackend('webgpu', webgpuBackendFactory, { priority: 20 }));
  afterAll(() => unregisterBackend('webgpu'));

  it('webgpu reports its adapter and whether it is software; cpu reports none', async () => {
    const { rows } = await compareBackends({ model: 'softmax', steps: 3, batchSize: 20, targetAccuracy: 0.5 }, { budgetMs: 60_000 });
    const cpu = rows.find((r) => r.backend === 'cpu');
    const webgpu = rows.find((r) => r.backend === 'webgpu');
    expect(webgpu?.error ?? null, webgpu?.error ?? '').toBeNull();
    expect(cpu?.adapter).toBeUndefined();
    expect(webgpu?.adapter?.description).toMatch(/^(dawn|navigator\.gpu)/);
    const software = /llvmpipe|lavapipe|swiftshader/i.test(webgpu?.adapter?.description ?? '');
    if (software) expect(webgpu?.adapter?.software).toBe(true);
    expect(adapterNote(webgpu!)).toBe(webgpu?.adapter?.software ? 'software adapter' : null);
    expect(webgpu?.weightMaxDiff).toBeLessThan(1e-3);
    const csv = rowsToCsv(rows).split('\n');
    expect(csv[0]!.endsWith(',adapter')).toBe(true);
    if (webgpu?.adapter?.software) expect(csv.find((l) => l.startsWith('"webgpu"'))).toMatch(/\(software adapter\)"$/);
  });
});

if (reason !== null) it.skip(`compare rows carry the webgpu adapter (no adapter: ${reason})`, () => undefined);
