import { afterAll, describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { REQUEST_CHANNELS } from './channels';
import { ApiValidationError, parsePayload, parseRequest } from './wire';
import { WorkerSupervisor } from '../src-main/worker/supervisor';
import { spawnComputeWorker } from '../src-main/worker/spawn-worker';
import { ApiRouter } from '../src-main/router';
import { checkpointHandlers } from '../src-main/checkpoints/host-handlers';
import { onnxExportHandlers } from '../src-main/checkpoints/onnx-export-handler';
import { CheckpointLibrary } from '../src-main/checkpoints/library';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

const channel = fc.constantFrom(...REQUEST_CHANNELS);
/** Values that are never valid payloads: wrong types, extra keys, out-of-range numbers. */
const junk = fc.oneof(
  fc.constant(null),
  fc.integer(),
  fc.string(),
  fc.array(fc.anything(), { maxLength: 3 }),
  fc.record({ evil: fc.anything() }),
  fc.record({ pixels: fc.array(fc.double({ min: 1.5, max: 1e9 }), { minLength: 784, maxLength: 784 }), saliency: fc.boolean() }),
  fc.record({ backend: fc.constant(''), model: fc.integer() }),
);

describe('IPC schemas', () => {
  it('reject malformed payloads with an error naming the channel', () => {
    fc.assert(
      fc.property(channel, junk, (c, payload) => {
        expect(() => parsePayload(c, payload)).toThrow(ApiValidationError);
        expect(() => parsePayload(c, payload)).toThrow(`IPC '${c}'`);
      }),
      { numRuns: 300 },
    );
  });

  it('reject malformed envelopes and unknown channels by name', () => {
    expect(() => parseRequest({ kind: 'request', id: 1, channel: 'fs:delete', payload: {} })).toThrow("IPC 'fs:delete': rejected: unknown channel");
    expect(() => parseRequest({ id: 'x', channel: 'predict' })).toThrow("IPC 'predict'");
    fc.assert(fc.property(fc.anything(), (raw) => {
      try {
        parseRequest(raw);
      } catch (e) {
        expect(e).toBeInstanceOf(ApiValidationError);
      }
    }));
  });

  it('accept every valid train config', () => {
    const config = fc.record({
      model: fc.constant('softmax'), backend: fc.constant('cpu'), dataDir: fc.constant(null), optimizer: fc.constantFrom('sgd', 'momentum', 'adam'),
      learningRate: fc.double({ min: 0.001, max: 10, noNaN: true }), batchSize: fc.integer({ min: 1, max: 10000 }),
      epochs: fc.integer({ min: 1, max: 1000 }), steps: fc.option(fc.integer({ min: 1, max: 1e6 })),
    });
    fc.assert(fc.property(config, (c) => void expect(parsePayload('train:start', c)).toEqual(c)));
  });

  it('check an inspect:node request: a node name and a sane bin count, nothing else', () => {
    expect(parsePayload('inspect:node', { node: 'dense/MatMul', bins: 30 })).toEqual({ node: 'dense/MatMul', bins: 30 });
    expect(() => parsePayload('inspect:node', { node: 'x', bins: 1 })).toThrow("IPC 'inspect:node': rejected: bins");
    expect(() => parsePayload('inspect:node', { node: 'x', bins: 100_000 })).toThrow('bins');
    expect(() => parsePayload('inspect:node', { node: '', bins: 30 })).toThrow('node');
    expect(() => parsePayload('inspect:node', { node: 'x', bins: 30, feed: [] })).toThrow("IPC 'inspect:node'");
  });
});

describe('the compute worker under malformed messages', () => {
  const supervisor = new WorkerSupervisor({ spawn: spawnComputeWorker, onEvent: () => undefined });
  const library = new CheckpointLibrary(mkdtempSync(join(tmpdir(), 'tinyflow-wire-')));
  const router = new ApiRouter(supervisor, { 'dialog:pick-data-dir': async () => ({ path: null }), ...checkpointHandlers(supervisor, library, null), ...onnxExportHandlers(supervisor, library.home, null), 'model:save': async () => ({ path: null, download: true }) });
  afterAll(() => supervisor.close());

  it('rejects each one by channel, and keeps running', async () => {
    const samples = fc.sample(fc.tuple(channel, junk), 40);
    for (const [c, payload] of samples) {
      const reply = await router.handleRaw({ kind: 'request', id: 7, channel: c, payload });
      expect(reply).toMatchObject({ id: 7, ok: false });
      expect(reply.ok ? '' : reply.error).toContain(`IPC '${c}'`);
    }
    // Straight to the worker too, past the router: the worker validates on arrival as well.
    await expect(supervisor.request('predict', { pixels: [1, 2], saliency: true } as never)).rejects.toThrow("IPC 'predict'");
    const info = await router.handleRaw({ kind: 'request', id: 8, channel: 'app:info', payload: {} });
    expect(info.ok).toBe(true);
    expect(supervisor.restartCount).toBe(0);
  });
});
