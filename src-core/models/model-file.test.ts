/**
 * Model files (../shared/API.md "Model files"): TypeScript and JavaScript modules whose default export
 * builds the logits load from disk and train; every way a file can be wrong is a ModelDefinitionError
 * naming the file (and the line, or our op's own message for a graph error), never a raw TypeError.
 */
import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import * as tf from '../index';
import { withDefaultGraph } from '../graph/graph';
import { get_mnist } from '../datasets';
import { buildUserModel, loadModelFile, loadModelSource } from './model-file';
import { ModelDefinitionError } from './user-model';

const dir = mkdtempSync(join(tmpdir(), 'tinyflow-model-file-'));
function file(name: string, text: string): string {
  const path = join(dir, name);
  writeFileSync(path, text);
  return path;
}

const TS_CNN = `// A typed model file: the types go, the lines stay.
import type { Tensor } from 'tinyflow';
type TF = any;
export const input: number[] = [28, 28, 1];
export default function model(tf: TF, x: Tensor, { training }: { training: Tensor }): Tensor {
  const W = tf.Variable(tf.truncated_normal([5, 5, 1, 4], { stddev: 0.1 }), { name: 'conv/W' });
  let h = tf.nn.relu(tf.nn.conv2d(x, W, [1, 2, 2, 1], 'SAME'));
  h = tf.layers.dropout(h, { rate: 0.2, training });
  h = tf.reshape(h, [-1, 14 * 14 * 4]);
  return tf.layers.dense(h, 10, { name: 'out' }) as Tensor;
}
`;

const JS_SOFTMAX = `export default (tf, x) => {
  const W = tf.Variable(tf.zeros([784, 10]), { name: 'W' });
  return tf.matmul(x, W);
};
`;

const mnist = get_mnist({ flatten: true, onehot: true });
const xs = new tf.NDArray((mnist.train.images.data as Float32Array).slice(0, 64 * 784), [64, 784]);
const ys = new tf.NDArray((mnist.train.labels.data as Float32Array).slice(0, 640), [64, 10]);

async function build(name: string, text: string, numClasses?: number) {
  const graph = new tf.Graph();
  const source = await loadModelFile(file(name, text));
  const model = await withDefaultGraph(graph, () => buildUserModel(source, { learningRate: 0.01, ...(numClasses === undefined ? {} : { numClasses }) }));
  return { graph, model, source };
}

describe('model files', () => {
  for (const [name, text] of [['my-cnn.ts', TS_CNN], ['softmax.js', JS_SOFTMAX]] as const) {
    it(`${name}: loads, builds with a flat x and a training flag, and its loss falls within 30 steps`, async () => {
      const { graph, model, source } = await build(name, text);
      expect(source).toEqual({ kind: 'file', fileName: name, source: text });
      expect(model.x.shape).toEqual([null, 784]);
      expect(model.logits.shape).toEqual([null, 10]);
      expect(model.flatten).toBe(true);
      expect(model.training?.dtype).toBe('bool');
      const init = withDefaultGraph(graph, () => tf.global_variables_initializer());
      const sess = tf.Session({ graph, backend: 'wasm' });
      await sess.run(init);
      const feed: [tf.Tensor, tf.NDArray][] = [[model.x, xs], [model.labels, ys]];
      const before = (await sess.run(model.loss, feed)).item();
      for (let i = 0; i < 30; i++) await sess.run(model.trainOp, feed);
      expect((await sess.run(model.loss, feed)).item()).toBeLessThan(before * 0.8);
      sess.close();
    });
  }

  it('takes its class count from the logits, and refuses data with another', async () => {
    const three = JS_SOFTMAX.replace('[784, 10]', '[784, 3]');
    expect((await build('three.js', three)).model.labels.shape).toEqual([null, 3]);
    await expect(build('three.js', three, 10)).rejects.toThrow('model file three.js: the model makes 3 classes, the data has 10: make the logits [null, 10]');
  });

  it('reads a layer editor file by its .tfmodel.json name', async () => {
    const text = JSON.stringify({ format: 'tinyflow-layers', version: 1, name: 'mlp', input: [784], layers: [{ type: 'dense', units: 10, activation: 'none' }] });
    const source = await loadModelSource(file('mlp.tfmodel.json', text));
    expect(source.kind).toBe('layers');
    await expect(loadModelSource(file('bad.tfmodel.json', '{"format": 1}'))).rejects.toThrow("bad.tfmodel.json: format must be 'tinyflow-layers', got 1");
  });

  const bad: [string, string, string | RegExp][] = [
    ['syntax.ts', 'export default function (tf, x) { return x +; }', /^model file syntax\.ts: cannot read it as TypeScript: .*\(1:/],
    ['syntax.js', 'export default function (tf, x) { return x +; }', /^model file syntax\.js: SyntaxError: /],
    ['nodefault.js', 'export const input = [784];', 'model file nodefault.js: its default export must be a function (tf, x, { training }) that returns the logits, got no default export'],
    ['number.js', 'export default 42;', 'got number'],
    ['returns.js', 'export default (tf, x) => [1, 2];', 'model file returns.js: the model function must return the logits Tensor [null, classes], got object'],
    ['async.js', 'export default async (tf, x) => x;', 'returned a Promise; it must build and return the logits synchronously'],
    ['rank3.js', 'export const input = [28, 28, 1];\nexport default (tf, x) => x;', "model file rank3.js: the logits 'input:0' must be float32 [null, classes] with at least 2 classes, got float32 [null, 28, 28, 1]"],
    ['fixedbatch.js', 'export default (tf, x) => tf.reshape(tf.layers.dense(x, 10), [4, 10]);', 'with at least 2 classes, got float32 [4, 10]'],
    ['oneclass.js', 'export default (tf, x) => tf.layers.dense(x, 1);', 'with at least 2 classes, got float32 [null, 1]'],
    ['imports.ts', "import * as tf from 'tinyflow';\nexport default (t: any, x: any) => tf.identity(x);", "model file imports.ts: imports 'tinyflow'; a model file imports nothing: its default export gets tf as its first argument"],
    ['input.js', 'export const input = [28, 28, 3];\nexport default (tf, x) => x;', 'model file input.js: export const input [28, 28, 3]: images are grayscale, so the channel count must be 1, got 3'],
    ['throws.js', 'export default (tf, x) => {\n  const y = x;\n  throw new Error("my bug");\n};', 'model file throws.js (line 3): Error: my bug'],
    ['typo.js', 'export default (tf, x) => {\n\n  return tf.nn.rleu(x);\n};', /^model file typo\.js \(line 3\): TypeError: tf\.nn\.rleu is not a function/],
    ['matmul.js', 'export default (tf, x) => tf.matmul(x, tf.Variable(tf.zeros([100, 10])));', /^model file matmul\.js \(line 1\): MatMul '.*': inner dims differ, a \[\?,784\] vs b \[100,10\]/],
    ['top.js', 'throw new RangeError("at import");\nexport default (tf, x) => x;', 'model file top.js (line 1): RangeError: at import'],
    ['huge.js', 'export default (tf, x) => tf.matmul(x, tf.Variable(tf.truncated_normal([784, 30000])));', 'model file huge.js: its variables hold 23520000 parameters, more than the 20000000 allowed'],
    ['novars.js', 'export default (tf, x) => tf.slice(x, [0, 0], [-1, 10]);', /^model file novars\.js: cannot train its logits: /],
  ];
  for (const [name, text, message] of bad) {
    it(`${name}: a clear error naming the file`, async () => {
      const error = await build(name, text).then(() => null, (e: unknown) => e);
      expect(error).toBeInstanceOf(ModelDefinitionError);
      expect((error as Error).message).toMatch(typeof message === 'string' ? new RegExp(message.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')) : message);
    });
  }

  it('refuses what is not a model file: missing, empty, too big, another extension', async () => {
    await expect(loadModelFile(join(dir, 'nothere.ts'))).rejects.toThrow(`cannot read model file ${join(dir, 'nothere.ts')}: no such file`);
    await expect(loadModelFile(file('empty.ts', ''))).rejects.toThrow('model file empty.ts is empty');
    await expect(loadModelFile(file('big.js', `// ${'x'.repeat(1024 * 1024)}`))).rejects.toThrow('model file big.js is 1048579 bytes, more than the 1048576 allowed');
    await expect(loadModelFile(file('model.py', 'x'))).rejects.toThrow('model file model.py: a model file ends in .ts, .mts, .js, .mjs (or .tfmodel.json for a layer editor model)');
    const folder = join(dir, 'folder.ts');
    mkdirSync(folder);
    await expect(loadModelFile(folder)).rejects.toThrow(`model file ${folder} is not a file`);
  });
});
