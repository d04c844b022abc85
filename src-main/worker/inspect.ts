/**
 * The Inspect view's data: the softmax layer's ten weight templates, a confusion matrix and the
 * misclassified digits of the test split, and the forward + gradient graph as nodes and edges.
 */
import type { MnistDataSets } from '../../src-core/datasets';
import { formatShape } from '../../src-core/graph/shape';
import type { Res } from '../../src-app-api/schemas';
import { inChunks } from './chunked';
import type { ModelRuntime } from './model-runtime';
import { nodeTimes } from './node-values';

/**
 * `between` is awaited between chunks of the test split (the worker hands its lock over there), so a
 * big split never holds predictions or a pause for more than one chunk.
 */
export async function inspectSnapshot(runtime: ModelRuntime, data: MnistDataSets, step: number, limit: number, between: () => Promise<void>): Promise<Res<'inspect:snapshot'>> {
  const templateVar = runtime.variables.find((v) => v.shape?.length === 2 && v.shape[0] === 784 && v.shape[1] === 10);
  const templates = templateVar ? Array.from((await runtime.session.run(templateVar)).data as Float32Array) : null;

  const { test } = data;
  const n = test.num_examples;
  const pixels = test.images.data as Float32Array;
  const onehot = test.labels.data as Float32Array;
  const probs = new Float32Array(n * 10);
  await inChunks(n, async (start, count) => {
    const images = runtime.shapeImages(pixels.subarray(start * 784, (start + count) * 784), count);
    probs.set((await runtime.session.run(runtime.model.probabilities, [[runtime.model.x, images]])).data as Float32Array, start * 10);
  }, between);
  const confusion = Array.from({ length: 10 }, () => new Array<number>(10).fill(0));
  const misclassified: Res<'inspect:snapshot'>['misclassified'] = [];
  let correct = 0;
  for (let i = 0; i < n; i++) {
    const label = argmax(onehot, i * 10, 10);
    const predicted = argmax(probs, i * 10, 10);
    confusion[label][predicted] += 1;
    if (label === predicted) correct++;
    else if (misclassified.length < limit) {
      misclassified.push({
        index: i,
        label,
        predicted,
        pixels: Array.from(pixels.subarray(i * 784, (i + 1) * 784)),
        probabilities: Array.from(probs.subarray(i * 10, (i + 1) * 10)),
      });
    }
  }
  return { step, templates, confusion, testAccuracy: correct / Math.max(n, 1), misclassified, graph: graphOf(runtime) };
}

function argmax(a: Float32Array, offset: number, size: number): number {
  let best = 0;
  for (let k = 1; k < size; k++) if (a[offset + k] > a[offset + best]) best = k;
  return best;
}

/** The model's graph without the app's own restore ops; gradient nodes are those autodiff scoped under 'gradients'. */
function graphOf(runtime: ModelRuntime): Res<'inspect:snapshot'>['graph'] {
  const ops = runtime.graph.operations.filter((op) => !op.name.startsWith('restore') && !op.name.startsWith('saliency'));
  const kept = new Set(ops.map((op) => op.name));
  const times = nodeTimes(runtime);
  const nodes = ops.map((op) => ({
    id: op.name,
    op: op.type,
    shape: op.outputs.length > 0 ? formatShape(op.outputs[0].shape) : '()',
    gradient: op.name.startsWith('gradients'),
    timeMs: times.get(op.name) ?? null,
  }));
  const edges: [string, string][] = [];
  for (const op of ops) for (const input of op.inputs) if (kept.has(input.op.name)) edges.push([input.op.name, op.name]);
  return { nodes, edges };
}
