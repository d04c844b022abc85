/**
 * The user's own model (issue 15.1): the layer editor's format, its per-layer summary, the code shown
 * for it, and how a model's source travels in checkpoint metadata. Pure (no node imports): the renderer
 * imports it. Model files are loaded and built on the Node side (model-file.ts).
 */
import { modelFileCode } from './code';
import { layerModelToSpec } from './layer-spec';
import type { LayerModel } from './layer-model';

export {
  ACTIVATIONS, LAYER_MODEL_LIMITS, LAYER_TYPES, ModelDefinitionError, checkLayerModel, checkModelSource, inputError, layerLabel,
  modelSourceFromMetadata, modelSourceToMetadata, parseLayerModel, summarizeLayerModel, windowOut,
  type Activation, type LayerDef, type LayerModel, type LayerModelSummary, type LayerSummary, type LayerType, type UserModelSource,
} from './layer-model';
export { layerModelToSpec, layerNames } from './layer-spec';

/**
 * A TF-1 model file (../shared/API.md "Model files") that builds the same graph as the layer model:
 * what the code panel shows, generated from the same spec the builder builds from.
 */
export function layerModelCode(model: LayerModel, numClasses: number): string {
  return modelFileCode(layerModelToSpec(model, numClasses), model.name);
}

