/**
 * The Electron security checklist in one place: secure webPreferences, a CSP header on top of the
 * page's meta tag, no navigation, no new windows, no permission grants, and the sender-frame check.
 */
import type { BrowserWindow, IpcMainInvokeEvent, WebContents, WebPreferences } from 'electron';

export const SECURE_PREFERENCES = (preload: string): WebPreferences => ({
  preload,
  contextIsolation: true,
  nodeIntegration: false,
  sandbox: true,
  webSecurity: true,
  allowRunningInsecureContent: false,
  webviewTag: false,
  spellcheck: false,
});

export const CSP = "default-src 'self'; script-src 'self' 'wasm-unsafe-eval'; style-src 'self' 'unsafe-inline'; img-src 'self' data:; connect-src 'self'; object-src 'none'; base-uri 'none'; frame-ancestors 'none'";

export function lockDown(contents: WebContents): void {
  contents.on('will-navigate', (event) => event.preventDefault());
  contents.on('will-redirect', (event) => event.preventDefault());
  contents.on('will-attach-webview', (event) => event.preventDefault());
  contents.setWindowOpenHandler(() => ({ action: 'deny' }));
  contents.session.setPermissionRequestHandler((_wc, _permission, callback) => callback(false));
  contents.session.webRequest.onHeadersReceived((details, callback) => {
    callback({ responseHeaders: { ...details.responseHeaders, 'Content-Security-Policy': [CSP] } });
  });
}

/** Only the main frame of our own window, showing our own renderer, may call the API. */
export function isTrustedSender(event: IpcMainInvokeEvent, window: BrowserWindow | null, rendererUrl: string): boolean {
  const frame = event.senderFrame;
  if (!window || window.isDestroyed() || frame === null) return false;
  if (frame !== window.webContents.mainFrame) return false;
  return new URL(frame.url).origin === new URL(rendererUrl).origin && frame.url.split('?')[0].split('#')[0] === rendererUrl.split('?')[0];
}
