/**
 * The code the app shows for a model is the model (issue 12.3): the text generated from a zoo spec,
 * evaluated as it stands with the tf namespace, builds the same Variables (optimizer slots included)
 * with the same names and shapes as the model the app and the CLI train, for every optimizer.
 */
import { describe, expect, it } from 'vitest';
import * as tf from '../index';
import { withDefaultGraph } from '../graph/graph';
import { MODELS, MODEL_SPECS, OPTIMIZER_NAMES, modelCode, modelEntry } from './index';

type Variables = [string, (number | null)[] | null][];

function variablesOf(graph: tf.Graph): Variables {
  return withDefaultGraph(graph, () => tf.global_variables().map((v): Variables[number] => [v.op.name, v.shape ? [...v.shape] : null]));
}

/** Runs the generated text (minus its import line) with `tf` in a fresh graph. */
function evaluate(code: string): tf.Graph {
  const body = code.replace(/^import \* as tf from 'tinyflow';\n/, '');
  expect(body).not.toContain('import');
  const graph = new tf.Graph();
  withDefaultGraph(graph, () => new Function('tf', body)(tf));
  return graph;
}

describe('generated model code', () => {
  for (const name of Object.keys(MODELS)) {
    for (const optimizer of OPTIMIZER_NAMES) {
      it(`${name} with ${optimizer}: the shown code builds the model's variables and shapes`, () => {
        const code = modelCode(name, { optimizer, learningRate: 0.01 }) as string;
        const shown = variablesOf(evaluate(code));
        const model = new tf.Graph();
        withDefaultGraph(model, () => modelEntry(name).build({ learningRate: 0.01, optimizer }));
        expect(shown).toEqual(variablesOf(model));
        expect(shown.length).toBeGreaterThan(0);
        expect(code).toContain('const learning_rate = 0.01;');
      });
    }
  }

  it('states what the issue found wrong: the MLP has 100 hidden units, LeNet pads VALID', () => {
    expect(modelCode('mlp')).toContain("tf.nn.linear(h, { num_hidden: 100, name: 'fc1' })");
    expect(modelCode('mlp')).not.toContain('128');
    expect(modelCode('lenet')).toMatch(/tf\.nn\.conv2d\(h, \{ num_filter: 20, ksize: 5, pad: 'VALID'/);
    expect(modelCode('lenet')).toContain('// [null, 50, 4, 4]');
    expect(modelCode('softmax')).toContain('tf.assign(W, tf.subtract(W, tf.multiply(learning_rate, W_grad)))');
    expect(modelCode('softmax', { optimizer: 'adam' })).toContain('tf.train.AdamOptimizer(learning_rate).minimize(loss)');
  });

  it('knows only the zoo (own properties): constructor and __proto__ are not models', () => {
    expect(modelCode('constructor')).toBeNull();
    expect(modelCode('__proto__')).toBeNull();
    expect(() => modelEntry('toString')).toThrow("unknown model 'toString'; known: softmax, mlp, lenet, cnn");
    expect(Object.keys(MODEL_SPECS)).toEqual(Object.keys(MODELS));
  });
});
