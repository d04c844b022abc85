/**
 * The Electron security checklist applied to a webContents: secure webPreferences, no navigation in
 * any frame, no redirects, no new windows, no webviews, no permission granted or reported as granted,
 * and the sender-frame check of every IPC call. The decisions themselves live in policy.ts.
 */
import type { BrowserWindow, IpcMainInvokeEvent, WebContents, WebPreferences } from 'electron';
import { isTrustedSenderFrame, navigationAllowed, permissionAllowed } from './policy';

export const SECURE_PREFERENCES = (preload: string, isDev: boolean): WebPreferences => ({
  preload,
  contextIsolation: true,
  nodeIntegration: false,
  nodeIntegrationInWorker: false,
  nodeIntegrationInSubFrames: false,
  sandbox: true,
  webSecurity: true,
  allowRunningInsecureContent: false,
  experimentalFeatures: false,
  webviewTag: false,
  navigateOnDragDrop: false,
  spellcheck: false,
  // A built app has no DevTools at all (not only no menu entry): no shortcut or script opens them.
  devTools: isDev,
});

export function lockDown(contents: WebContents): void {
  const refuse = (event: { preventDefault(): void; url: string }): void => {
    if (!navigationAllowed(event.url)) event.preventDefault();
  };
  contents.on('will-navigate', refuse);
  contents.on('will-frame-navigate', refuse);
  contents.on('will-redirect', refuse);
  contents.on('will-attach-webview', (event) => event.preventDefault());
  contents.setWindowOpenHandler(({ url }) => ({ action: navigationAllowed(url) ? 'allow' : 'deny' }));
  contents.session.setPermissionRequestHandler((_wc, permission, callback) => callback(permissionAllowed(permission)));
  contents.session.setPermissionCheckHandler((_wc, permission) => permissionAllowed(permission));
}

/** Only the main frame of our own window, showing our own page on its real origin, may call the API. */
export function isTrustedSender(event: IpcMainInvokeEvent, window: BrowserWindow | null, entry: string): boolean {
  const frame = event.senderFrame;
  if (frame === null || window === null || window.isDestroyed()) return false;
  return isTrustedSenderFrame({ url: frame.url, origin: frame.origin, isAppMainFrame: frame === window.webContents.mainFrame }, entry);
}
