/**
 * `npm run web` / `tinyflow studio --web`: starts the web host and prints its URL.
 * Flags: --port N (default: a free port), --renderer DIR (default: the built out/renderer).
 * The process outlives any one failure: an error nobody handled is logged and the host keeps serving;
 * SIGINT / SIGTERM / SIGHUP pause and autosave the session before it exits.
 */
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { HomeLockedError } from './home-lock';
import { startWebHost, type WebHost } from './web-host';

/** A hung autosave must not keep a terminal's Ctrl-C from working. */
const SHUTDOWN_LIMIT_MS = 15_000;

function flag(name: string): string | undefined {
  const i = process.argv.indexOf(name);
  return i >= 0 ? process.argv[i + 1] : undefined;
}

const port = Number(flag('--port') ?? 0);
if (!Number.isInteger(port) || port < 0 || port > 65535) {
  console.error(`tinyflow studio: --port must be an integer in [0, 65535], got '${flag('--port')}'`);
  process.exit(1);
}
// Built into out/main/web-host.js, so the renderer sits at out/renderer.
const rendererDir = flag('--renderer') ?? fileURLToPath(new URL('../renderer', import.meta.url));
if (!existsSync(rendererDir)) {
  console.error(`tinyflow studio: no built renderer at ${rendererDir}; run 'npx electron-vite build' first`);
  process.exit(1);
}

process.on('unhandledRejection', (reason) => console.error('tinyflow studio: unhandled rejection (still serving):', reason));
process.on('uncaughtException', (error) => console.error('tinyflow studio: uncaught exception (still serving):', error));

let host: WebHost;
try {
  host = await startWebHost({ rendererDir, port });
} catch (e) {
  console.error(`tinyflow studio: ${e instanceof HomeLockedError ? e.message : `cannot start the web host: ${String(e)}`}`);
  process.exit(1);
}
// Whatever way the process leaves (process.exit skips async work), the home's lock goes with it.
process.on('exit', () => host.releaseLock());
console.log(`tinyflow studio (web) is running at ${host.url}`);

let stopping = false;
const shutdown = (signal: NodeJS.Signals) => (): void => {
  if (stopping) {
    console.error(`tinyflow studio: ${signal} again: leaving without waiting for the autosave`);
    process.exit(130);
  }
  stopping = true;
  console.error(`tinyflow studio: ${signal}: pausing and autosaving the session before leaving`);
  setTimeout(() => {
    console.error(`tinyflow studio: the autosave took over ${SHUTDOWN_LIMIT_MS / 1000} s; leaving without it`);
    process.exit(1);
  }, SHUTDOWN_LIMIT_MS).unref();
  host.close().then(
    () => process.exit(0),
    (e: unknown) => {
      console.error(`tinyflow studio: closing failed: ${String(e)}`);
      process.exit(1);
    },
  );
};
for (const signal of ['SIGINT', 'SIGTERM', 'SIGHUP'] as const) process.on(signal, shutdown(signal));
