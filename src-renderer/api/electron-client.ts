/** The ApiClient over the Electron preload bridge (`window.tinyflow`, one method per channel). */
import { methodName } from '../../src-app-api/channels';
import type { ApiClient, BridgeApi } from '../../src-app-api/client';

export function electronClient(bridge: BridgeApi): ApiClient {
  const methods = bridge as unknown as Record<string, (payload: unknown) => Promise<unknown>>;
  return {
    transport: 'electron',
    call: (channel, payload) => methods[methodName(channel)](payload) as never,
    on: (channel, listener) => bridge.onEvent(channel, (payload) => listener(payload as never)),
  };
}
