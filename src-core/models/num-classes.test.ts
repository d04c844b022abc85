import { describe, expect, it } from 'vitest';
import { Graph, withDefaultGraph } from '../graph/graph';
import { trainable_variables } from '../api/variables';
import { MODELS, modelCode } from '.';

describe('the class count comes from the data', () => {
  for (const name of Object.keys(MODELS)) {
    it(`${name}: numClasses sizes the output layer, the labels, and the shown code`, () => {
      const graph = new Graph();
      const built = withDefaultGraph(graph, () => MODELS[name].build({ learningRate: 0.01, numClasses: 3 }));
      expect(built.logits.shape).toEqual([null, 3]);
      expect(built.labels.shape).toEqual([null, 3]);
      const variables = withDefaultGraph(graph, () => trainable_variables());
      const output = variables[variables.length - 1];
      expect(output.shape?.[output.shape.length - 1]).toBe(3);
      const code = modelCode(name, { numClasses: 3 }) as string;
      expect(code).toContain("tf.placeholder(tf.float32, [null, 3], 'labels')");
      expect(code).toMatch(/\/\/ \[null, 3\]\nconst logits = h;/);
      // MNIST's 10 stays the default.
      expect(withDefaultGraph(new Graph(), () => MODELS[name].build({ learningRate: 0.01 })).logits.shape).toEqual([null, 10]);
    });
  }
});
