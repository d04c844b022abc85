/**
 * Live prediction for the Draw view: one request in flight at a time; while it runs only the newest
 * drawing waits, so a fast pen never queues up stale predictions. An empty canvas (after Clear or Undo
 * of the last stroke) is not classified and cannot be added; an answer for a drawing that is gone by
 * the time it arrives is dropped. The user's own set is listed here with delete.
 */
import { defineStore } from 'pinia';
import { ref, shallowRef } from 'vue';
import type { Drawing, Res } from '../../src-app-api/schemas';
import { hasInk, NOTHING_DRAWN, USER_SET_CAPACITY } from '../../src-app-api/drawings';
import { apiClient } from '../api';

const PAGE = 200;

export const useDrawStore = defineStore('draw', () => {
  const input = shallowRef<Float32Array>(new Float32Array(784));
  const prediction = shallowRef<Res<'predict'> | null>(null);
  const roundTripMs = ref<number | null>(null);
  const userSetSize = ref(0);
  const capacity = ref(USER_SET_CAPACITY);
  const drawings = ref<Drawing[]>([]);
  const error = ref<string | null>(null);
  /** Nothing on the canvas: no prediction, nothing to add. */
  const empty = ref(true);
  let inFlight = false;
  let waiting: Float32Array | null = null;
  /** Bumped when the canvas empties: an answer for an older drawing must not reappear. */
  let generation = 0;

  function message(e: unknown): string {
    return e instanceof Error ? e.message : String(e);
  }

  async function predict(pixels: Float32Array): Promise<void> {
    input.value = pixels;
    empty.value = !hasInk(pixels);
    if (empty.value) {
      generation++;
      waiting = null;
      prediction.value = null;
      return;
    }
    if (inFlight) {
      waiting = pixels;
      return;
    }
    inFlight = true;
    const asked = generation;
    try {
      const t0 = performance.now();
      const answer = await apiClient().call('predict', { pixels: Array.from(pixels), saliency: true });
      if (asked === generation) {
        prediction.value = answer.nothingDrawn ? null : answer;
        roundTripMs.value = performance.now() - t0;
        error.value = null;
      }
    } catch (e) {
      error.value = message(e);
    } finally {
      inFlight = false;
    }
    const next = waiting;
    waiting = null;
    if (next) await predict(next);
  }

  function clear(): void {
    generation++;
    waiting = null;
    input.value = new Float32Array(784);
    prediction.value = null;
    empty.value = true;
  }

  async function refreshDrawings(): Promise<void> {
    try {
      const page = await apiClient().call('userset:list', { offset: 0, limit: PAGE });
      drawings.value = page.drawings;
      userSetSize.value = page.total;
      capacity.value = page.capacity;
    } catch (e) {
      error.value = message(e);
    }
  }

  /** Adds the drawing on the pad with `label`; refused here already when the pad is empty. */
  async function addToUserSet(label: number): Promise<boolean> {
    if (!hasInk(input.value)) {
      error.value = NOTHING_DRAWN;
      return false;
    }
    try {
      const r = await apiClient().call('userset:add', { pixels: Array.from(input.value), label });
      userSetSize.value = r.size;
      error.value = null;
    } catch (e) {
      error.value = message(e);
      return false;
    }
    await refreshDrawings();
    return true;
  }

  async function deleteDrawing(id: number): Promise<void> {
    try {
      userSetSize.value = (await apiClient().call('userset:delete', { id })).size;
      drawings.value = drawings.value.filter((d) => d.id !== id);
      error.value = null;
    } catch (e) {
      error.value = message(e);
    }
    await refreshDrawings();
  }

  return { input, prediction, roundTripMs, userSetSize, capacity, drawings, error, empty, predict, clear, refreshDrawings, addToUserSet, deleteDrawing };
});
