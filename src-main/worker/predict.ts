/** One drawn digit through the current model: class probabilities and, optionally, the saliency map. */
import { NDArray } from '../../src-core';
import { hasInk } from '../../src-app-api/drawings';
import type { Req, Res } from '../../src-app-api/schemas';
import type { ModelRuntime } from './model-runtime';

/** An empty canvas is not classified: a model's guess for a blank image would read as a real answer. */
export function nothingDrawn(request: Req<'predict'>, step: number, model: string | null, classNames: readonly string[]): Res<'predict'> | null {
  return hasInk(request.pixels) ? null : { probabilities: null, saliency: null, step, model, nothingDrawn: true, classNames: [...classNames] };
}

/** `classNames`: the session's data's, one per output of the model. */
export async function predict(runtime: ModelRuntime, request: Req<'predict'>, step: number, classNames: readonly string[]): Promise<Res<'predict'>> {
  const empty = nothingDrawn(request, step, runtime.name, classNames);
  if (empty !== null) return empty;
  const { model } = runtime;
  const x = runtime.shapeImages(Float32Array.from(request.pixels), 1);
  const probs = await runtime.session.run(model.probabilities, [[model.x, x], ...runtime.inferenceFeeds()]);
  const probabilities = Array.from(probs.data as Float32Array);
  if (probabilities.length !== classNames.length) throw new Error(`predict: the model gives ${probabilities.length} probabilities but its data has ${classNames.length} classes`);
  const answer = { probabilities, step, model: runtime.name, nothingDrawn: false, classNames: [...classNames] };
  if (!request.saliency || runtime.saliency === null) return { ...answer, saliency: null };
  // The gradient of the top class's probability with respect to the 784 input pixels.
  const top = probabilities.indexOf(Math.max(...probabilities));
  const mask = new Float32Array(probabilities.length);
  mask[top] = 1;
  const grad = await runtime.session.run(runtime.saliency, [[model.x, x], [runtime.saliencyMask, new NDArray(mask, [1, probabilities.length])], ...runtime.inferenceFeeds()]);
  return { ...answer, saliency: Array.from(grad.data as Float32Array) };
}
