/**
 * `tinyflow explain`: builds a zoo model's training step and prints the plan the compiler makes for
 * it on a backend: the passes and what each changed, every kernel with its fused group and buffer,
 * and the step's peak memory. `--off` shows the plan with passes turned off.
 */
import { parseArgs } from 'node:util';
import * as tf from '../../src-core';
import { MODELS, modelEntry } from '../../src-core/models';
import { OPTIMIZATION_NAMES, type OptimizationName } from '../../src-core/compile/passes';
import { UsageError, parseNumber } from '../usage';

export const EXPLAIN_USAGE = `tinyflow explain [options]
  --model NAME      ${Object.keys(MODELS).join(', ')} (default softmax)
  --backend NAME    a registered backend (default: the best available)
  --batch N         batch size that fixes the feed shapes (default 100)
  --off LIST        passes to turn off: ${OPTIMIZATION_NAMES.join(', ')}, or all
  --json            print the plan as JSON`;

function passesOff(text: string | undefined): boolean | Partial<Record<OptimizationName, boolean>> {
  if (text === undefined) return true;
  if (text === 'all') return false;
  const names = text.split(',').map((s) => s.trim()).filter((s) => s !== '');
  const bad = names.filter((n) => !(OPTIMIZATION_NAMES as readonly string[]).includes(n));
  if (bad.length > 0) throw new UsageError(`--off: unknown pass ${bad.join(', ')} (choose from ${OPTIMIZATION_NAMES.join(', ')}, or all)`);
  return Object.fromEntries(names.map((n) => [n, false]));
}

export async function explainCommand(argv: string[]): Promise<number> {
  const { values } = parseArgs({
    args: argv,
    strict: true,
    options: {
      model: { type: 'string', default: 'softmax' },
      backend: { type: 'string', default: 'best' },
      batch: { type: 'string', default: '100' },
      off: { type: 'string' },
      json: { type: 'boolean', default: false },
    },
  });
  const entry = modelEntry(values.model);
  const batch = parseNumber('--batch', values.batch, { integer: true, min: 1 });
  const graph = new tf.Graph();
  const { built, init } = graph.as_default(() => {
    const model = entry.build({ learningRate: entry.defaultLearningRate });
    return { built: model, init: tf.global_variables_initializer() };
  });
  const sess = tf.Session({ backend: values.backend, graph, optimizations: passesOff(values.off) });
  try {
    await sess.run(init);
    const images = new tf.NDArray(new Float32Array(batch * 784), built.flatten ? [batch, 784] : [batch, 1, 28, 28]);
    const labels = new tf.NDArray(new Float32Array(batch * 10), [batch, 10]);
    const plan = sess.explain([built.loss, built.trainOp], { feed_dict: [[built.x, images], [built.labels, labels]] });
    console.log(values.json ? JSON.stringify(plan, null, 2) : `${values.model}, batch ${batch}: one training step\n${String(plan)}`);
    return 0;
  } finally {
    sess.close();
  }
}
