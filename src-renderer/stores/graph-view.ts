/**
 * The graph viewer's state, kept across tab switches: which graph is shown (the model's or the compiled
 * plan of its training step), which scopes are open in each, whether init ops are drawn, and the plan as
 * the worker last answered it.
 */
import { defineStore } from 'pinia';
import { ref, shallowRef } from 'vue';
import type { PlanGraph } from '../../src-app-api/schemas';
import { apiClient } from '../api';

export type GraphMode = 'graph' | 'plan';

export const useGraphViewStore = defineStore('graph-view', () => {
  const mode = ref<GraphMode>('graph');
  const showInit = ref(false);
  /** Open scopes per mode: the plan's fused names differ from the graph's, so each keeps its own. */
  const expanded = shallowRef<Record<GraphMode, ReadonlySet<string>>>({ graph: new Set(), plan: new Set() });
  const plan = shallowRef<PlanGraph | null>(null);
  const planError = ref<string | null>(null);
  const planLoading = ref(false);
  let planRequest = 0;

  function setExpanded(m: GraphMode, scopes: ReadonlySet<string>): void {
    expanded.value = { ...expanded.value, [m]: scopes };
  }

  /** Asks the worker for the running session's plan; a reply to an older request is dropped. */
  async function loadPlan(): Promise<void> {
    const mine = ++planRequest;
    planLoading.value = true;
    try {
      const result = await apiClient().call('inspect:plan', {});
      if (mine !== planRequest) return;
      // A plan of another model or backend has other names: its open scopes no longer mean anything.
      if (plan.value && (plan.value.model !== result.model || plan.value.backend !== result.backend)) setExpanded('plan', new Set());
      plan.value = result;
      planError.value = null;
    } catch (e) {
      if (mine !== planRequest) return;
      planError.value = e instanceof Error ? e.message : String(e);
    } finally {
      if (mine === planRequest) planLoading.value = false;
    }
  }

  async function setMode(m: GraphMode): Promise<void> {
    mode.value = m;
    if (m === 'plan') await loadPlan();
  }

  return { mode, showInit, expanded, plan, planError, planLoading, setExpanded, loadPlan, setMode };
});
