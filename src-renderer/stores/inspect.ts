/**
 * The Inspect view's data: the snapshot (weights, confusion matrix, misclassified digits, graph),
 * refreshed on demand, and the selected graph node's values on the current batch.
 */
import { defineStore } from 'pinia';
import { ref, shallowRef } from 'vue';
import type { NodeInspection, Res } from '../../src-app-api/schemas';
import { apiClient } from '../api';

export type Snapshot = Res<'inspect:snapshot'>;
/** Histogram resolution of the node details. */
export const NODE_BINS = 30;

export const useInspectStore = defineStore('inspect', () => {
  const snapshot = shallowRef<Snapshot | null>(null);
  const error = ref<string | null>(null);
  const loading = ref(false);
  const selected = ref<string | null>(null);
  const node = shallowRef<NodeInspection | null>(null);
  const nodeError = ref<string | null>(null);
  let nodeRequest = 0;

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
    if (selected.value !== null) await refreshNode();
  }

  async function select(id: string): Promise<void> {
    selected.value = id;
    if (node.value?.node !== id) node.value = null;
    await refreshNode();
  }

  async function refreshNode(): Promise<void> {
    const id = selected.value;
    if (id === null) return;
    // Clicks can outrun replies: only the answer for the latest request may land.
    const mine = ++nodeRequest;
    try {
      const result = await apiClient().call('inspect:node', { node: id, bins: NODE_BINS });
      if (mine !== nodeRequest) return;
      node.value = result;
      nodeError.value = null;
    } catch (e) {
      if (mine !== nodeRequest) return;
      node.value = null;
      nodeError.value = e instanceof Error ? e.message : String(e);
    }
  }

  return { snapshot, error, loading, selected, node, nodeError, refresh, select, refreshNode };
});
