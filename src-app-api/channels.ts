/**
 * The channel names of the typed API, without schemas: the sandboxed preload imports only this file,
 * because a sandboxed preload cannot `require` packages such as zod.
 */
export const REQUEST_CHANNELS = [
  'app:info',
  'train:start',
  'train:pause',
  'train:resume',
  'train:diagnose',
  'train:stop',
  'train:set-backend',
  'predict',
  'userset:add',
  'userset:list',
  'userset:delete',
  'inspect:snapshot',
  'inspect:node',
  'inspect:activations',
  'inspect:histories',
  'inspect:plan',
  'compare:run',
  'compare:cancel',
  'compare:coverage',
  'data:preview',
  'dialog:pick-data-dir',
  'checkpoint:save',
  'checkpoint:open',
  'checkpoint:list',
  'checkpoint:export-onnx',
  'runs:list',
  'runs:get',
  'runs:delete',
  'runs:rename',
  'model:check',
  'model:save',
] as const;

export type RequestChannel = (typeof REQUEST_CHANNELS)[number];

export const EVENT_CHANNELS = ['train:progress', 'worker:status'] as const;
export type EventChannel = (typeof EVENT_CHANNELS)[number];

/** Channels the host (main process or web host) answers itself; every other channel goes to the worker. */
export const HOST_CHANNELS = ['dialog:pick-data-dir', 'checkpoint:save', 'checkpoint:open', 'checkpoint:list', 'checkpoint:export-onnx', 'model:save'] as const satisfies readonly RequestChannel[];
export type HostChannel = (typeof HOST_CHANNELS)[number];

export function isHostChannel(channel: RequestChannel): channel is HostChannel {
  return (HOST_CHANNELS as readonly string[]).includes(channel);
}

export function isRequestChannel(value: unknown): value is RequestChannel {
  return typeof value === 'string' && (REQUEST_CHANNELS as readonly string[]).includes(value);
}

/** `train:set-backend` → `trainSetBackend`: the bridge method name for a channel. */
export function methodName(channel: RequestChannel): string {
  return channel.replace(/[:-](\w)/g, (_, c: string) => c.toUpperCase());
}
