/** One ipcMain handler per channel: the sender frame is checked first, then the router validates the payload. */
import { ipcMain, type BrowserWindow } from 'electron';
import { REQUEST_CHANNELS } from '../../src-app-api/channels';
import { decodeNonFinite, encodeNonFinite } from '../../src-app-api/wire-codec';
import type { ApiRouter } from '../router';
import { isTrustedSender } from './security';

export function registerIpc(router: ApiRouter, window: () => BrowserWindow | null, entry: string): void {
  for (const channel of REQUEST_CHANNELS) {
    ipcMain.handle(channel, (event, payload: unknown) => {
      if (!isTrustedSender(event, window(), entry)) {
        throw new Error(`IPC '${channel}': rejected: the sender frame ${event.senderFrame?.url ?? '(gone)'} is not the app's window`);
      }
      // NaN and ±Infinity travel tagged (see wire-codec.ts): decoded on arrival, encoded in the answer.
      return router.dispatch(channel, decodeNonFinite(payload)).then(encodeNonFinite);
    });
  }
}
