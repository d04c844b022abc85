/**
 * Validation in words: every value a user can type into the Train and Compare forms that is out of
 * range comes back as one sentence naming the field and its real range, with the field as a prefix the
 * UI can highlight, never as zod's "Too small: expected number to be >0" or "expected int".
 */
import { describe, expect, it } from 'vitest';
import { ApiValidationError, parsePayload } from './wire';
import { COMPARE_FIELD_LIMITS, TRAIN_FIELD_LIMITS, fieldError, limitMessage } from './field-limits';
import type { TrainConfig } from './schemas';

const good: TrainConfig = { model: 'softmax', backend: 'cpu', dataDir: null, optimizer: 'sgd', learningRate: 0.5, batchSize: 100, epochs: 1, steps: null };

function rejection(channel: 'train:start' | 'compare:run', payload: unknown): string {
  try {
    parsePayload(channel, payload);
  } catch (e) {
    expect(e).toBeInstanceOf(ApiValidationError);
    return (e as Error).message;
  }
  throw new Error('accepted');
}

describe('form fields are validated in words', () => {
  it('states each limit as the form shows it', () => {
    expect(limitMessage(TRAIN_FIELD_LIMITS.learningRate)).toBe('Learning rate must be between 0.00001 and 100');
    expect(limitMessage(TRAIN_FIELD_LIMITS.batchSize)).toBe('Batch size must be a whole number between 1 and 10000');
  });

  const cases: [keyof typeof TRAIN_FIELD_LIMITS, unknown][] = [
    ['learningRate', 0], ['learningRate', -1], ['learningRate', 0.000001], ['learningRate', 101], ['learningRate', Number.NaN], ['learningRate', '0.5'], ['learningRate', null],
    ['batchSize', 0], ['batchSize', 1.5], ['batchSize', 10_001], ['batchSize', 'ten'],
    ['epochs', 0], ['epochs', 2.5], ['epochs', 1001],
    ['steps', 0], ['steps', 0.5], ['steps', 10_000_001],
  ];
  for (const [field, value] of cases) {
    it(`train:start ${field} = ${String(value)}: "${limitMessage(TRAIN_FIELD_LIMITS[field])}" on the field`, () => {
      const message = rejection('train:start', { ...good, [field]: value });
      expect(message).toBe(`IPC 'train:start': rejected: ${field}: ${limitMessage(TRAIN_FIELD_LIMITS[field])}`);
      expect(message).not.toMatch(/Too small|Too big|expected|received/);
      expect(fieldError(message)).toEqual({ field, message: limitMessage(TRAIN_FIELD_LIMITS[field]) });
    });
  }

  it('accepts the limits themselves', () => {
    for (const [field, limit] of Object.entries(TRAIN_FIELD_LIMITS)) {
      expect(() => parsePayload('train:start', { ...good, [field]: limit.min })).not.toThrow();
      expect(() => parsePayload('train:start', { ...good, [field]: limit.max })).not.toThrow();
    }
  });

  it('compare:run and the other text fields speak words too', () => {
    const compare = { model: 'mlp', steps: 10, batchSize: 10, targetAccuracy: 0.9 };
    expect(fieldError(rejection('compare:run', { ...compare, steps: 5001 }))).toEqual({ field: 'steps', message: limitMessage(COMPARE_FIELD_LIMITS.steps) });
    expect(fieldError(rejection('compare:run', { ...compare, targetAccuracy: 2 }))).toEqual({ field: 'targetAccuracy', message: 'Target accuracy must be between 0 and 1' });
    expect(fieldError(rejection('train:start', { ...good, model: '' }))).toEqual({ field: 'model', message: 'Model must be 1 to 64 characters' });
    expect(fieldError(rejection('train:start', { ...good, optimizer: 'rmsprop' }))).toEqual({ field: 'optimizer', message: 'Optimizer must be one of sgd, momentum, adam' });
  });

  it('fieldError leaves a message without a field prefix whole', () => {
    expect(fieldError("train:start: unknown model 'x'; known: softmax")).toEqual({ field: null, message: "train:start: unknown model 'x'; known: softmax" });
  });
});
