/** Serves the built renderer (out/renderer) read-only, confined to its folder, with the security headers on every answer. */
import { readFile } from 'node:fs/promises';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { join, normalize, sep } from 'node:path';
import { securityHeaders } from './http-policy';
import { contentTypeOf } from '../content-types';


/** A short plain-text answer with the security headers (errors, refusals). */
export function answer(res: ServerResponse, port: number, status: number, text: string): void {
  if (res.headersSent) {
    res.destroy();
    return;
  }
  res.writeHead(status, { ...securityHeaders(port), 'Content-Type': 'text/plain; charset=utf-8', 'Content-Length': Buffer.byteLength(text) });
  res.end(text);
}

/**
 * The decoded path of a request target, or null when it is malformed (`/%`, `/%E0%A4%A`, `//[`):
 * `new URL` and `decodeURIComponent` throw on those, and a throw here must become a 400, not a crash.
 */
export function requestPathname(target: string | undefined): string | null {
  try {
    const pathname = decodeURIComponent(new URL(target ?? '/', 'http://127.0.0.1').pathname);
    return pathname.includes('\0') ? null : pathname;
  } catch {
    return null;
  }
}

export async function serveStatic(root: string, port: number, req: IncomingMessage, res: ServerResponse): Promise<void> {
  if (req.method !== 'GET' && req.method !== 'HEAD') {
    res.setHeader('Allow', 'GET, HEAD');
    answer(res, port, 405, 'method not allowed');
    return;
  }
  const pathname = requestPathname(req.url);
  if (pathname === null) {
    answer(res, port, 400, 'bad request: malformed path');
    return;
  }
  const relative = normalize(pathname === '/' ? 'index.html' : pathname.slice(1));
  const file = join(root, relative);
  if (relative.startsWith('..') || !file.startsWith(root + sep)) {
    answer(res, port, 403, 'forbidden');
    return;
  }
  let body: Buffer;
  try {
    body = await readFile(file);
  } catch {
    answer(res, port, 404, 'not found');
    return;
  }
  res.writeHead(200, { ...securityHeaders(port), 'Content-Type': contentTypeOf(file), 'Content-Length': body.length });
  res.end(req.method === 'HEAD' ? undefined : body);
}
