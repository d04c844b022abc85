/** One drawn digit through the current model: class probabilities and, optionally, the saliency map. */
import { NDArray } from '../../src-core';
import { hasInk } from '../../src-app-api/drawings';
import type { Req, Res } from '../../src-app-api/schemas';
import type { ModelRuntime } from './model-runtime';

/** An empty canvas is not classified: a model's guess for a blank image would read as a real answer. */
export function nothingDrawn(request: Req<'predict'>, step: number, model: string | null): Res<'predict'> | null {
  return hasInk(request.pixels) ? null : { probabilities: null, saliency: null, step, model, nothingDrawn: true };
}

export async function predict(runtime: ModelRuntime, request: Req<'predict'>, step: number): Promise<Res<'predict'>> {
  const empty = nothingDrawn(request, step, runtime.name);
  if (empty !== null) return empty;
  const { model } = runtime;
  const x = runtime.shapeImages(Float32Array.from(request.pixels), 1);
  const probs = await runtime.session.run(model.probabilities, [[model.x, x]]);
  const probabilities = Array.from(probs.data as Float32Array);
  if (!request.saliency || runtime.saliency === null) return { probabilities, saliency: null, step, model: runtime.name, nothingDrawn: false };
  // The gradient of the top class's probability with respect to the 784 input pixels.
  const top = probabilities.indexOf(Math.max(...probabilities));
  const mask = new Float32Array(10);
  mask[top] = 1;
  const grad = await runtime.session.run(runtime.saliency, [[model.x, x], [runtime.saliencyMask, new NDArray(mask, [1, 10])]]);
  return { probabilities, saliency: Array.from(grad.data as Float32Array), step, model: runtime.name, nothingDrawn: false };
}
