/**
 * "See inside" for the Inspect view: one image through every layer (the drawn digit or a test image)
 * and the weight/gradient histograms of the current run. One request per kind in flight at a time: a
 * request asked for meanwhile runs once after it (a timer or fast clicks never queue up work in the
 * worker), and only the answer to the newest question is shown.
 */
import { defineStore } from 'pinia';
import { ref, shallowRef } from 'vue';
import type { Activations, Histories } from '../../src-app-api/inspect-schemas';
import { hasInk } from '../../src-app-api/drawings';
import { apiClient } from '../api';
import { useDrawStore } from './draw';

export type ActivationSourceKind = 'test' | 'drawing';

/** Runs `fn` with at most one call in flight; calls made meanwhile collapse into one run after it. */
function coalesced(fn: () => Promise<void>): () => Promise<void> {
  let running: Promise<void> | null = null;
  let again = false;
  const run = async (): Promise<void> => {
    if (running) {
      again = true;
      return running;
    }
    running = (async () => {
      try {
        do {
          again = false;
          await fn();
        } while (again);
      } finally {
        running = null;
      }
    })();
    return running;
  };
  return run;
}

const message = (e: unknown): string => (e instanceof Error ? e.message : String(e));

export const useInsightStore = defineStore('insight', () => {
  const source = ref<ActivationSourceKind>('test');
  /** What the index field holds: NaN while it is not a number. */
  const testIndex = ref(0);
  /** The test split's size, from the last answer (the field's range). */
  const testSize = ref<number | null>(null);
  const indexError = ref<string | null>(null);
  const activations = shallowRef<Activations | null>(null);
  const activationsError = ref<string | null>(null);
  const histories = shallowRef<Histories | null>(null);
  const historiesError = ref<string | null>(null);
  /** The variable the timeline shows; null: the first one the worker lists. */
  const variable = ref<string | null>(null);

  /** Why the index field's value cannot be asked for, or null. */
  function checkIndex(value: number): string | null {
    const top = testSize.value === null ? null : testSize.value - 1;
    const range = top === null ? 'a whole number, 0 or more' : `a whole number between 0 and ${top}`;
    if (!Number.isInteger(value) || value < 0 || (top !== null && value > top)) return `Test image must be ${range}`;
    return null;
  }

  const loadActivations = coalesced(async () => {
    const draw = useDrawStore();
    let request: { source: { testIndex: number } | { pixels: number[] } };
    if (source.value === 'drawing') {
      if (!hasInk(draw.input)) {
        activationsError.value = 'Nothing drawn yet: draw a digit in the Draw view, then come back.';
        return;
      }
      request = { source: { pixels: Array.from(draw.input) } };
    } else {
      indexError.value = checkIndex(testIndex.value);
      if (indexError.value !== null) return;
      request = { source: { testIndex: testIndex.value } };
    }
    try {
      const answer = await apiClient().call('inspect:activations', request);
      activations.value = answer;
      testSize.value = answer.testSize;
      activationsError.value = null;
    } catch (e) {
      if (source.value === 'test') indexError.value = message(e).includes('Test image') ? message(e).replace(/^inspect:activations: /, '') : null;
      activationsError.value = indexError.value === null ? message(e) : null;
    }
  });

  const loadHistories = coalesced(async () => {
    try {
      histories.value = await apiClient().call('inspect:histories', { variable: variable.value });
      historiesError.value = null;
    } catch (e) {
      if (variable.value === null) {
        historiesError.value = message(e);
        return;
      }
      // The chosen variable is not in this run (a new model): show the first one instead.
      variable.value = null;
      try {
        histories.value = await apiClient().call('inspect:histories', { variable: null });
        historiesError.value = null;
      } catch (again) {
        historiesError.value = message(again);
      }
    }
  });

  function setIndex(value: number): void {
    testIndex.value = value;
    source.value = 'test';
    indexError.value = checkIndex(value);
  }

  /** Steps the index by `delta`, staying inside the split. */
  async function step(delta: number): Promise<void> {
    const top = (testSize.value ?? 1) - 1;
    const current = Number.isInteger(testIndex.value) ? testIndex.value : 0;
    setIndex(Math.min(top, Math.max(0, current + delta)));
    await loadActivations();
  }

  async function random(): Promise<void> {
    setIndex(Math.floor(Math.random() * (testSize.value ?? 1)));
    await loadActivations();
  }

  async function useSource(kind: ActivationSourceKind): Promise<void> {
    source.value = kind;
    await loadActivations();
  }

  async function selectVariable(name: string): Promise<void> {
    variable.value = name;
    await loadHistories();
  }

  return {
    source, testIndex, testSize, indexError, activations, activationsError, histories, historiesError, variable,
    loadActivations, loadHistories, setIndex, step, random, useSource, selectVariable, checkIndex,
  };
});
