/**
 * The throw-away thread a model file is first built in (see model-check-runner.ts): it loads the file,
 * builds its graph in this thread's own default graph and posts the class count and the variables it
 * made, or the error in words. Ended by its runner after the answer or when it takes too long.
 */
import { parentPort, workerData } from 'node:worker_threads';
import { z } from 'zod';
import { trainable_variables } from '../../src-core/api/variables';
import { buildUserModel } from '../../src-core/models/model-file';
import { UserModelSourceSchema } from '../../src-app-api/model-schemas';
import type { FileCheckResult } from './model-check-runner';

const Data = z.strictObject({ model: UserModelSourceSchema, numClasses: z.number().int().min(2) });

if (parentPort === null) throw new Error('model-check-thread must run as a worker_thread');
const port = parentPort;
const post = (m: FileCheckResult): void => port.postMessage(m);

try {
  const { model, numClasses } = Data.parse(workerData);
  const built = await buildUserModel(model, { learningRate: 0.001, optimizer: 'adam', numClasses });
  const variables = trainable_variables().map((v) => {
    const shape = (v.shape ?? []).map((d) => d ?? 0);
    return { name: v.op.name, shape, params: shape.reduce((a, b) => a * b, 1) };
  });
  const classes = built.logits.shape?.[1] ?? numClasses;
  post({ ok: true, numClasses: typeof classes === 'number' ? classes : numClasses, variables, input: (built.x.shape ?? []).slice(1).map((d) => d ?? 0) });
} catch (e) {
  post({ ok: false, error: e instanceof Error ? e.message : String(e) });
}
