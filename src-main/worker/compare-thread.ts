/**
 * The thread a comparison runs in (a worker_thread of the compute worker): heavy steps here never hold
 * up the compute worker's predictions, stop or pause, and cancelling is ending this thread. It posts
 * each backend as it starts and each row as it is done, then the result.
 */
import { parentPort, workerData } from 'node:worker_threads';
import { z } from 'zod';
import { API } from '../../src-app-api/schemas';
import { compareBackends } from './compare';
import type { CompareThreadMessage } from './compare-runner';

const Data = z.strictObject({ request: API['compare:run'].request, budgetMs: z.number().positive() });

if (parentPort === null) throw new Error('compare-thread must run as a worker_thread');
const port = parentPort;
const post = (m: CompareThreadMessage): void => port.postMessage(m);

try {
  const { request, budgetMs } = Data.parse(workerData);
  const { rows } = await compareBackends(request, {
    budgetMs,
    onBackend: (backend) => post({ kind: 'backend', backend }),
    onRow: (row) => post({ kind: 'row', row }),
  });
  post({ kind: 'done', rows });
} catch (e) {
  post({ kind: 'failed', error: e instanceof Error ? e.message : String(e) });
}
