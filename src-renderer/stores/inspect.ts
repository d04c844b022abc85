/** The Inspect view's snapshot (weights, confusion matrix, misclassified digits, graph), refreshed on demand. */
import { defineStore } from 'pinia';
import { ref, shallowRef } from 'vue';
import type { Res } from '../../src-app-api/schemas';
import { apiClient } from '../api';

export type Snapshot = Res<'inspect:snapshot'>;

export const useInspectStore = defineStore('inspect', () => {
  const snapshot = shallowRef<Snapshot | null>(null);
  const error = ref<string | null>(null);
  const loading = ref(false);

  async function refresh(): Promise<void> {
    if (loading.value) return;
    loading.value = true;
    try {
      snapshot.value = await apiClient().call('inspect:snapshot', { misclassifiedLimit: 24 });
      error.value = null;
    } catch (e) {
      error.value = e instanceof Error ? e.message : String(e);
    } finally {
      loading.value = false;
    }
  }

  return { snapshot, error, loading, refresh };
});
