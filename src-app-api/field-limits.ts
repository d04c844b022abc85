/**
 * The limits of every number a user types into a form (Train, Compare, Draw), in one place: the zod
 * schemas are built from them and the renderer reads the same values for its inputs' min/max and its
 * messages, so the form and the wire can never disagree about what is allowed.
 *
 * A rejected request names the field as a stable prefix: `IPC 'train:start': rejected: learningRate:
 * Learning rate must be between 0.00001 and 100`. `fieldError()` takes such a message apart, so the UI
 * can put the words next to the field it names.
 */
import { z } from 'zod';

export interface NumberFieldLimit {
  /** The field's name as the form shows it, e.g. "Learning rate". */
  readonly label: string;
  readonly min: number;
  readonly max: number;
  /** Whole numbers only (batch size, steps). */
  readonly integer: boolean;
}

export const TRAIN_FIELD_LIMITS = {
  learningRate: { label: 'Learning rate', min: 0.00001, max: 100, integer: false },
  batchSize: { label: 'Batch size', min: 1, max: 10_000, integer: true },
  epochs: { label: 'Epochs', min: 1, max: 1000, integer: true },
  steps: { label: 'Steps', min: 1, max: 10_000_000, integer: true },
} as const satisfies Record<string, NumberFieldLimit>;

export const COMPARE_FIELD_LIMITS = {
  steps: { label: 'Steps', min: 1, max: 5000, integer: true },
  batchSize: { label: 'Batch size', min: 1, max: 1000, integer: true },
  targetAccuracy: { label: 'Target accuracy', min: 0, max: 1, integer: false },
} as const satisfies Record<string, NumberFieldLimit>;

/** "Learning rate must be between 0.00001 and 100", "Batch size must be a whole number between 1 and 10000". */
export function limitMessage(limit: NumberFieldLimit): string {
  return `${limit.label} must be ${limit.integer ? 'a whole number ' : ''}between ${limit.min} and ${limit.max}`;
}

/** A number schema whose every failure (wrong type, NaN, ±Infinity, fraction, out of range) reads limitMessage(). */
export function numberField(limit: NumberFieldLimit): z.ZodNumber {
  const error = limitMessage(limit);
  const base = z.number({ error });
  return (limit.integer ? base.int({ error }) : base).min(limit.min, { error }).max(limit.max, { error });
}

/** A text field (model, backend, folder) with one message for every failure. */
export function textField(label: string, maxLength: number): z.ZodString {
  const error = `${label} must be 1 to ${maxLength} characters`;
  return z.string({ error }).min(1, { error }).max(maxLength, { error });
}

export interface FieldError {
  /** The request field the message is about (`learningRate`), or null when the message names none. */
  field: string | null;
  /** The words to show, without the channel and field prefix. */
  message: string;
}

const REJECTED = /^IPC '[^']*': rejected: (?:([A-Za-z][A-Za-z0-9_.]*): )?([\s\S]*)$/;

/**
 * Splits an error from a request into the field it names and its words. Only the first field of a
 * message naming several is returned (the others follow, separated by "; ", in `message`).
 */
export function fieldError(errorText: string): FieldError {
  const m = REJECTED.exec(errorText);
  if (m === null) return { field: null, message: errorText };
  return { field: m[1] ?? null, message: m[2] };
}
