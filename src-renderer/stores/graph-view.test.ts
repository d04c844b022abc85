/**
 * The graph viewer's store over the real engine: the plan mode loads inspect:plan, two quick toggles
 * keep only the latest answer, each mode keeps its own open scopes, and an error reads as words.
 */
import { beforeEach, describe, expect, it } from 'vitest';
import { createPinia, setActivePinia } from 'pinia';
import { inProcessClient } from '../../src-main/worker/in-process-client';
import type { ApiClient } from '../../src-app-api/client';
import type { RequestChannel } from '../../src-app-api/channels';
import { setApiClient } from '../api';
import { useGraphViewStore } from './graph-view';

describe('graph view store (in-process engine)', () => {
  let client: ReturnType<typeof inProcessClient>;
  beforeEach(() => {
    setActivePinia(createPinia());
    client = inProcessClient();
    setApiClient(client);
  });

  it('loads the plan on entering plan mode; each mode keeps its own open scopes', async () => {
    const view = useGraphViewStore();
    view.setExpanded('graph', new Set(['conv1']));
    await view.setMode('plan');
    expect(view.mode).toBe('plan');
    expect(view.planError).toBeNull();
    expect(view.plan?.kernels).toBeGreaterThan(0);
    expect(view.planLoading).toBe(false);
    view.setExpanded('plan', new Set(['gradients']));
    await view.setMode('graph');
    expect([...view.expanded.graph]).toEqual(['conv1']);
    expect([...view.expanded.plan]).toEqual(['gradients']);
  });

  it('keeps only the latest of two overlapping plan requests, and shows a failed one as its message', async () => {
    const view = useGraphViewStore();
    let calls = 0;
    /** The real engine behind a transport whose first answer comes late and as an error. */
    const wrap = (call: (channel: RequestChannel, payload: unknown) => Promise<unknown>): ApiClient => ({ transport: 'in-process', on: client.on, call: call as ApiClient['call'] });
    setApiClient(
      wrap(async (channel, payload) => {
        calls++;
        if (calls === 1) {
          await new Promise((r) => setTimeout(r, 200));
          throw new Error('inspect:plan: the first answer must not land');
        }
        return client.call(channel, payload as never);
      }),
    );
    const first = view.loadPlan();
    const second = view.loadPlan();
    await Promise.all([first, second]);
    expect(view.planError).toBeNull();
    expect(view.plan).not.toBeNull();

    setApiClient(
      wrap(() => Promise.reject(new Error('Session.explain: the backend is still initialising'))),
    );
    await view.loadPlan();
    expect(view.planError).toBe('Session.explain: the backend is still initialising');
    expect(view.planLoading).toBe(false);
  });
});
