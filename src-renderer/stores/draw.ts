/**
 * Live prediction for the Draw view: one request in flight at a time; while it runs only the newest
 * drawing waits, so a fast pen never queues up stale predictions.
 */
import { defineStore } from 'pinia';
import { ref, shallowRef } from 'vue';
import type { Res } from '../../src-app-api/schemas';
import { apiClient } from '../api';

export const useDrawStore = defineStore('draw', () => {
  const input = shallowRef<Float32Array>(new Float32Array(784));
  const prediction = shallowRef<Res<'predict'> | null>(null);
  const roundTripMs = ref<number | null>(null);
  const userSetSize = ref(0);
  const error = ref<string | null>(null);
  let inFlight = false;
  let waiting: Float32Array | null = null;

  async function predict(pixels: Float32Array): Promise<void> {
    input.value = pixels;
    if (inFlight) {
      waiting = pixels;
      return;
    }
    inFlight = true;
    try {
      const t0 = performance.now();
      prediction.value = await apiClient().call('predict', { pixels: Array.from(pixels), saliency: true });
      roundTripMs.value = performance.now() - t0;
      error.value = null;
    } catch (e) {
      error.value = e instanceof Error ? e.message : String(e);
    } finally {
      inFlight = false;
    }
    const next = waiting;
    waiting = null;
    if (next) await predict(next);
  }

  function clear(): void {
    input.value = new Float32Array(784);
    prediction.value = null;
  }

  async function addToUserSet(label: number): Promise<void> {
    const r = await apiClient().call('userset:add', { pixels: Array.from(input.value), label });
    userSetSize.value = r.size;
  }

  return { input, prediction, roundTripMs, userSetSize, error, predict, clear, addToUserSet };
});
