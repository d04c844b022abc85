/**
 * What the web host accepts and what it sends with every answer: the Host and Origin allow-lists (the
 * host listens on loopback, but a page on any site can point a DNS name at 127.0.0.1, so only the
 * loopback names with our own port are honoured) and the security headers of every response.
 */
import type { OutgoingHttpHeaders } from 'node:http';

const LOOPBACK_NAMES = ['127.0.0.1', 'localhost', '[::1]'] as const;

export function contentSecurityPolicy(port: number): string {
  return [
    "default-src 'self'",
    // The wasm backend compiles its kernels in the page; nothing else may eval.
    "script-src 'self' 'wasm-unsafe-eval'",
    "style-src 'self' 'unsafe-inline'",
    "img-src 'self' data:",
    `connect-src 'self' ws://127.0.0.1:${port} ws://localhost:${port}`,
    "object-src 'none'",
    "base-uri 'none'",
    "form-action 'none'",
    "frame-ancestors 'none'",
  ].join('; ');
}

/** Sent with every HTTP response of the host, errors included. The page carries its token in its URL, so nothing is cached or referred. */
export function securityHeaders(port: number): OutgoingHttpHeaders {
  return {
    'Content-Security-Policy': contentSecurityPolicy(port),
    'X-Content-Type-Options': 'nosniff',
    'X-Frame-Options': 'DENY',
    'Referrer-Policy': 'no-referrer',
    'Cross-Origin-Opener-Policy': 'same-origin',
    'Cross-Origin-Resource-Policy': 'same-origin',
    'Cache-Control': 'no-store',
  };
}

/** Whether a Host header names this host: a loopback name with our port (no port only when it is 80). */
export function isAllowedHost(host: string | undefined, port: number): boolean {
  if (host === undefined) return false;
  const h = host.toLowerCase();
  return LOOPBACK_NAMES.some((name) => h === `${name}:${port}` || (port === 80 && h === name));
}

/** Whether an Origin header is one of this host's own pages. */
export function isAllowedOrigin(origin: string | undefined, port: number): boolean {
  return origin !== undefined && LOOPBACK_NAMES.some((name) => origin.toLowerCase() === `http://${name}:${port}`);
}
