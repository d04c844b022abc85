/**
 * The Inspect view's "see inside" store against the real engine in-process (every payload validated
 * by the contract): a test image's activations, the index field's range check in words, the drawn
 * digit (and nothing drawn), clicks that collapse into one request; and the drawing helpers: ridge
 * geometry and the map colours on a shared or per-map scale.
 */
import { beforeEach, describe, expect, it } from 'vitest';
import { createPinia, setActivePinia } from 'pinia';
import { inProcessClient } from '../../src-main/worker/in-process-client';
import type { ApiClient } from '../../src-app-api/client';
import { setApiClient } from '../api';
import { evenly, ridgePlot } from '../lib/ridgelines';
import { mapRgba, mapValue, sequentialColor } from '../lib/value-maps';
import { useDrawStore } from './draw';
import { useInsightStore } from './insight';

/** The in-process client, counting the calls per channel. */
function countingClient(): { client: ApiClient; calls: Map<string, number> } {
  const inner = inProcessClient();
  const calls = new Map<string, number>();
  const client: ApiClient = {
    transport: 'in-process',
    call: (channel, payload) => {
      calls.set(channel, (calls.get(channel) ?? 0) + 1);
      return inner.call(channel, payload);
    },
    on: (channel, listener) => inner.on(channel, listener),
  };
  return { client, calls };
}

describe('insight store', () => {
  let calls: Map<string, number>;
  beforeEach(() => {
    setActivePinia(createPinia());
    const counting = countingClient();
    calls = counting.calls;
    setApiClient(counting.client);
  });

  it("loads a test image's layers, then checks the index field against the split's size", async () => {
    const store = useInsightStore();
    store.setIndex(4);
    await store.loadActivations();
    expect(store.activationsError).toBeNull();
    expect(store.activations?.test?.index).toBe(4);
    expect(store.activations?.layers.map((l) => l.name)).toEqual(['W']);
    const size = store.testSize as number;
    expect(size).toBeGreaterThan(100);

    store.setIndex(size);
    expect(store.indexError).toBe(`Test image must be a whole number between 0 and ${size - 1}`);
    store.setIndex(Number.NaN);
    await store.loadActivations();
    expect(store.indexError).toMatch(/^Test image must be a whole number/);
    // Nothing was asked for a bad index, and the last good answer stays.
    expect(calls.get('inspect:activations')).toBe(1);
    expect(store.activations?.test?.index).toBe(4);

    store.setIndex(size - 1);
    await store.step(1);
    expect(store.testIndex).toBe(size - 1);
    expect(store.activations?.test?.index).toBe(size - 1);
  });

  it('the drawn digit: says to draw first when nothing is drawn, then shows the drawing', async () => {
    const store = useInsightStore();
    await store.useSource('drawing');
    expect(store.activationsError).toMatch(/^Nothing drawn yet/);
    expect(calls.get('inspect:activations')).toBeUndefined();
    const stroke = Float32Array.from({ length: 784 }, (_, i) => (i % 28 > 12 && i % 28 < 16 && i > 150 && i < 650 ? 1 : 0));
    useDrawStore().input = stroke;
    await store.loadActivations();
    expect(store.activationsError).toBeNull();
    expect(store.activations?.test).toBeNull();
    expect(store.activations?.input).toEqual(Array.from(stroke));
  });

  it('fast clicks collapse: five refreshes while one is in flight make two requests', async () => {
    const store = useInsightStore();
    await Promise.all([store.loadActivations(), store.loadActivations(), store.loadActivations(), store.loadActivations(), store.loadActivations()]);
    expect(calls.get('inspect:activations')).toBe(2);
    await Promise.all([store.loadHistories(), store.loadHistories(), store.loadHistories()]);
    expect(calls.get('inspect:histories')).toBe(2);
    expect(store.histories?.selected).toBeNull();
  });
});

describe('drawing helpers', () => {
  const hist = (min: number, max: number, peakBin: number) => ({ min, max, nonFinite: 0, counts: Array.from({ length: 30 }, (_, i) => (i === peakBin ? 10 : 1)) });

  it('ridges: one per sample up to the cap (first and last kept), oldest on top, on one value axis', () => {
    const samples = Array.from({ length: 100 }, (_, k) => ({ step: (k + 1) * 2, hist: hist(-k / 100, k / 100 + 0.1, k % 30) }));
    const plot = ridgePlot(samples, { width: 400, height: 200, maxRidges: 40 });
    expect(plot.ridges).toHaveLength(40);
    expect(plot.skipped).toBe(60);
    expect(plot.ridges[0].step).toBe(2);
    expect(plot.ridges.at(-1)?.step).toBe(200);
    expect(plot.ridges.every((r, i) => i === 0 || r.baseline > plot.ridges[i - 1].baseline)).toBe(true);
    expect(plot.lo).toBeCloseTo(-0.99, 6);
    expect(plot.hi).toBeCloseTo(1.09, 6);
    expect(plot.stepTicks.map((t) => t.step)).toContain(200);
    expect(evenly(5, 10)).toEqual([0, 1, 2, 3, 4]);
    // Zeros at initialisation: a spike on an axis of its own, not a division by zero.
    const flat = ridgePlot([{ step: 1, hist: { min: 0, max: 0, nonFinite: 0, counts: [7, ...new Array<number>(29).fill(0)] } }], { width: 100, height: 50, maxRidges: 10 });
    expect(flat.ridges[0].path).not.toContain('NaN');
    expect([flat.lo, flat.hi]).toEqual([-0.5, 0.5]);
  });

  it("map colours: per map stretches each map's own range, shared per layer compares maps", () => {
    const map = { lo: 1, hi: 3, q: [0, 255] };
    expect(mapValue(map, 1)).toBe(3);
    const own = mapRgba(map, 'sequential', 'map', { min: 0, max: 10 });
    expect(Array.from(own.slice(0, 3))).toEqual(sequentialColor(0));
    expect(Array.from(own.slice(4, 7))).toEqual(sequentialColor(1));
    const shared = mapRgba(map, 'sequential', 'layer', { min: 0, max: 10 });
    expect(Array.from(shared.slice(0, 3))).toEqual(sequentialColor(0.1));
    expect(Array.from(shared.slice(4, 7))).toEqual(sequentialColor(0.3));
    const diverging = mapRgba({ lo: -2, hi: 2, q: [0, 128, 255] }, 'diverging', 'map', { min: 0, max: 0 });
    expect(Array.from(diverging.slice(0, 3))).toEqual([0, 0, 255]);
    expect(Array.from(diverging.slice(8, 11))).toEqual([255, 0, 0]);
  });
});
