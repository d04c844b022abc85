/**
 * The Train view's data preview: what a data folder holds (kind, classes, split sizes, labelled samples)
 * before training on it, from the worker's `data:preview` channel.
 */
import { defineStore } from 'pinia';
import { ref } from 'vue';
import type { DataPreviewResult } from '../../src-app-api/schemas';
import { apiClient } from '../api';

export const useDataPreviewStore = defineStore('data-preview', () => {
  const dir = ref<string | null>(null);
  const preview = ref<DataPreviewResult | null>(null);
  const error = ref<string | null>(null);
  const loading = ref(false);
  /** Only the answer for the latest folder counts: a slow preview of a folder the user moved on from is dropped. */
  let latest = 0;

  async function load(dataDir: string): Promise<void> {
    const trimmed = dataDir.trim();
    const ticket = ++latest;
    dir.value = trimmed;
    preview.value = null;
    error.value = null;
    if (trimmed === '') {
      loading.value = false;
      return;
    }
    loading.value = true;
    try {
      const answer = await apiClient().call('data:preview', { dataDir: trimmed });
      if (ticket === latest) preview.value = answer;
    } catch (e) {
      if (ticket === latest) error.value = e instanceof Error ? e.message : String(e);
    } finally {
      if (ticket === latest) loading.value = false;
    }
  }

  function clear(): void {
    latest++;
    dir.value = null;
    preview.value = null;
    error.value = null;
    loading.value = false;
  }

  return { dir, preview, error, loading, load, clear };
});
