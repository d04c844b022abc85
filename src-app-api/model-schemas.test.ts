/**
 * The wire form of a user's own model: each layer field's limit is named with its range, a model file's
 * size is capped, the layer count is bounded, the output layer is required, and configs from before user
 * models (no userModel) stay valid.
 */
import { describe, expect, it } from 'vitest';
import { parsePayload } from './wire';
import type { TrainConfig } from './schemas';

const base = { model: 'm', backend: 'cpu', dataDir: null, optimizer: 'adam', learningRate: 0.001, batchSize: 50, epochs: 1, steps: null } as const;
const layers = (list: unknown[], input: unknown = [28, 28, 1]) => ({ ...base, userModel: { kind: 'layers', model: { format: 'tinyflow-layers', version: 1, name: 'm', input, layers: list } } });
const out = { type: 'dense', units: 10, activation: 'none' };
const rejects = (payload: unknown) => expect(() => parsePayload('train:start', payload));

describe('user model schemas', () => {
  it('keeps configs without a user model valid', () => {
    const old: TrainConfig = parsePayload('train:start', base);
    expect(old.userModel).toBeUndefined();
    expect(parsePayload('train:start', { ...base, userModel: null }).userModel).toBeNull();
  });

  it('names each field and its range', () => {
    rejects(layers([{ type: 'dense', units: 5000, activation: 'relu' }, out])).toThrow("IPC 'train:start': rejected: userModel.model.layers.0.units: Units must be a whole number between 1 and 4096");
    rejects(layers([{ type: 'conv2d', filters: 8, kernel: 12, stride: 1, padding: 'same', activation: 'relu' }, { type: 'flatten' }, out])).toThrow('userModel.model.layers.0.kernel: Kernel size must be a whole number between 1 and 11');
    rejects(layers([{ type: 'dropout', rate: 1 }, out])).toThrow('userModel.model.layers.0.rate: Dropout rate must be between 0 and 0.95');
    rejects(layers([{ type: 'max_pool', size: 2, stride: 2, padding: 'full' }, out])).toThrow("Padding must be 'same' or 'valid'");
    rejects(layers([{ type: 'lstm' }, out])).toThrow('Layer type must be one of dense, conv2d, max_pool, avg_pool, dropout, flatten, batch_norm');
    rejects(layers([out], [28, 28, 3])).toThrow('userModel.model.input: Input must be [784] (flat pixels) or [H, W, 1] with H and W between 8 and 128 (grayscale: 1 channel)');
    rejects(layers([{ type: 'flatten' }])).toThrow("The last layer must be the output: a dense layer with activation 'none'");
    rejects(layers([])).toThrow('A model has 1 to 64 layers');
  });

  it('caps a model file at 1 MB and takes one below it', () => {
    const file = (source: string) => ({ ...base, userModel: { kind: 'file', fileName: 'big.js', source } });
    rejects(file('x'.repeat(1024 * 1024 + 1))).toThrow('userModel.source: A model file must be at most 1 MB (1,048,576 characters)');
    expect(parsePayload('train:start', file('export default () => null;')).userModel).toMatchObject({ kind: 'file', fileName: 'big.js' });
    expect(() => parsePayload('model:check', { userModel: { kind: 'file', fileName: '', source: '' }, dataDir: null })).toThrow('Model file name must be 1 to 255 characters');
  });
});
