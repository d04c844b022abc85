/**
 * Non-finite numbers on every transport. The codec itself (tagged NaN/±Infinity, untouched messages kept
 * as they are, no prototype games); a diverged Progress survives JSON (the WebSocket) and structured clone
 * (Electron IPC, the worker's MessagePort) and still validates. Then end to end: a real web host with its
 * real compute worker trains softmax at learning rate 50, batch 1, and the renderer's own WebSocket client
 * receives the diverged progress with its NaN loss intact, and app:info (what a reload asks first)
 * validates afterwards; the worker port alone delivers it to the supervisor the same way.
 */
import { afterAll, describe, expect, it } from 'vitest';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { WebSocket as NodeWebSocket } from 'ws';
import type { Progress } from './schemas';
import { parseEvent, parseResponse } from './wire';
import { decodeNonFinite, encodeNonFinite } from './wire-codec';
import { websocketClient } from '../src-renderer/api/websocket-client';
import { startWebHost, type WebHost } from '../src-main/web/web-host';
import { spawnComputeWorker } from '../src-main/worker/spawn-worker';
import { WorkerSupervisor } from '../src-main/worker/supervisor';

const diverged: Progress = {
  state: 'diverged', config: null, model: 'softmax', backend: 'wasm', step: 40, totalSteps: 100, epoch: 0.1,
  loss: NaN, testAccuracy: 0.8, examplesPerSecond: 10, etaSeconds: null,
  lossPoints: [[10, 2.1], [40, 0.5]], accuracyPoints: [], seriesReset: true, error: null, restored: null, failover: null,
  divergence: { step: 42, loss: -Infinity, lastGoodStep: 40, suggestedLearningRate: 5, message: 'training diverged at step 42 (loss -Infinity); weights kept from step 40; try a learning rate below 5' },
  autosaveError: null,
};

const waitFor = async (what: string, cond: () => boolean, timeoutMs = 60_000): Promise<void> => {
  const end = Date.now() + timeoutMs;
  while (!cond()) {
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 20));
  }
};

const start = { model: 'softmax', backend: 'wasm', dataDir: null, optimizer: 'sgd', learningRate: 50, batchSize: 1, epochs: 1, steps: 100_000 } as const;

describe('non-finite numbers on the wire', () => {
  it('encodes NaN and ±Infinity as tags anywhere, decodes them back, and leaves other messages alone', () => {
    const encoded = encodeNonFinite({ a: [1, NaN, { b: Infinity }], c: -Infinity, d: 'NaN' });
    expect(encoded).toEqual({ a: [1, { $number: 'NaN' }, { b: { $number: 'Infinity' } }], c: { $number: '-Infinity' }, d: 'NaN' });
    expect(decodeNonFinite(JSON.parse(JSON.stringify(encoded)))).toEqual({ a: [1, NaN, { b: Infinity }], c: -Infinity, d: 'NaN' });
    const plain = { x: [1, 2, { y: 'z' }] };
    expect(encodeNonFinite(plain)).toBe(plain);
    expect(decodeNonFinite(plain)).toBe(plain);
    // Lookalikes are data, not tags; a '__proto__' key stays a key.
    expect(decodeNonFinite({ $number: 'zero' })).toEqual({ $number: 'zero' });
    expect(decodeNonFinite({ $number: 'NaN', extra: 1 })).toEqual({ $number: 'NaN', extra: 1 });
    const hostile = decodeNonFinite(JSON.parse('{"__proto__": {"polluted": true}, "v": {"$number": "NaN"}}')) as Record<string, unknown>;
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
    expect(Object.getPrototypeOf(hostile)).toBe(Object.prototype);
    expect(hostile.v).toBeNaN();
  });

  it('a diverged progress survives JSON and structured clone and validates', () => {
    // Without the codec JSON turns NaN into null: the old rejection ("received null"/"received NaN").
    expect(JSON.parse(JSON.stringify(diverged)).divergence.loss).toBeNull();
    for (const carry of [(v: unknown) => JSON.parse(JSON.stringify(v)) as unknown, (v: unknown) => structuredClone(v)]) {
      const arrived = parseEvent('train:progress', decodeNonFinite(carry(encodeNonFinite(diverged))));
      expect(arrived.loss).toBeNaN();
      expect(arrived.divergence?.loss).toBe(-Infinity);
      expect(arrived).toEqual(diverged);
    }
  });
});

describe('a diverging run over the real transports', () => {
  let host: WebHost | null = null;
  let supervisor: WorkerSupervisor | null = null;
  afterAll(async () => {
    await host?.close();
    await supervisor?.close();
  });

  it('the WebSocket delivers the diverged progress with NaN loss, and app:info validates afterwards', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'renderer-'));
    writeFileSync(join(dir, 'index.html'), '<!doctype html><title>t</title>');
    host = await startWebHost({ rendererDir: dir, home: mkdtempSync(join(tmpdir(), 'studio-home-')), log: () => undefined });
    const port = host.port;
    // The renderer's own client, on Node's ws with the Origin a browser on this page would send.
    const g = globalThis as { WebSocket?: unknown };
    const saved = g.WebSocket;
    g.WebSocket = class extends NodeWebSocket {
      constructor(url: string) {
        super(url, { headers: { Origin: `http://127.0.0.1:${port}` } });
      }
    };
    try {
      const client = websocketClient(`ws://127.0.0.1:${port}/api?token=${host.token}`, () => undefined);
      const events: Progress[] = [];
      client.on('train:progress', (p) => events.push(parseEvent('train:progress', p)));
      await client.call('train:start', start);
      await waitFor('diverged', () => events.some((p) => p.state === 'diverged'));
      const last = events.find((p) => p.state === 'diverged') as Progress;
      expect(typeof last.loss === 'number' && !Number.isFinite(last.loss)).toBe(true);
      expect(last.divergence?.message).toMatch(/^training diverged at step \d+ \(loss (NaN|-?Infinity)\)/);
      const info = parseResponse('app:info', await client.call('app:info', {}));
      expect(info.progress.state).toBe('diverged');
      expect(info.progress.divergence?.lastGoodStep).toBe(last.divergence?.lastGoodStep);
      await client.call('train:stop', {});
    } finally {
      g.WebSocket = saved;
    }
  }, 90_000);

  it('the worker port delivers it to the supervisor', async () => {
    const events: Progress[] = [];
    supervisor = new WorkerSupervisor({
      spawn: () => spawnComputeWorker({ autosavePath: null, autosaveMs: 10_000 }),
      onEvent: (channel, payload) => channel === 'train:progress' && events.push(payload as Progress),
      autosavePath: null,
      heartbeatMs: 500,
      stallMs: 30_000,
    });
    await supervisor.request('train:start', start);
    await waitFor('diverged', () => events.some((p) => p.state === 'diverged'));
    const d = events.find((p) => p.state === 'diverged') as Progress;
    expect(typeof d.loss === 'number' && !Number.isFinite(d.loss)).toBe(true);
    const info = await supervisor.request('app:info', {});
    expect(info.progress.divergence?.step).toBe(d.divergence?.step);
  }, 90_000);
});
