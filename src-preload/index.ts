/**
 * The preload (sandboxed, CommonJS): exposes exactly one object, `window.tinyflow`, with one method per
 * request channel and one event subscription. It imports only the channel list: a sandboxed preload
 * cannot load packages, and validation happens in the main process anyway.
 */
import { contextBridge, ipcRenderer, type IpcRendererEvent } from 'electron';
import { EVENT_CHANNELS, REQUEST_CHANNELS, methodName, type EventChannel } from '../src-app-api/channels';
import { decodeNonFinite, encodeNonFinite } from '../src-app-api/wire-codec';

// NaN and ±Infinity travel tagged on every transport (see wire-codec.ts): encoded out, decoded in.
const methods = Object.fromEntries(
  REQUEST_CHANNELS.map((channel) => [methodName(channel), async (payload: unknown) => decodeNonFinite(await ipcRenderer.invoke(channel, encodeNonFinite(payload)))]),
);

function onEvent(channel: EventChannel, listener: (payload: unknown) => void): () => void {
  if (!EVENT_CHANNELS.includes(channel)) throw new Error(`tinyflow.onEvent: unknown event channel '${String(channel)}'`);
  const wrapped = (_event: IpcRendererEvent, envelope: { channel: string; payload: unknown }): void => {
    if (envelope.channel === channel) listener(decodeNonFinite(envelope.payload));
  };
  ipcRenderer.on('tinyflow:event', wrapped);
  return () => void ipcRenderer.removeListener('tinyflow:event', wrapped);
}

contextBridge.exposeInMainWorld('tinyflow', { ...methods, onEvent });
