/**
 * The Electron security checklist's decisions as pure functions (no Electron import), so they are
 * unit-tested without the Electron binary: which page the window loads, which frame may call the
 * API, where navigation may go (nowhere), which permissions are granted (none), what the menu offers.
 */
import type { MenuItemConstructorOptions } from 'electron';

export const APP_SCHEME = 'app';
export const APP_HOST = 'tinyflow';
/** The page's origin under the privileged standard scheme (Chromium reports it as such; Node's URL says "null" for non-special schemes). */
export const APP_ORIGIN = `${APP_SCHEME}://${APP_HOST}`;
export const APP_ENTRY = `${APP_ORIGIN}/index.html`;

/** The CSP of every app:// response. 'wasm-unsafe-eval' lets the wasm backend compile its kernels; nothing may eval JavaScript. */
export const APP_CSP = [
  "default-src 'self'",
  "script-src 'self' 'wasm-unsafe-eval'",
  "style-src 'self' 'unsafe-inline'",
  "img-src 'self' data:",
  "connect-src 'self'",
  "object-src 'none'",
  "base-uri 'none'",
  "form-action 'none'",
  "frame-ancestors 'none'",
].join('; ');

/**
 * The page the window loads: electron-vite's dev server (ELECTRON_RENDERER_URL) only in an unpackaged
 * app and only on loopback http; a built app always loads its own app:// page, whatever the environment says.
 */
export function rendererEntry(isPackaged: boolean, devUrl: string | undefined): string {
  if (isPackaged || devUrl === undefined) return APP_ENTRY;
  let url: URL;
  try {
    url = new URL(devUrl);
  } catch {
    return APP_ENTRY;
  }
  const loopback = url.hostname === 'localhost' || url.hostname === '127.0.0.1' || url.hostname === '[::1]';
  return url.protocol === 'http:' && loopback ? url.href : APP_ENTRY;
}

/** scheme://host[:port] of a URL, computed for app:// too (where URL.origin is "null"); null when unparsable or opaque. */
export function originOf(href: string): string | null {
  let url: URL;
  try {
    url = new URL(href);
  } catch {
    return null;
  }
  if (url.host === '') return null; // file:, data:, about: — opaque origins never match
  return `${url.protocol}//${url.host}`;
}

export interface SenderFrame {
  url: string;
  /** What Chromium reports as the frame's origin ("null" for file:// and opaque origins). */
  origin: string;
  /** Whether it is the top frame of the app's own window. */
  isAppMainFrame: boolean;
}

/** Only the top frame of the app's window, showing the app's own page on its real origin, may call the API. */
export function isTrustedSenderFrame(frame: SenderFrame | null, entry: string): boolean {
  if (frame === null || !frame.isAppMainFrame) return false;
  const expected = originOf(entry);
  if (expected === null || frame.origin !== expected || originOf(frame.url) !== expected) return false;
  return new URL(frame.url).pathname === new URL(entry).pathname;
}

/** The app is one page: no navigation, no redirect, no new window, in any frame. */
export const navigationAllowed = (_url: string): boolean => false;

/** No web permission (camera, notifications, geolocation, clipboard read, …) is granted or reported as granted. */
export const permissionAllowed = (_permission: string): boolean => false;

/** The menu: reload and DevTools only in development; a built app has zoom and full screen in its View menu. */
export function menuTemplate(isDev: boolean, openRepository: () => void): MenuItemConstructorOptions[] {
  const view: MenuItemConstructorOptions[] = isDev
    ? [{ role: 'reload' }, { role: 'forceReload' }, { role: 'toggleDevTools' }, { type: 'separator' }]
    : [];
  view.push({ role: 'resetZoom' }, { role: 'zoomIn' }, { role: 'zoomOut' }, { type: 'separator' }, { role: 'togglefullscreen' });
  return [
    { role: 'fileMenu' },
    { label: 'View', submenu: view },
    { role: 'windowMenu' },
    { role: 'help', submenu: [{ label: 'tinyflow on GitHub', click: openRepository }] },
  ];
}
