/**
 * Runs a model file's code for the first time in a throw-away thread (model-check-thread.ts) with a time
 * limit: a file that throws, never returns (`while (true)`), or builds the wrong thing is reported
 * without touching the compute worker, which only builds a file that finished here. A thread past its
 * time is ended (Worker.terminate stops even a busy loop).
 */
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { Worker } from 'node:worker_threads';
import type { UserModelSource } from '../../src-core/models/user-model';
import { spawnTsWorker } from './spawn-worker';

/** How long a model file may take to load and build its graph. */
export const MODEL_CHECK_MS = 20_000;

export interface FileCheckData {
  model: Extract<UserModelSource, { kind: 'file' }>;
  /** The data's class count: the file's logits must have as many. */
  numClasses: number;
}

/** A variable of the built model: its name, shape and element count. */
export interface CheckedVariable {
  name: string;
  shape: number[];
  params: number;
}

export type FileCheckResult =
  | { ok: true; numClasses: number; variables: CheckedVariable[]; input: number[] }
  | { ok: false; error: string };

function spawnCheckThread(data: FileCheckData): Worker {
  const built = new URL('./model-check-thread.js', import.meta.url);
  if (existsSync(fileURLToPath(built))) return new Worker(built, { workerData: data });
  return spawnTsWorker(new URL('./model-check-thread.ts', import.meta.url), data);
}

export function checkFileInThread(data: FileCheckData, timeoutMs: number = MODEL_CHECK_MS): Promise<FileCheckResult> {
  const worker = spawnCheckThread(data);
  const name = data.model.fileName;
  return new Promise<FileCheckResult>((resolve) => {
    let settled = false;
    const settle = (result: FileCheckResult): void => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      void worker.terminate();
      resolve(result);
    };
    const timer = setTimeout(
      () => settle({ ok: false, error: `model file ${name} did not finish building its graph within ${Math.round(timeoutMs / 1000)} s (an endless loop?); it was stopped and nothing was loaded` }),
      timeoutMs,
    );
    worker.on('message', (m: FileCheckResult) => settle(m));
    worker.on('error', (e) => settle({ ok: false, error: `model file ${name}: ${e instanceof Error ? e.message : String(e)}` }));
    worker.on('exit', (code) => settle({ ok: false, error: `model file ${name}: the thread building it exited (code ${code}) without an answer` }));
  });
}
