/**
 * A session's own model made ready to build in the worker. A model file is user code: it runs first in
 * a throw-away thread with a time limit (model-check-runner.ts), so a file that throws or never returns
 * costs that thread, not the compute worker and its running session; only a file that built there is
 * imported here. Zoo models need nothing (null).
 */
import { prepareUserModel, type PreparedModel } from '../../src-core/models/model-file';
import type { UserModelSource } from '../../src-core/models/user-model';
import { studioInputProblem } from '../../src-app-api/model-schemas';
import { checkFileInThread } from './model-check-runner';

export async function prepareSessionModel(source: UserModelSource | null | undefined, numClasses: number, checkMs?: number): Promise<PreparedModel | null> {
  if (source === null || source === undefined || source.kind === 'zoo') return null;
  if (source.kind === 'file') {
    const checked = await checkFileInThread({ model: source, numClasses }, checkMs);
    if (!checked.ok) throw new Error(`train:start: ${checked.error}`);
  }
  const prepared = await prepareUserModel(source);
  const input = prepared.kind === 'file' ? prepared.module.input : prepared.kind === 'layers' ? prepared.model.input : null;
  const problem = input === null ? null : studioInputProblem(input);
  if (problem !== null) throw new Error(`train:start: ${prepared.kind === 'file' ? `model file ${prepared.fileName}` : `model '${source.kind === 'layers' ? source.model.name : ''}'`}: ${problem}`);
  return prepared;
}
