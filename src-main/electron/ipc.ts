/** One ipcMain handler per channel: the sender frame is checked first, then the router validates the payload. */
import { ipcMain, type BrowserWindow } from 'electron';
import { REQUEST_CHANNELS } from '../../src-app-api/channels';
import type { ApiRouter } from '../router';
import { isTrustedSender } from './security';

export function registerIpc(router: ApiRouter, window: () => BrowserWindow | null, rendererUrl: string): void {
  for (const channel of REQUEST_CHANNELS) {
    ipcMain.handle(channel, (event, payload: unknown) => {
      if (!isTrustedSender(event, window(), rendererUrl)) {
        throw new Error(`IPC '${channel}': rejected: the sender frame ${event.senderFrame?.url ?? '(gone)'} is not the app's window`);
      }
      return router.dispatch(channel, payload);
    });
  }
}
