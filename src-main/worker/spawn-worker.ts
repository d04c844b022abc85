/**
 * Starts the compute worker: the built `compute-worker.js` next to this bundle (Electron main and the
 * web host, both built by electron-vite into out/main), else the TypeScript source through tsx (tests).
 */
import { existsSync } from 'node:fs';
import { createRequire } from 'node:module';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { Worker } from 'node:worker_threads';
import type { WorkerData } from '../../src-app-api/worker-api';

/** `data` reaches the worker as its workerData (where to autosave); without it the worker does not autosave. */
export function spawnComputeWorker(data?: WorkerData): Worker {
  const built = new URL('./compute-worker.js', import.meta.url);
  if (existsSync(fileURLToPath(built))) return new Worker(built, { workerData: data });
  return spawnTsWorker(new URL('./compute-worker.ts', import.meta.url), data);
}

/** Runs a TypeScript worker module by registering tsx's ESM loader inside the thread first. */
export function spawnTsWorker(entry: URL, data?: unknown): Worker {
  // require.resolve picks tsx's CommonJS build; the ESM twin sits beside it and is what `import` needs.
  const api = pathToFileURL(createRequire(import.meta.url).resolve('tsx/esm/api')).href.replace(/\.cjs$/, '.mjs');
  const boot = `import { register } from ${JSON.stringify(api)}; register(); await import(${JSON.stringify(entry.href)});`;
  return new Worker(new URL(`data:text/javascript,${encodeURIComponent(boot)}`), { workerData: data });
}
