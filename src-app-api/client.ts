/**
 * The typed client interface the renderer's stores use, whatever carries the messages: the Electron
 * preload bridge, the web host's WebSocket, or (in tests) an in-process engine.
 */
import type { EventChannel, RequestChannel } from './channels';
import type { EventPayload, Req, Res } from './schemas';

export interface ApiClient {
  readonly transport: 'electron' | 'websocket' | 'in-process';
  call<C extends RequestChannel>(channel: C, payload: Req<C>): Promise<Res<C>>;
  /** Subscribes to an event stream; returns the unsubscribe function. */
  on<E extends EventChannel>(channel: E, listener: (payload: EventPayload<E>) => void): () => void;
}

/** The object the preload exposes as `window.tinyflow`: one method per channel, plus event subscription. */
export type BridgeApi = {
  readonly [C in RequestChannel as MethodName<C>]: (payload: Req<C>) => Promise<Res<C>>;
} & {
  onEvent(channel: EventChannel, listener: (payload: unknown) => void): () => void;
};

/** The type-level twin of `methodName` in channels.ts: 'train:set-backend' → 'trainSetBackend'. */
export type MethodName<S extends string> = S extends `${infer A}:${infer B}`
  ? `${MethodName<A>}${Capitalize<MethodName<B>>}`
  : S extends `${infer A}-${infer B}`
    ? `${A}${Capitalize<MethodName<B>>}`
    : S;
