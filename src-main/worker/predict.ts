/** One drawn digit through the current model: class probabilities and, optionally, the saliency map. */
import { NDArray } from '../../src-core';
import type { Req, Res } from '../../src-app-api/schemas';
import type { ModelRuntime } from './model-runtime';

export async function predict(runtime: ModelRuntime, request: Req<'predict'>, step: number): Promise<Res<'predict'>> {
  const { model } = runtime;
  const x = runtime.shapeImages(Float32Array.from(request.pixels), 1);
  const probs = await runtime.session.run(model.probabilities, [[model.x, x]]);
  const probabilities = Array.from(probs.data as Float32Array);
  if (!request.saliency || runtime.saliency === null) return { probabilities, saliency: null, step, model: runtime.name };
  // The gradient of the top class's probability with respect to the 784 input pixels.
  const top = probabilities.indexOf(Math.max(...probabilities));
  const mask = new Float32Array(10);
  mask[top] = 1;
  const grad = await runtime.session.run(runtime.saliency, [[model.x, x], [runtime.saliencyMask, new NDArray(mask, [1, 10])]]);
  return { probabilities, saliency: Array.from(grad.data as Float32Array), step, model: runtime.name };
}
