import { describe, expect, it } from 'vitest';
import type { MenuItemConstructorOptions } from 'electron';
import { APP_CSP, APP_ENTRY, isTrustedSenderFrame, menuTemplate, navigationAllowed, originOf, permissionAllowed, rendererEntry } from './policy';

const roles = (items: MenuItemConstructorOptions[]): string[] =>
  items.flatMap((i) => [...(i.role ? [i.role] : []), ...(Array.isArray(i.submenu) ? roles(i.submenu) : [])]);

describe('Electron policy', () => {
  it('loads the dev server only in an unpackaged app, and only from loopback http', () => {
    expect(rendererEntry(false, 'http://localhost:5173/')).toBe('http://localhost:5173/');
    expect(rendererEntry(false, 'http://127.0.0.1:5173/')).toBe('http://127.0.0.1:5173/');
    expect(rendererEntry(true, 'http://localhost:5173/')).toBe(APP_ENTRY);
    expect(rendererEntry(false, 'https://evil.example/')).toBe(APP_ENTRY);
    expect(rendererEntry(false, 'file:///tmp/x.html')).toBe(APP_ENTRY);
    expect(rendererEntry(false, 'not a url')).toBe(APP_ENTRY);
    expect(rendererEntry(false, undefined)).toBe('app://tinyflow/index.html');
  });

  it('computes the real app:// origin where URL.origin says "null"', () => {
    expect(new URL(APP_ENTRY).origin).toBe('null');
    expect(originOf(APP_ENTRY)).toBe('app://tinyflow');
    expect(originOf('http://localhost:5173/x')).toBe('http://localhost:5173');
    expect(originOf('file:///index.html')).toBeNull();
    expect(originOf('%')).toBeNull();
  });

  it('trusts only the app window main frame showing the app page on its real origin', () => {
    const ok = { url: 'app://tinyflow/index.html', origin: 'app://tinyflow', isAppMainFrame: true };
    expect(isTrustedSenderFrame(ok, APP_ENTRY)).toBe(true);
    expect(isTrustedSenderFrame({ ...ok, url: 'app://tinyflow/index.html?x=1#y' }, APP_ENTRY)).toBe(true);
    expect(isTrustedSenderFrame(null, APP_ENTRY)).toBe(false);
    expect(isTrustedSenderFrame({ ...ok, isAppMainFrame: false }, APP_ENTRY)).toBe(false);
    // file:// pages report origin "null": the old check compared "null" with "null" and let any file:// page in.
    expect(isTrustedSenderFrame({ url: 'file:///tmp/evil.html', origin: 'null', isAppMainFrame: true }, 'file:///app/index.html')).toBe(false);
    expect(isTrustedSenderFrame({ ...ok, origin: 'null' }, APP_ENTRY)).toBe(false);
    expect(isTrustedSenderFrame({ ...ok, url: 'app://other/index.html', origin: 'app://other' }, APP_ENTRY)).toBe(false);
    expect(isTrustedSenderFrame({ ...ok, url: 'app://tinyflow/other.html' }, APP_ENTRY)).toBe(false);
    expect(isTrustedSenderFrame({ url: 'http://localhost:5173/', origin: 'http://localhost:5173', isAppMainFrame: true }, APP_ENTRY)).toBe(false);
    expect(isTrustedSenderFrame({ url: 'http://localhost:5173/', origin: 'http://localhost:5173', isAppMainFrame: true }, 'http://localhost:5173/')).toBe(true);
  });

  it('allows no navigation and grants no permission', () => {
    for (const url of ['https://example.com/', 'app://tinyflow/index.html', 'file:///etc/passwd', 'javascript:alert(1)']) expect(navigationAllowed(url)).toBe(false);
    for (const p of ['media', 'geolocation', 'notifications', 'clipboard-read', 'openExternal', 'fullscreen']) expect(permissionAllowed(p)).toBe(false);
  });

  it('offers reload and DevTools only in development', () => {
    const noop = (): void => undefined;
    expect(roles(menuTemplate(true, noop))).toEqual(expect.arrayContaining(['reload', 'forceReload', 'toggleDevTools']));
    const built = roles(menuTemplate(false, noop));
    for (const role of ['reload', 'forceReload', 'toggleDevTools', 'viewMenu']) expect(built).not.toContain(role);
    expect(built).toEqual(expect.arrayContaining(['zoomIn', 'togglefullscreen', 'fileMenu']));
  });

  it("lets the wasm kernels compile under the app's CSP, and nothing else be evaluated", () => {
    expect(APP_CSP).toContain("script-src 'self' 'wasm-unsafe-eval'");
    expect(APP_CSP).not.toMatch(/'unsafe-eval'|script-src[^;]*'unsafe-inline'/);
    expect(APP_CSP).toContain("frame-ancestors 'none'");
  });
});
