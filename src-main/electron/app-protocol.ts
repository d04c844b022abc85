/**
 * The app:// protocol that serves the built renderer (out/renderer) to the window instead of file://:
 * the page gets a real origin (app://tinyflow) for the IPC sender check, and every response carries
 * the CSP as a header (a header CSP does not apply to file://). Only files inside the renderer folder
 * are served; anything else is a 4xx. The handler is a plain Request → Response function, so it is
 * tested without Electron; main.ts hands it to `protocol.handle`.
 */
import { readFile, realpath } from 'node:fs/promises';
import { join, normalize, sep } from 'node:path';
import { APP_CSP, APP_HOST, APP_SCHEME } from './policy';
import { contentTypeOf } from '../content-types';


/** Registered before the app is ready (main.ts): standard + secure give app:// an origin, fetch() works for kernels.wasm. */
export const APP_SCHEME_PRIVILEGES = { standard: true, secure: true, supportFetchAPI: true, codeCache: true } as const;

export type Resolved = { file: string } | { status: 400 | 403 | 404 | 405; reason: string };

/** The file under `root` an app:// URL names, or why it is refused. Pure: no file system access. */
export function resolveAppPath(root: string, href: string, method = 'GET'): Resolved {
  if (method !== 'GET' && method !== 'HEAD') return { status: 405, reason: `method ${method.slice(0, 16)} not allowed` };
  let url: URL;
  try {
    url = new URL(href);
  } catch {
    return { status: 400, reason: 'malformed URL' };
  }
  if (url.protocol !== `${APP_SCHEME}:` || url.host !== APP_HOST) return { status: 404, reason: `not an ${APP_SCHEME}://${APP_HOST} URL` };
  let pathname: string;
  try {
    pathname = decodeURIComponent(url.pathname);
  } catch {
    return { status: 400, reason: 'malformed percent-escape in the path' };
  }
  // A decoded "\" is a separator on Windows, and NUL ends a path in C: neither belongs in a page's URL.
  if (pathname.includes('\0') || pathname.includes('\\')) return { status: 400, reason: 'bad character in the path' };
  const relative = normalize(pathname === '/' ? 'index.html' : pathname.slice(1));
  const file = join(root, relative);
  if (relative.startsWith('..') || !file.startsWith(root.endsWith(sep) ? root : root + sep)) return { status: 403, reason: 'outside the app' };
  return { file };
}

const plain = (status: number, text: string): Response =>
  new Response(text, { status, headers: { 'Content-Type': 'text/plain; charset=utf-8', 'Content-Security-Policy': APP_CSP, 'X-Content-Type-Options': 'nosniff' } });

/** The protocol.handle handler for app://, serving `rendererDir`. */
export function appProtocolHandler(rendererDir: string): (request: Request) => Promise<Response> {
  const root = normalize(rendererDir);
  let realRoot: Promise<string> | null = null;
  return async (request) => {
    const resolved = resolveAppPath(root, request.url, request.method);
    if ('status' in resolved) return plain(resolved.status, resolved.reason);
    let body: Buffer;
    try {
      // A symlink inside the folder must not lead out of it.
      realRoot ??= realpath(root);
      const real = await realpath(resolved.file);
      const base = await realRoot;
      if (real !== base && !real.startsWith(base + sep)) return plain(403, 'outside the app');
      body = await readFile(real);
    } catch {
      return plain(404, 'not found');
    }
    return new Response(request.method === 'HEAD' ? null : new Uint8Array(body), {
      status: 200,
      headers: {
        'Content-Type': contentTypeOf(resolved.file),
        'Content-Security-Policy': APP_CSP,
        'X-Content-Type-Options': 'nosniff',
        'Cross-Origin-Opener-Policy': 'same-origin',
        'Cross-Origin-Resource-Policy': 'same-origin',
        'Referrer-Policy': 'no-referrer',
        'Cache-Control': 'no-store',
      },
    });
  };
}
