/**
 * The layer editor's format (issue 15.1): parsing names the file, the field and its allowed range; the
 * summary gives Keras' shapes and parameter counts, puts a shape error on the layer that causes it, and
 * never throws; model sources survive the checkpoint metadata round trip.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  LAYER_MODEL_LIMITS, layerModelCode, modelSourceFromMetadata, modelSourceToMetadata, parseLayerModel, summarizeLayerModel,
  type LayerDef, type LayerModel,
} from './user-model';

function model(input: number[], layers: LayerDef[]): LayerModel {
  return { format: 'tinyflow-layers', version: 1, name: 'm', input, layers };
}

const output: LayerDef = { type: 'dense', units: 10, activation: 'none' };
const smallCnn = model([28, 28, 1], [
  { type: 'conv2d', filters: 8, kernel: 3, stride: 1, padding: 'same', activation: 'relu' },
  { type: 'batch_norm' },
  { type: 'max_pool', size: 2, stride: 2, padding: 'valid' },
  { type: 'conv2d', filters: 16, kernel: 5, stride: 2, padding: 'valid', activation: 'tanh' },
  { type: 'avg_pool', size: 2, stride: 1, padding: 'same' },
  { type: 'dropout', rate: 0.25 },
  { type: 'flatten' },
  { type: 'dense', units: 32, activation: 'sigmoid' },
  output,
]);

describe('parseLayerModel', () => {
  it('reads a valid file back as it was written', () => {
    expect(parseLayerModel(JSON.stringify(smallCnn), 'cnn.tfmodel.json')).toEqual(smallCnn);
  });

  const bad: [string, unknown, string][] = [
    ['not JSON', '{', "x.tfmodel.json: not JSON"],
    ['another format', { ...smallCnn, format: 'keras' }, "x.tfmodel.json: format must be 'tinyflow-layers', got \"keras\""],
    ['units out of range', { ...smallCnn, layers: [{ type: 'dense', units: 5000, activation: 'relu' }, output] }, 'x.tfmodel.json: layers[0].units must be an integer in 1–4096, got 5000'],
    ['a fractional kernel', { ...smallCnn, layers: [{ ...smallCnn.layers[0], kernel: 2.5 }, output] }, 'layers[0].kernel must be an integer in 1–11, got 2.5'],
    ['a stride of 0', { ...smallCnn, layers: [{ type: 'max_pool', size: 2, stride: 0, padding: 'same' }, output] }, 'layers[0].stride must be an integer in 1–4, got 0'],
    ['dropout rate 1', { ...smallCnn, layers: [{ type: 'dropout', rate: 1 }, output] }, 'layers[0].rate must be a number in 0–0.95, got 1'],
    ['an unknown activation', { ...smallCnn, layers: [{ type: 'dense', units: 3, activation: 'gelu' }, output] }, "layers[0].activation must be one of 'none', 'relu', 'tanh', 'sigmoid', got \"gelu\""],
    ['an unknown layer', { ...smallCnn, layers: [{ type: 'lstm' }, output] }, "layers[0].type must be one of 'dense', 'conv2d'"],
    ['a misspelt field', { ...smallCnn, layers: [{ type: 'dense', unit: 3, units: 3, activation: 'relu' }, output] }, "layers[0] has unknown field 'unit'"],
    ['colour images', { ...smallCnn, input: [28, 28, 3] }, 'input [28, 28, 3]: images are grayscale, so the channel count must be 1, got 3'],
    ['a tiny image', { ...smallCnn, input: [4, 4, 1] }, 'height and width must be in 8–128'],
    ['a flat input that is not 784', { ...smallCnn, input: [100] }, 'input [100] is not a flat 28×28 image'],
    ['no layers', { ...smallCnn, layers: [] }, 'layers must be a list of 1–64 layers, got a list of 0'],
    ['65 layers', { ...smallCnn, layers: [...Array(64).fill({ type: 'flatten' }), output] }, 'layers must be a list of 1–64 layers, got a list of 65'],
    ['an output with an activation', { ...smallCnn, layers: [{ type: 'dense', units: 10, activation: 'relu' }] }, "the last layer (layers[0], dense) must be the output: a dense layer with activation 'none'"],
    ['an empty name', { ...smallCnn, name: ' ' }, 'name must be a non-empty string'],
  ];
  for (const [what, value, message] of bad) {
    it(`rejects ${what} with a message naming the file and the field`, () => {
      const text = typeof value === 'string' ? value : JSON.stringify(value);
      expect(() => parseLayerModel(text, 'x.tfmodel.json')).toThrow(message);
      expect(() => parseLayerModel(text, 'x.tfmodel.json')).toThrow(/^x\.tfmodel\.json: /);
    });
  }
});

describe('summarizeLayerModel', () => {
  it('gives each layer its output shape and Keras parameter count, the output sized for the classes', () => {
    const s = summarizeLayerModel(smallCnn, 4);
    expect(s.error).toBeNull();
    expect(s.layers.map((l) => l.outputShape)).toEqual([[28, 28, 8], [28, 28, 8], [14, 14, 8], [5, 5, 16], [5, 5, 16], [5, 5, 16], [400], [32], [4]]);
    // conv 3·3·1·8 + 8; batch norm 4·8 of which 2·8 trained; conv 5·5·8·16 + 16; dense 400·32 + 32; 32·4 + 4.
    expect(s.layers.map((l) => l.params)).toEqual([80, 32, 0, 3216, 0, 0, 0, 12832, 132]);
    expect(s.layers[1].trainableParams).toBe(16);
    expect(s.totalParams).toBe(80 + 32 + 3216 + 12832 + 132);
    expect(s.totalTrainableParams).toBe(s.totalParams - 16);
  });

  it('puts a pooling window larger than its input on that layer, and no shapes after it', () => {
    const tiny = model([8, 8, 1], [
      { type: 'max_pool', size: 2, stride: 2, padding: 'valid' },
      { type: 'max_pool', size: 2, stride: 2, padding: 'valid' },
      { type: 'max_pool', size: 2, stride: 2, padding: 'valid' },
      { type: 'max_pool', size: 2, stride: 2, padding: 'valid' },
      { type: 'flatten' },
      output,
    ]);
    const s = summarizeLayerModel(tiny, 10);
    expect(s.error).toBe("layer 4 (max_pool 2): the input is 1×1, smaller than the 2×2 window (padding 'valid'); use padding 'same' or a smaller window");
    expect(s.layers[3].error).toBe(s.error);
    expect(s.layers.slice(4).every((l) => l.outputShape === null && l.error === null)).toBe(true);
    expect(s.layers[2].outputShape).toEqual([1, 1, 1]);
  });

  it('says a conv2d after flatten needs an image, and a dense on an image needs a flatten', () => {
    const s1 = summarizeLayerModel(model([28, 28, 1], [{ type: 'flatten' }, smallCnn.layers[0], output]), 10);
    expect(s1.layers[1].error).toMatch(/^layer 2 \(conv2d 8 3×3\): conv2d needs an image \[H, W, C\], the input is flat \[784\]/);
    const s2 = summarizeLayerModel(model([28, 28, 1], [output]), 10);
    expect(s2.layers[0].error).toBe('layer 1 (dense 10): the input is an image (28×28×1); add a flatten layer before a dense layer');
    const s3 = summarizeLayerModel(model([784], [{ type: 'avg_pool', size: 2, stride: 2, padding: 'same' }, output]), 10);
    expect(s3.layers[0].error).toMatch(/avg_pool needs an image/);
  });

  it('refuses a layer whose output or parameters would not fit in memory, on that layer', () => {
    const wide = summarizeLayerModel(model([128, 128, 1], [{ ...smallCnn.layers[0], filters: 65 } as LayerDef, { type: 'flatten' }, output]), 10);
    expect(wide.error).toBe('layer 1 (conv2d 65 3×3): its output 128×128×65 has 1064960 values per example, more than the 1048576 allowed; use fewer filters, a stride or a pool before it');
    const dense = summarizeLayerModel(model([128, 128, 1], [{ type: 'flatten' }, { type: 'dense', units: 4096, activation: 'relu' }, output]), 10);
    expect(dense.layers[1].error).toBe('layer 2 (dense 4096): it brings the model to 67112960 parameters, more than the 20000000 allowed; use fewer units or a pool before it');
    expect(dense.layers[2].outputShape).toBeNull();
  });

  it('reports an output layer that is not a plain dense layer on that layer', () => {
    const s = summarizeLayerModel(model([784], [{ type: 'dense', units: 5, activation: 'relu' }]), 10);
    expect(s.layers[0].error).toMatch(/last layer must be the output, a dense layer with activation 'none'/);
    expect(summarizeLayerModel(model([784], []), 10).error).toMatch(/no layers/);
  });

  const layerArb: fc.Arbitrary<LayerDef> = fc.oneof(
    fc.record({ type: fc.constant('dense' as const), units: fc.integer({ min: 1, max: 64 }), activation: fc.constantFrom('none' as const, 'relu' as const) }),
    fc.record({
      type: fc.constant('conv2d' as const), filters: fc.integer({ min: 1, max: 8 }), kernel: fc.integer({ min: 1, max: 11 }),
      stride: fc.integer({ min: 1, max: 4 }), padding: fc.constantFrom('same' as const, 'valid' as const), activation: fc.constant('relu' as const),
    }),
    fc.record({ type: fc.constantFrom('max_pool' as const, 'avg_pool' as const), size: fc.integer({ min: 1, max: 8 }), stride: fc.integer({ min: 1, max: 4 }), padding: fc.constantFrom('same' as const, 'valid' as const) }),
    fc.record({ type: fc.constant('dropout' as const), rate: fc.double({ min: 0, max: 0.95, noNaN: true }) }),
    fc.record({ type: fc.constantFrom('flatten' as const, 'batch_norm' as const) }),
  );

  it('never throws: either every layer has a shape, or one layer has the error and the rest nothing', () => {
    fc.assert(
      fc.property(
        fc.oneof(fc.constant([784]), fc.tuple(fc.integer({ min: 8, max: 128 }), fc.integer({ min: 8, max: 128 }), fc.constant(1))),
        fc.array(layerArb, { maxLength: 12 }),
        fc.integer({ min: 2, max: 50 }),
        (input, layers, classes) => {
          const s = summarizeLayerModel(model([...input], [...layers, output]), classes);
          expect(s.layers).toHaveLength(layers.length + 1);
          const errors = s.layers.filter((l) => l.error !== null);
          if (s.error === null) {
            expect(errors).toHaveLength(0);
            expect(s.layers.every((l) => l.outputShape !== null && l.outputShape.every((d) => Number.isInteger(d) && d >= 1))).toBe(true);
            expect(s.layers[s.layers.length - 1].outputShape).toEqual([classes]);
            expect(Number.isInteger(s.totalParams)).toBe(true);
          } else {
            expect(errors).toHaveLength(1);
            expect(errors[0].error).toBe(s.error);
            const at = s.layers.indexOf(errors[0]);
            expect(s.layers.slice(at).every((l) => l.outputShape === null)).toBe(true);
            expect(s.layers.slice(0, at).every((l) => l.outputShape !== null)).toBe(true);
          }
        },
      ),
      { numRuns: 300 },
    );
  });

  it('never throws on input the editor might hold mid-edit', () => {
    for (const input of [[], [28, 28], [28, 28, 3], [0], [Number.NaN, 2, 1]]) {
      const s = summarizeLayerModel(model(input, [output]), 10);
      expect(s.error).toMatch(/^input/);
      expect(s.layers[0].outputShape).toBeNull();
    }
    expect(summarizeLayerModel(smallCnn, 1).error).toMatch(/class count/);
  });
});

describe('model sources in checkpoint metadata', () => {
  it('round-trips all three kinds', () => {
    for (const source of [
      { kind: 'zoo', name: 'lenet' },
      { kind: 'layers', model: smallCnn },
      { kind: 'file', fileName: 'my-cnn.ts', source: 'export default (tf, x) => x;' },
    ] as const) {
      expect(modelSourceFromMetadata(modelSourceToMetadata(source), 'run.safetensors')).toEqual(source);
    }
  });

  it('names the checkpoint and the field when the metadata is damaged', () => {
    expect(() => modelSourceFromMetadata('{', 'run.safetensors')).toThrow(/^run\.safetensors: its model_source is not JSON/);
    expect(() => modelSourceFromMetadata('{"kind":"net"}', 'run.safetensors')).toThrow("run.safetensors: model_source.kind must be one of 'zoo', 'layers', 'file', got \"net\"");
    expect(() => modelSourceFromMetadata(JSON.stringify({ kind: 'layers', model: { ...smallCnn, version: 2 } }), 'run.safetensors')).toThrow('run.safetensors: model_source: version must be 1, got 2');
    const huge = 'x'.repeat(LAYER_MODEL_LIMITS.fileBytes + 1);
    expect(() => modelSourceFromMetadata(JSON.stringify({ kind: 'file', fileName: 'a.ts', source: huge }), 'c')).toThrow(/a\.ts is 1048577 bytes, more than the 1048576 allowed/);
  });
});

describe('layerModelCode', () => {
  it('is a model file in the API.md form with the layers, options and shapes', () => {
    const code = layerModelCode(smallCnn, 4);
    expect(code).toContain('export const input = [28, 28, 1];');
    expect(code).toContain('export default function model(tf, x, { training }) {');
    expect(code).toContain("h = tf.layers.conv2d(h, 8, 3, { strides: 1, padding: 'same', activation: tf.nn.relu, name: 'conv2d_1' }); // [null, 28, 28, 8]");
    expect(code).toContain("h = tf.layers.dropout(h, { rate: 0.25, training, name: 'dropout_1' });");
    expect(code).toContain("h = tf.layers.dense(h, 4, { name: 'output' }); // [null, 4]");
  });

  it('refuses a model with a shape error, naming the layer', () => {
    expect(() => layerModelCode(model([28, 28, 1], [output]), 10)).toThrow("model 'm': layer 1 (dense 10): the input is an image");
  });

  it('keeps a name with line breaks inside its comment', () => {
    const code = layerModelCode({ ...smallCnn, name: 'a\nexport default 1' }, 10);
    expect(code.split('\n')[0]).toMatch(/^\/\/ a export default 1/);
  });
});
