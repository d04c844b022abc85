/**
 * The one typed API of the app: a zod schema for every request, response and event. Main, the web host,
 * the compute worker and the renderer all import this module; the types are inferred from the schemas so
 * the two can never drift apart.
 */
import { z } from 'zod';
import type { EventChannel, RequestChannel } from './channels';
import {
  CheckpointInfoSchema,
  CheckpointListResponse,
  CheckpointOpenRequest,
  CheckpointSaveRequest,
  OptimizerSchema,
  RestoredSchema,
} from './checkpoint-schemas';

const finite = z.number().finite();
const pixels784 = z.array(z.number().min(0).max(1)).length(784);

export const TrainConfigSchema = z.strictObject({
  model: z.string().min(1).max(64),
  backend: z.string().min(1).max(64),
  /** null: the bundled digits; else a folder of IDX files (MNIST or Fashion-MNIST). */
  dataDir: z.string().min(1).max(4096).nullable(),
  optimizer: OptimizerSchema,
  learningRate: finite.positive().max(100),
  batchSize: z.number().int().min(1).max(10_000),
  epochs: z.number().int().min(1).max(1000),
  /** When set, stop after this many steps instead of `epochs` full passes. */
  steps: z.number().int().min(1).max(10_000_000).nullable(),
});
export type TrainConfig = z.infer<typeof TrainConfigSchema>;

export const TrainStateSchema = z.enum(['idle', 'running', 'paused', 'stopped', 'finished', 'failed']);
export type TrainState = z.infer<typeof TrainStateSchema>;

export const ProgressSchema = z.strictObject({
  state: TrainStateSchema,
  model: z.string(),
  backend: z.string(),
  step: z.number().int().min(0),
  totalSteps: z.number().int().min(0),
  epoch: finite,
  loss: finite.nullable(),
  testAccuracy: finite.nullable(),
  examplesPerSecond: finite,
  etaSeconds: finite.nullable(),
  /** Loss and accuracy points since the previous message, so a throttled stream loses no chart points. */
  lossPoints: z.array(z.tuple([z.number().int(), finite])),
  accuracyPoints: z.array(z.tuple([z.number().int(), finite])),
  error: z.string().nullable(),
  /** Set when the session came back from a checkpoint or an autosave, so the UI can say where from. */
  restored: RestoredSchema.nullable(),
});
export type Progress = z.infer<typeof ProgressSchema>;

export const WorkerStatusSchema = z.strictObject({
  state: z.enum(['ready', 'restarting', 'crashed', 'stalled']),
  message: z.string(),
  restarts: z.number().int().min(0),
});
export type WorkerStatus = z.infer<typeof WorkerStatusSchema>;

const ModelInfoSchema = z.strictObject({ name: z.string(), description: z.string(), defaultLearningRate: finite, defaultOptimizer: OptimizerSchema, code: z.string() });
const empty = z.strictObject({});
const ok = z.strictObject({ ok: z.literal(true) });

const CompareRowSchema = z.strictObject({
  backend: z.string(),
  steps: z.number().int(),
  stepsPerSecond: finite,
  msPerStep: finite,
  /** Seconds until test accuracy first reached the target, null when it never did. */
  timeToAccuracy: finite.nullable(),
  finalAccuracy: finite,
  lossMaxDiff: finite.nullable(),
  lossMeanDiff: finite.nullable(),
  weightMaxDiff: finite.nullable(),
  weightMeanDiff: finite.nullable(),
  error: z.string().nullable(),
});
export type CompareRow = z.infer<typeof CompareRowSchema>;

const CoverageSchema = z.strictObject({
  backends: z.array(z.string()),
  rows: z.array(z.strictObject({ primitive: z.string(), group: z.string(), support: z.array(z.enum(['native', 'fused', 'lowered', 'unavailable'])) })),
});
export type Coverage = z.infer<typeof CoverageSchema>;

const MisclassifiedSchema = z.strictObject({ index: z.number().int(), label: z.number().int(), predicted: z.number().int(), pixels: pixels784, probabilities: z.array(finite).length(10) });

/** Every request channel: what the renderer sends and what it gets back. */
export const API = {
  'app:info': {
    request: empty,
    response: z.strictObject({
      models: z.array(ModelInfoSchema),
      backends: z.array(z.string()),
      /** A sensible learning rate per optimizer, for a model trained with another optimizer than its own. */
      optimizerRates: z.strictObject({ sgd: finite, momentum: finite, adam: finite }),
      progress: ProgressSchema,
      userSetSize: z.number().int(),
    }),
  },
  'train:start': { request: TrainConfigSchema, response: ok },
  'train:pause': { request: empty, response: ok },
  'train:resume': { request: empty, response: ok },
  'train:stop': { request: empty, response: ok },
  'train:set-backend': { request: z.strictObject({ backend: z.string().min(1).max(64) }), response: z.strictObject({ backend: z.string(), variablesMoved: z.number().int() }) },
  predict: {
    request: z.strictObject({ pixels: pixels784, saliency: z.boolean() }),
    response: z.strictObject({ probabilities: z.array(finite).length(10), saliency: z.array(finite).length(784).nullable(), step: z.number().int(), model: z.string().nullable() }),
  },
  'userset:add': { request: z.strictObject({ pixels: pixels784, label: z.number().int().min(0).max(9) }), response: z.strictObject({ size: z.number().int() }) },
  'inspect:snapshot': {
    request: z.strictObject({ misclassifiedLimit: z.number().int().min(0).max(100) }),
    response: z.strictObject({
      step: z.number().int(),
      /** [784 × 10] row-major weights of a softmax layer, null when the model has none. */
      templates: z.array(finite).length(7840).nullable(),
      confusion: z.array(z.array(z.number().int()).length(10)).length(10),
      testAccuracy: finite,
      misclassified: z.array(MisclassifiedSchema),
      graph: z.strictObject({
        nodes: z.array(z.strictObject({ id: z.string(), op: z.string(), shape: z.string(), gradient: z.boolean() })),
        edges: z.array(z.tuple([z.string(), z.string()])),
      }),
    }),
  },
  'compare:run': {
    request: z.strictObject({ model: z.string().min(1).max(64), steps: z.number().int().min(1).max(5000), batchSize: z.number().int().min(1).max(1000), targetAccuracy: finite.min(0).max(1) }),
    response: z.strictObject({ rows: z.array(CompareRowSchema) }),
  },
  'compare:coverage': { request: empty, response: CoverageSchema },
  'dialog:pick-data-dir': { request: empty, response: z.strictObject({ path: z.string().nullable() }) },
  /** null: the save dialog was cancelled. */
  'checkpoint:save': { request: CheckpointSaveRequest, response: z.strictObject({ checkpoint: CheckpointInfoSchema.nullable() }) },
  /** null: the open dialog was cancelled. */
  'checkpoint:open': { request: CheckpointOpenRequest, response: z.strictObject({ checkpoint: CheckpointInfoSchema.nullable() }) },
  'checkpoint:list': { request: empty, response: CheckpointListResponse },
} as const satisfies Record<RequestChannel, { request: z.ZodType; response: z.ZodType }>;

export const EVENTS = {
  'train:progress': ProgressSchema,
  'worker:status': WorkerStatusSchema,
} as const satisfies Record<EventChannel, z.ZodType>;

export type Req<C extends RequestChannel> = z.infer<(typeof API)[C]['request']>;
export type Res<C extends RequestChannel> = z.infer<(typeof API)[C]['response']>;
export type EventPayload<E extends EventChannel> = z.infer<(typeof EVENTS)[E]>;
