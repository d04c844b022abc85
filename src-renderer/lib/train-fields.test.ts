/** The Train form's field checks: every out-of-range value a user can type reads as the field's range in words. */
import { describe, expect, it } from 'vitest';
import type { TrainConfig } from '../../src-app-api/schemas';
import { fieldErrorOf, parseNumber, validateTrainConfig } from './train-fields';
import { describeSettings, formatEta } from './train-text';
import { chartPoints } from './chart-points';

const good: TrainConfig = { model: 'softmax', backend: 'wasm', dataDir: null, optimizer: 'sgd', learningRate: 0.5, batchSize: 100, epochs: 5, steps: null };
const LR = 'Learning rate must be between 0.00001 and 100';
const BATCH = 'Batch size must be a whole number between 1 and 10000';
const EPOCHS = 'Epochs must be a whole number between 1 and 1000';

describe('Train form fields', () => {
  it('reads typed text as a number only when all of it is one', () => {
    expect(parseNumber('0.5')).toBe(0.5);
    expect(parseNumber(' 1e-3 ')).toBe(0.001);
    expect(parseNumber('.25')).toBe(0.25);
    expect(parseNumber('-1')).toBe(-1);
    for (const text of ['', ' ', 'abc', '12abc', '1,5', '0x10', 'Infinity', 'NaN', '1e']) expect(parseNumber(text), text).toBeNaN();
  });

  it('accepts a good form and the limits themselves', () => {
    expect(validateTrainConfig(good)).toEqual({});
    expect(validateTrainConfig({ ...good, learningRate: 0.00001, batchSize: 10_000, epochs: 1000 })).toEqual({});
    expect(validateTrainConfig({ ...good, learningRate: 100, batchSize: 1, epochs: 1 })).toEqual({});
  });

  it('names the field and its real range for every bad value, and only that field', () => {
    for (const text of ['0', '-1', '1e9', '', 'abc']) expect(validateTrainConfig({ ...good, learningRate: parseNumber(text) }), text).toEqual({ learningRate: LR });
    for (const text of ['0', '2.5', '1e7', '', '-3']) expect(validateTrainConfig({ ...good, batchSize: parseNumber(text) }), text).toEqual({ batchSize: BATCH });
    for (const text of ['0', '1.5', '1001', '']) expect(validateTrainConfig({ ...good, epochs: parseNumber(text) }), text).toEqual({ epochs: EPOCHS });
    expect(validateTrainConfig({ ...good, learningRate: 0, batchSize: 0 })).toEqual({ learningRate: LR, batchSize: BATCH });
    expect(validateTrainConfig({ ...good, dataDir: '  ' })).toEqual({ dataDir: 'Choose the folder that holds the IDX files' });
  });

  it("puts a host's field rejection on that field, and leaves any other error alone", () => {
    expect(fieldErrorOf(`IPC 'train:start': rejected: learningRate: ${LR}`)).toEqual({ field: 'learningRate', message: LR });
    expect(fieldErrorOf(`IPC 'train:start': rejected: batchSize: ${BATCH}`)).toEqual({ field: 'batchSize', message: BATCH });
    expect(fieldErrorOf("unknown model 'constructor'; known: softmax, mlp, lenet")).toBeNull();
    expect(fieldErrorOf("IPC 'train:start': rejected: (payload): bad")).toBeNull();
  });
});

describe('Train view text', () => {
  it('formats an ETA, and has none without a finite estimate', () => {
    expect(formatEta(42.4)).toBe('42 s');
    expect(formatEta(119.7)).toBe('2 min 0 s');
    expect(formatEta(185)).toBe('3 min 5 s');
    expect(formatEta(null)).toBeNull();
    expect(formatEta(Infinity)).toBeNull();
    expect(formatEta(NaN)).toBeNull();
  });

  it('describes the running settings', () => {
    expect(describeSettings(good)).toBe('sgd · learning rate 0.5 · batch 100 · 5 epochs · bundled MNIST');
    expect(describeSettings({ ...good, optimizer: 'adam', learningRate: 0.001, batchSize: 1, epochs: 1, steps: 300, dataDir: '/data/fashion' })).toBe('adam · learning rate 0.001 · batch 1 · 300 steps · /data/fashion');
  });

  it('leaves NaN and infinite points off the chart', () => {
    expect(chartPoints([[1, 2.3], [2, NaN], [3, Infinity], [4, -Infinity], [5, 0.5]])).toEqual([{ x: 1, y: 2.3 }, { x: 5, y: 0.5 }]);
  });
});
