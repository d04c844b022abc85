/**
 * The Train form's fields in words: a value the user typed that the session cannot take gets a message
 * naming the field and its allowed range, shown next to that field, before anything is sent. The limits
 * and the words are the contract's own (src-app-api/field-limits.ts), so the form and the host agree; a
 * rejection from the host that names a field lands on the same field.
 */
import type { TrainConfig } from '../../src-app-api/schemas';
import { fieldError, limitMessage, TRAIN_FIELD_LIMITS, type NumberFieldLimit } from '../../src-app-api/field-limits';

export type TrainField = 'learningRate' | 'batchSize' | 'epochs' | 'steps' | 'dataDir' | 'model' | 'backend' | 'optimizer';
export type FieldErrors = Partial<Record<TrainField, string>>;

const FIELDS: readonly TrainField[] = ['learningRate', 'batchSize', 'epochs', 'steps', 'dataDir', 'model', 'backend', 'optimizer'];
const NUMBER = /^\s*[-+]?(\d+\.?\d*|\.\d+)(e[-+]?\d+)?\s*$/i;

/** What a number field's text means: a number, or NaN for "", "abc" or "12abc" (which parseFloat would read as 12). */
export function parseNumber(text: string): number {
  return NUMBER.test(text) ? Number(text) : NaN;
}

/** The message for `value` in a field with `limit`, or null when the value is allowed. */
export function checkNumber(value: unknown, limit: NumberFieldLimit): string | null {
  const ok = typeof value === 'number' && Number.isFinite(value) && value >= limit.min && value <= limit.max && (!limit.integer || Number.isInteger(value));
  return ok ? null : limitMessage(limit);
}

/** Every field of `config` that cannot be sent, with why; {} when the form is good. */
export function validateTrainConfig(config: TrainConfig): FieldErrors {
  const errors: FieldErrors = {};
  for (const field of ['learningRate', 'batchSize', 'epochs'] as const) {
    const found = checkNumber(config[field], TRAIN_FIELD_LIMITS[field]);
    if (found) errors[field] = found;
  }
  if (config.steps !== null) {
    const found = checkNumber(config.steps, TRAIN_FIELD_LIMITS.steps);
    if (found) errors.steps = found;
  }
  if (config.dataDir !== null && config.dataDir.trim() === '') errors.dataDir = 'Choose the folder that holds the IDX files';
  if (config.model === '') errors.model = 'Choose a model';
  if (config.backend === '') errors.backend = 'Choose a backend';
  return errors;
}

/** The Train form field a host error names ("IPC 'train:start': rejected: learningRate: ..."), with its words; null when it names none. */
export function fieldErrorOf(text: string): { field: TrainField; message: string } | null {
  const { field, message } = fieldError(text);
  const known = FIELDS.find((f) => f === field);
  return known ? { field: known, message } : null;
}
