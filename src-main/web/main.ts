/**
 * `npm run web` / `tinyflow studio --web`: starts the web host and prints its URL.
 * Flags: --port N (default: a free port).
 */
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { startWebHost } from './web-host';

const portFlag = process.argv.indexOf('--port');
const port = portFlag >= 0 ? Number(process.argv[portFlag + 1]) : 0;
// Built into out/main/web-host.js, so the renderer sits at out/renderer.
const rendererDir = fileURLToPath(new URL('../renderer', import.meta.url));
if (!existsSync(rendererDir)) {
  console.error(`tinyflow studio: no built renderer at ${rendererDir}; run 'npx electron-vite build' first`);
  process.exit(1);
}
const host = await startWebHost({ rendererDir, port });
console.log(`tinyflow studio (web) is running at ${host.url}`);
const shutdown = (): void => void host.close().then(() => process.exit(0));
process.on('SIGINT', shutdown);
process.on('SIGTERM', shutdown);
