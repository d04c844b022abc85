/**
 * The Inspect view's data: the softmax layer's ten weight templates, a confusion matrix and the
 * misclassified digits of the test split, and the forward + gradient graph as nodes and edges.
 */
import type { MnistDataSets } from '../../src-core/datasets';
import { formatShape } from '../../src-core/graph/shape';
import { Operation } from '../../src-core/graph/operation';
import { global_variables } from '../../src-core/api/variables';
import { GRAPH_LIMITS, type Res } from '../../src-app-api/schemas';
import { initOnly, isAppOp, isGradientName, nodeKinds } from './graph-view';
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
  // One row and column per class of the data (3 for a 3-class folder), named as the data names them.
  const k = runtime.numClasses;
  const classNames = data.class_names;
  if (classNames.length !== k) throw new Error(`inspect:snapshot: the model has ${k} outputs but its data has ${classNames.length} classes`);
  const n = test.num_examples;
  const pixels = test.images.data as Float32Array;
  const onehot = test.labels.data as Float32Array;
  const probs = new Float32Array(n * k);
  await inChunks(n, async (start, count) => {
    const images = runtime.shapeImages(pixels.subarray(start * 784, (start + count) * 784), count);
    probs.set((await runtime.session.run(runtime.model.probabilities, [[runtime.model.x, images], ...runtime.inferenceFeeds()])).data as Float32Array, start * k);
  }, between);
  const confusion = Array.from({ length: k }, () => new Array<number>(k).fill(0));
  const misclassified: Res<'inspect:snapshot'>['misclassified'] = [];
  let correct = 0;
  for (let i = 0; i < n; i++) {
    const label = argmax(onehot, i * k, k);
    const predicted = argmax(probs, i * k, k);
    confusion[label][predicted] += 1;
    if (label === predicted) correct++;
    else if (misclassified.length < limit) {
      misclassified.push({
        index: i,
        label,
        predicted,
        pixels: Array.from(pixels.subarray(i * 784, (i + 1) * 784)),
        probabilities: Array.from(probs.subarray(i * k, (i + 1) * k)),
      });
    }
  }
  return { step, templates, confusion, classNames, testAccuracy: correct / Math.max(n, 1), misclassified, graph: modelGraph(runtime) };
}

function argmax(a: Float32Array, offset: number, size: number): number {
  let best = 0;
  for (let k = 1; k < size; k++) if (a[offset + k] > a[offset + best]) best = k;
  return best;
}

/**
 * The model's graph without the app's own ops (restore, saliency), each node with its kind and whether
 * only the initializer reaches it, cut at GRAPH_LIMITS (and saying so) for a model past the zoo's sizes.
 */
export function modelGraph(runtime: ModelRuntime): Res<'inspect:snapshot'>['graph'] {
  const all = runtime.graph.operations.filter((op) => !isAppOp(op.name));
  const ops = all.slice(0, GRAPH_LIMITS.nodes);
  const kept = new Set(ops.map((op) => op.name));
  const times = nodeTimes(runtime);
  const { model } = runtime;
  const kinds = nodeKinds(ops, [model.loss.op, model.probabilities.op, model.accuracy.op], model.trainOp instanceof Operation ? model.trainOp : model.trainOp.op);
  const init = initOnly(all, new Set(global_variables(runtime.graph).map((v) => v.initializer)));
  const nodes = ops.map((op) => ({
    id: op.name,
    op: op.type,
    shape: op.outputs.length > 0 ? formatShape(op.outputs[0].shape) : '()',
    gradient: isGradientName(op.name),
    kind: kinds.get(op) ?? 'op',
    init: init.has(op),
    timeMs: times.get(op.name) ?? null,
  }));
  const edges: [string, string][] = [];
  for (const op of ops) for (const input of op.inputs) if (kept.has(input.op.name)) edges.push([input.op.name, op.name]);
  return { nodes, edges: edges.slice(0, GRAPH_LIMITS.edges), truncated: all.length > ops.length || edges.length > GRAPH_LIMITS.edges };
}
