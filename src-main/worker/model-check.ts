/**
 * `model:check`: what training a model would build, without training it. A layer model is summarized
 * from its definition (the same pure function the editor uses, with the data's class count); a model
 * file is built in a throw-away thread with a time limit (model-check-runner.ts), and its summary lists
 * the variables it made; a zoo model is built in a throw-away graph here.
 */
import { Graph, withDefaultGraph } from '../../src-core/graph/graph';
import { trainable_variables } from '../../src-core/api/variables';
import { modelCode, modelEntry } from '../../src-core/models';
import { layerLabel, layerModelCode, summarizeLayerModel, type UserModelSource } from '../../src-core/models/user-model';
import type { ModelCheck, ModelSummaryRow } from '../../src-app-api/model-schemas';
import type { Req } from '../../src-app-api/schemas';
import { checkFileInThread, MODEL_CHECK_MS } from './model-check-runner';
import { previewData } from './data-preview';
import { STUDIO_NUM_CLASSES } from './datasets';

/** The class count of the data a session would train on: the bundled digits have 10. */
export function dataClassCount(dataDir: string | null): number {
  return dataDir === null ? STUDIO_NUM_CLASSES : previewData({ dataDir }).classNames.length;
}

function failed(name: string, code: string, error: string): ModelCheck {
  return { ok: false, name, numClasses: null, summary: [], totalParams: 0, code, error };
}

export function modelDisplayName(source: UserModelSource): string {
  return source.kind === 'zoo' ? source.name : source.kind === 'layers' ? source.model.name : source.fileName;
}

export async function checkModel({ userModel, dataDir }: Req<'model:check'>, timeoutMs: number = MODEL_CHECK_MS): Promise<ModelCheck> {
  const name = modelDisplayName(userModel);
  const ownCode = userModel.kind === 'file' ? userModel.source : '';
  let numClasses: number;
  try {
    numClasses = dataClassCount(dataDir);
  } catch (e) {
    return failed(name, ownCode, `model:check: the data folder cannot be read, so the class count is not known: ${e instanceof Error ? e.message : String(e)}`);
  }
  switch (userModel.kind) {
    case 'layers': {
      const { model } = userModel;
      const s = summarizeLayerModel(model, numClasses);
      const summary = s.layers.map((l, i): ModelSummaryRow => ({ name: layerLabel(model.layers[i], i), outputShape: l.outputShape, params: l.params, error: l.error }));
      const code = s.error === null ? layerModelCode(model, numClasses) : '';
      return { ok: s.error === null, name, numClasses, summary, totalParams: s.totalParams, code, error: s.error };
    }
    case 'zoo': {
      const entry = modelEntry(userModel.name);
      const variables = withDefaultGraph(new Graph(), () => {
        entry.build({ learningRate: entry.defaultLearningRate, numClasses });
        return trainable_variables().map((v) => ({ name: v.op.name, shape: (v.shape ?? []).map((d) => d ?? 0) }));
      });
      const summary = variables.map(({ name: n, shape }) => ({ name: n, outputShape: shape, params: shape.reduce((a, b) => a * b, 1), error: null }));
      return { ok: true, name, numClasses, summary, totalParams: summary.reduce((a, r) => a + r.params, 0), code: modelCode(userModel.name) ?? '', error: null };
    }
    case 'file': {
      const result = await checkFileInThread({ model: userModel, numClasses }, timeoutMs);
      if (!result.ok) return failed(name, userModel.source, result.error);
      const summary = result.variables.map((v): ModelSummaryRow => ({ name: v.name, outputShape: v.shape, params: v.params, error: null }));
      return { ok: true, name, numClasses: result.numClasses, summary, totalParams: summary.reduce((a, r) => a + r.params, 0), code: userModel.source, error: null };
    }
  }
}
